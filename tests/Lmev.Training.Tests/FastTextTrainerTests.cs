using Lmev.Training.FastText;
using TorchSharp;

namespace Lmev.Training.Tests;

public class FastTextTrainerTests
{
    [Fact]
    public void The_learning_rate_falls_linearly_and_ends_at_zero()
    {
        const long total = 7;
        var rates = Enumerable.Range(0, (int)total + 1).Select(s => FastTextSchedule.Rate(0.5, s, total)).ToArray();
        Assert.Equal(0.5, rates[0]);
        Assert.Equal(0.0, rates[^1]);
        for (int s = 1; s <= total; s++) Assert.Equal(0.5 / total, rates[s - 1] - rates[s], 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => FastTextSchedule.Rate(0.5, total + 1, total));
    }

    [Fact]
    public void An_update_writes_only_the_rows_of_its_batch()
    {
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(3);
        using var model = new FastTextClassifier(rows: 40, dim: 4, classes: 3);
        // rows: title 0 = [3, 7, 7], title 1 = [20]
        var bags = new TokenBags([3, 7, 7, 20, 11, 12], [0, 3, 4, 6]);
        var first = FastTextBatch.Of(bags, new ArraySegment<long>([0, 1]), torch.CPU);
        var before = model.Input.clone();
        FastTextTrainer.Step(model, first, torch.tensor(new long[] { 0, 2 }), 0.5);
        // The output layer starts at zero, as fastText's, so the first update moves no input row.
        Assert.True(model.Input.eq(before).all().item<bool>());
        Assert.False(model.Output.eq(0).all().item<bool>());

        var second = FastTextBatch.Of(bags, new ArraySegment<long>([2, 0]), torch.CPU);   // title 2 = [11, 12], then title 0
        var snapshot = model.Input.clone();
        FastTextTrainer.Step(model, second, torch.tensor(new long[] { 1, 0 }), 0.5);
        var changed = Enumerable.Range(0, 40).Where(r => !model.Input[r].eq(snapshot[r]).all().item<bool>()).ToArray();
        Assert.Equal([3, 7, 11, 12], changed);
    }

    [Fact]
    public void It_learns_a_word_rule_and_the_same_seed_gives_bit_identical_runs()
    {
        // Label = which of three words the title holds; the other words are noise.
        var rng = new SplitMix64(5);
        string[] keys = ["rojo", "verde", "azul"], noise = ["camión", "de", "juguete", "nuevo", "grande", "usado"];
        var titles = new List<string>();
        var labels = new List<int>();
        for (int i = 0; i < 600; i++)
        {
            int label = (int)rng.NextBelow(3);
            var words = Enumerable.Range(0, 3).Select(_ => noise[rng.NextBelow((ulong)noise.Length)]).Append(keys[label]).OrderBy(_ => rng.Next());
            titles.Add(string.Join(' ', words));
            labels.Add(label);
        }
        var dictionary = FastTextDictionary.Build(titles.Take(500), minCount: 1, wordNgrams: 2, buckets: 5000);
        var train = dictionary.Bags(titles.Take(500).ToList());
        var test = dictionary.Bags(titles.Skip(500).ToList());
        var settings = new FastTextSettings(LearningRate: 0.5, Epochs: 5, Dim: 10, WordNgrams: 2, Buckets: 5000, BatchSize: 8);

        (float[] Losses, int[] Predicted) Run()
        {
            using var trained = FastTextTrainer.Train(dictionary, train, labels.Take(500).ToArray(), test, labels.Skip(500).ToArray(), 3, settings, seed: 11, threads: 1);
            return (trained.Epochs.SelectMany(e => new[] { (float)e.Loss, (float)e.ValLoss }).ToArray(), trained.Predict(test));
        }
        var a = Run();
        var b = Run();
        Assert.Equal(a.Losses, b.Losses);
        Assert.Equal(a.Predicted, b.Predicted);
        Assert.True(ClassificationMetrics.Accuracy(labels.Skip(500).ToArray(), a.Predicted) > 0.95);
        Assert.True(a.Losses[^2] < a.Losses[0] / 4, $"training loss {a.Losses[0]} → {a.Losses[^2]}");
    }
}
