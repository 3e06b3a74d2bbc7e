using Lmev.Pipeline;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

/// <summary>A flipped byte in a cache entry: seen by status, refused by the stage that reads it, listed by verify, repaired and recomputed.</summary>
public sealed class VerifyTests
{
    [Fact]
    public void A_flipped_byte_in_a_cached_split_is_caught_named_repaired_and_recomputed()
    {
        using var p = new TestProject();
        p.AddQuickModels();
        p.RunAll(last: "model");
        var split = p.Flow().Run("split")[0];
        var train = Path.Combine(split.Directory, "train.csv");
        var original = File.ReadAllBytes(train);
        var flipped = (byte[])original.Clone();
        flipped[original.Length / 2] ^= 0x01;
        Thread.Sleep(1100); // a later write than the entry's assembly, as an edit would be
        File.WriteAllBytes(train, flipped);

        Assert.Contains(p.Flow().Status(), s => s.Step == "split" && s.State == "error" && s.Reasons[0].Contains("train.csv was changed"));
        var consumer = Assert.Throws<LmevException>(() => p.Flow().Run("embed"));
        Assert.Contains(train, consumer.Message);
        Assert.Contains($"split/{split.Key}", consumer.Message);
        Assert.Contains("lmev verify --repair", consumer.Message);

        var (code, listed) = LmevProcess.Run(p, "verify", "--experiment", "demo");
        Assert.Equal(5, code);
        Assert.Contains($"damaged split/{split.Key}", listed);
        Assert.Contains("train.csv: sha256", listed);

        var (repaired, said) = LmevProcess.Run(p, "verify", "--experiment", "demo", "--repair");
        Assert.Equal(0, repaired);
        Assert.Contains("removed: the next run recomputes it", said);
        Assert.False(Directory.Exists(split.Directory));

        var before = p.Log.Count;
        var again = p.Flow().Run("split")[0];
        Assert.Contains(p.Log.Skip(before), l => l.StartsWith("split: running", StringComparison.Ordinal));
        Assert.Equal(original, File.ReadAllBytes(Path.Combine(again.Directory, "train.csv")));
        var (clean, _) = LmevProcess.Run(p, "verify", "--experiment", "demo");
        Assert.Equal(0, clean);
    }
}
