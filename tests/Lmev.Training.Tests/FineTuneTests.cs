using TorchSharp;

namespace Lmev.Training.Tests;

public class FineTuneTests
{
    private static readonly MlpSettings Small = new() { Hidden = 64, BatchSize = 32, Epochs = 6, Patience = 3 };
    private const long Seed = 21;
    private static readonly TrainerOptions One = new(Threads: 1);

    [Fact]
    public void Pooling_is_the_sqrtn_sum_and_an_empty_row_is_zero()
    {
        TorchRuntime.EnsureLoaded();
        var table = new FeatureMatrix([1, 2, 10, 20, 100, 200], 3, 2);
        using var model = new BagOfEmbeddingsClassifier(table, classes: 2);
        // rows: [0, 1], [], [2, 2, 2, 2]
        using var ids = torch.tensor(new long[] { 0, 1, 2, 2, 2, 2 });
        using var offsets = torch.tensor(new long[] { 0, 2, 2 });
        using var pooled = model.Pool(ids, offsets);
        Assert.Equal([3, 2], pooled.shape);
        float s2 = MathF.Sqrt(2);
        var expected = new[] { 11 / s2, 22 / s2, 0, 0, 400 / 2f, 800 / 2f };
        var actual = pooled.data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 4);
    }

    [Fact]
    public void Fine_tuning_learns_a_token_rule_and_updates_its_own_copy_of_the_table()
    {
        // Tokens 0..23 belong to class t / 8; a row holds 1-3 tokens of its class and sometimes
        // one of the shared tokens 24..31. The table starts random.
        var (train, y) = Bags(600, seed: 31);
        var (val, yv) = Bags(150, seed: 32);
        var rng = new SplitMix64(33);
        var values = Enumerable.Range(0, 32 * 8).Select(_ => (float)(ToyData.Uniform(rng) - 0.5)).ToArray();
        var table = new FeatureMatrix(values, 32, 8);
        var before = (float[])values.Clone();

        using var model = Trainer.FineTune(table, train, y, val, yv, 3, Small with { LearningRate = 1e-2, Epochs = 15 }, Seed, One);
        var bac = ClassificationMetrics.BalancedAccuracy(yv, model.Predict(val));
        Assert.True(bac >= 0.95, $"validation BAC {bac}; epochs {string.Join("; ", model.Epochs)}");
        Assert.Equal(before, values);   // the caller's table is not written
        var trained = model.Module.state_dict().Single(kv => kv.Value.shape.SequenceEqual(new long[] { 32, 8 })).Value;
        var weights = trained.data<float>().ToArray();
        Assert.NotEqual(before, weights);
        // The table in the state (what is saved, restored and updated) is the one the model reads:
        // row [3, 5] pools to (table[3] + table[5]) / √2.
        using var ids = torch.tensor(new long[] { 3, 5 });
        using var offsets = torch.tensor(new long[] { 0 });
        using var pooled = ((BagOfEmbeddingsClassifier)model.Module).Pool(ids, offsets);
        var actual = pooled.data<float>().ToArray();
        for (int d = 0; d < 8; d++) Assert.Equal((weights[3 * 8 + d] + weights[5 * 8 + d]) / MathF.Sqrt(2), actual[d], 5);
    }

    [Fact]
    public void The_table_is_the_only_table_sized_parameter_and_its_gradient_is_sparse()
    {
        TorchRuntime.EnsureLoaded();
        var table = new FeatureMatrix(Enumerable.Range(0, 100 * 4).Select(i => MathF.Cos(i)).ToArray(), 100, 4);
        using var model = new BagOfEmbeddingsClassifier(table, classes: 3, hiddenSize: 8);
        var tables = model.parameters().Where(p => p.shape.SequenceEqual(new long[] { 100, 4 })).ToList();
        Assert.Single(tables);
        Assert.Equal(table.Values, tables[0].data<float>().ToArray());
        using var scope = torch.NewDisposeScope();
        var logits = model.forward(torch.tensor(new long[] { 7, 99, 7 }), torch.tensor(new long[] { 0, 2 }));
        logits.sum().backward();
        var grad = tables[0].grad!;
        Assert.True(grad.is_sparse);
        Assert.Equal(new long[] { 7, 99, 7 }, grad.SparseIndices.data<long>().ToArray());
    }

    [Fact]
    public void Fine_tuning_is_bit_identical_for_the_same_seed()
    {
        var (train, y) = Bags(300, seed: 41);
        var (val, yv) = Bags(60, seed: 42);
        var table = new FeatureMatrix(Enumerable.Range(0, 32 * 8).Select(i => MathF.Sin(i)).ToArray(), 32, 8);
        double[] Run()
        {
            using var model = Trainer.FineTune(table, train, y, val, yv, 3, Small with { Epochs = 3 }, Seed, new TrainerOptions(Threads: 2));
            return model.Epochs.SelectMany(e => new[] { e.Loss, e.ValLoss }).ToArray();
        }
        Assert.Equal(Run().Select(BitConverter.DoubleToInt64Bits), Run().Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Ids_past_the_table_are_refused()
    {
        var table = new FeatureMatrix(new float[4 * 2], 4, 2);
        var bags = new TokenBags([0, 4], [0, 1, 2]);
        Assert.Contains("id 4, but the embedding table has only 4 rows",
            Assert.Throws<ArgumentException>(() => Trainer.FineTune(table, bags, [0, 1], null, null, 2, Small, Seed, One)).Message);
        Assert.Contains("last offset is 3 but there are 2 ids",
            Assert.Throws<ArgumentException>(() => new TokenBags([0, 1], [0, 1, 3])).Message);
    }

    [Fact]
    public void Best_weights_kept_on_disk_restore_exactly_what_an_in_memory_copy_does()
    {
        // Validation labels shifted by one: the fit worsens validation loss, so early stopping rolls back.
        var (train, y) = Bags(300, seed: 41);
        var shifted = y.Select(c => (c + 1) % 3).ToArray();
        var values = Enumerable.Range(0, 32 * 8).Select(i => (float)Math.Sin(i)).ToArray();
        var snapshot = Path.Combine(Path.GetTempPath(), $"lmev-best-{Guid.NewGuid():N}.dat");
        try
        {
            (float[] Table, int[] Predictions, bool Restored) Run(string? path)
            {
                using var model = Trainer.FineTune(new FeatureMatrix((float[])values.Clone(), 32, 8), train, y, train, shifted, 3,
                    Small with { LearningRate = 1e-2, Epochs = 8, Patience = 2 }, Seed, One with { SnapshotPath = path });
                var table = model.Module.state_dict().Single(kv => kv.Value.shape.SequenceEqual(new long[] { 32, 8 })).Value;
                return (table.data<float>().ToArray(), model.Predict(train), model.RestoredBest);
            }
            var memory = Run(null);
            var disk = Run(snapshot);
            Assert.True(memory.Restored);
            Assert.True(disk.Restored);
            Assert.Equal(memory.Table, disk.Table);
            Assert.Equal(memory.Predictions, disk.Predictions);
        }
        finally { File.Delete(snapshot); }
    }

    [Fact]
    public void Best_weights_on_disk_hold_only_the_changed_rows_and_restore_exactly_what_an_in_memory_copy_does()
    {
        // A table of 4,096 rows of which the titles use 32 (as an NNLM table's hashed buckets are mostly unused): the file
        // holds those rows and the MLP, not the table; the rollback gives the bits of the in-memory copy.
        const int Rows = 4096, Dim = 8;
        var (train, y) = Bags(300, seed: 43);
        var shifted = y.Select(c => (c + 1) % 3).ToArray();
        var spread = new TokenBags(train.Ids.Select(id => id * 97 % Rows).ToArray(), train.Offsets);   // 32 rows, scattered
        var values = Enumerable.Range(0, Rows * Dim).Select(i => (float)Math.Sin(i)).ToArray();
        var snapshot = Path.Combine(Path.GetTempPath(), $"lmev-best-{Guid.NewGuid():N}.dat");
        try
        {
            long fileBytes = 0;
            (float[] Table, int[] Predictions, bool Restored) Run(string? path)
            {
                var settings = Small with { LearningRate = 1e-2, Epochs = 8, Patience = 2 };
                using var model = Trainer.FineTune(new FeatureMatrix((float[])values.Clone(), Rows, Dim), spread, y, spread, shifted, 3,
                    settings, Seed, One with { SnapshotPath = path }, onEpoch: _ => fileBytes = path is null ? 0 : new FileInfo(path).Length);
                var table = model.Module.state_dict().Single(kv => kv.Value.shape.SequenceEqual(new long[] { Rows, Dim })).Value;
                return (table.data<float>().ToArray(), model.Predict(spread), model.RestoredBest);
            }
            var memory = Run(null);
            var disk = Run(snapshot);
            Assert.True(memory.Restored);
            Assert.True(disk.Restored);
            Assert.Equal(memory.Table, disk.Table);
            Assert.Equal(memory.Predictions, disk.Predictions);
            var used = spread.Ids.ToHashSet();
            for (int r = 0; r < Rows; r++)
                if (!used.Contains(r)) Assert.Equal(values.AsSpan(r * Dim, Dim).ToArray(), disk.Table.AsSpan(r * Dim, Dim).ToArray());
            Assert.True(fileBytes < (long)Rows * Dim * sizeof(float) / 4,
                $"the best-weights file has {fileBytes:N0} bytes; the whole table alone is {Rows * Dim * sizeof(float):N0}");
        }
        finally { File.Delete(snapshot); }
    }

    private static (TokenBags Bags, int[] Labels) Bags(int rows, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var ids = new List<long>();
        var offsets = new List<long> { 0 };
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int label = (int)rng.NextBelow(3);
            labels[r] = label;
            int tokens = 1 + (int)rng.NextBelow(3);
            for (int i = 0; i < tokens; i++) ids.Add(label * 8 + (long)rng.NextBelow(8));
            if (rng.NextBelow(4) == 0) ids.Add(24 + (long)rng.NextBelow(8));   // a shared token now and then
            offsets.Add(ids.Count);
        }
        return (new TokenBags([.. ids], [.. offsets]), labels);
    }
}
