using System.Diagnostics;
using System.Runtime.InteropServices;
using Lmev.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Lmev.Bench.Nnlm;

/// <summary>
/// Where a step's time goes, frozen against fine-tune: Trainer's loop (Trainer.Loop, BagBatchSource, DenseBatchSource)
/// written out again here with a Stopwatch around each part, so that product code carries no timing. The same seed,
/// settings and order as the Train stage; the optimiser is split in two AdamUpdates, the MLP's parameters and the table
/// (the same arithmetic: Adam's state is per parameter, the step count shared), so that the table's update is timed
/// apart. Within the table's step, its gradient's extraction and grouping (RowGradient) are timed once more on their
/// own, just before it (marked [aside], not in the total: the step does the same work again). Per epoch: validation and the best-weights
/// save (as the Train stage does it: BestWeightsFile, to a file), and aside the whole model.save it did before. On the CPU libtorch is synchronous, so each part's time is
/// its own.
/// </summary>
internal static class StepProfile
{
    /// <summary>Seconds per part, summed over the profiled epochs, and the step count.</summary>
    public sealed class Parts
    {
        public readonly Dictionary<string, double> Seconds = new(StringComparer.Ordinal);
        public readonly Dictionary<string, double> CpuSeconds = new(StringComparer.Ordinal);
        public int Steps, Epochs;
        private double _cpu = ProcessCpuSeconds();

        /// <summary>The wall time since <paramref name="clock"/> started, and the process's CPU time since the last Add, go to <paramref name="part"/>.</summary>
        public void Add(string part, Stopwatch clock)
        {
            double cpu = ProcessCpuSeconds();
            Seconds[part] = Seconds.GetValueOrDefault(part) + clock.Elapsed.TotalSeconds;
            CpuSeconds[part] = CpuSeconds.GetValueOrDefault(part) + cpu - _cpu;
            _cpu = cpu;
            clock.Restart();
        }

        /// <summary>Starts the next part's CPU time here (where its clock restarts).</summary>
        public void Mark() => _cpu = ProcessCpuSeconds();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds, Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of all the process's threads (CLOCK_PROCESS_CPUTIME_ID), libtorch's and .NET's: on a shared machine, the work rather than the wait.</summary>
    private static double ProcessCpuSeconds() =>
        OperatingSystem.IsLinux() && ClockGetTime(2, out var t) == 0 ? t.Seconds + t.Nanoseconds * 1e-9 : double.NaN;

    private const double Eps = Trainer.AdamEpsilon;

    /// <summary>Frozen mode's step, parts timed; epoch 1 (warm-up) is not counted.</summary>
    public static Parts Frozen(FeatureMatrix train, int[] trainLabels, FeatureMatrix validation, int[] validationLabels, int classes,
        MlpSettings p, long seed, int epochs, string snapshot)
    {
        torch.manual_seed(seed);
        using var model = new Mlp(train.Dim, classes, p.Hidden, p.Dropout);
        using var host = tensor(train.Values, [train.Rows, train.Dim]);
        using var features = host.clone();
        using var optimizer = new AdamUpdate(model.parameters(), p.LearningRate, Eps);
        using var validationSource = new DenseBatchSource(model, validation, CPU);
        return Loop(model, train.Rows, trainLabels, validationSource, validationLabels, p, seed, epochs, snapshot,
            (rows, parts, clock) =>
            {
                var index = tensor(rows.ToArray());
                var x = features.index_select(0, index);
                parts.Add("gather batch", clock);
                return model.forward(x);
            },
            parts =>
            {
                var clock = Stopwatch.StartNew();
                parts.Mark();
                optimizer.Step();
                parts.Add("step: Adam, MLP", clock);
            },
            optimizer.ZeroGrad, optimizer.ChangedRows);
    }

    /// <summary>Fine-tune mode's step, parts timed; epoch 1 (warm-up) is not counted.</summary>
    public static unsafe Parts FineTune(FeatureMatrix table, TokenBags train, int[] trainLabels, TokenBags validation, int[] validationLabels,
        int classes, MlpSettings p, long seed, int epochs, string snapshot)
    {
        torch.manual_seed(seed);
        using var model = new BagOfEmbeddingsClassifier(table, classes, p.Hidden, p.Dropout);
        var named = model.named_parameters().ToList();
        var tableParameter = named.Single(n => n.name.StartsWith("bag.", StringComparison.Ordinal)).parameter;
        using var mlpOptimizer = new AdamUpdate(named.Where(n => !ReferenceEquals(n.parameter, tableParameter)).Select(n => n.parameter), p.LearningRate, Eps);
        using var tableOptimizer = new AdamUpdate([tableParameter], p.LearningRate, Eps);
        using var validationSource = new BagBatchSource(model, validation, CPU);
        return Loop(model, train.Rows, trainLabels, validationSource, validationLabels, p, seed, epochs, snapshot,
            (rows, parts, clock) =>
            {
                long tokens = 0;
                foreach (long r in rows) tokens += train.Offsets[r + 1] - train.Offsets[r];
                var ids = empty(tokens, ScalarType.Int64);
                var offsets = empty(rows.Count, ScalarType.Int64);
                var idSpan = MemoryMarshal.Cast<byte, long>(ids.bytes);
                var offsetSpan = MemoryMarshal.Cast<byte, long>(offsets.bytes);
                int at = 0;
                for (int i = 0; i < rows.Count; i++)
                {
                    long r = rows[i], start = train.Offsets[r];
                    int length = (int)(train.Offsets[r + 1] - start);
                    offsetSpan[i] = at;
                    train.Ids.AsSpan(checked((int)start), length).CopyTo(idSpan[at..]);
                    at += length;
                }
                parts.Add("gather batch", clock);
                var pooled = model.Pool(ids, offsets);
                parts.Add("forward: EmbeddingBag + sqrtn", clock);
                return model.Head.forward(pooled);
            },
            parts =>
            {
                var clock = Stopwatch.StartNew();
                parts.Mark();
                mlpOptimizer.Step();
                parts.Add("step: Adam, MLP", clock);
                using (torch.no_grad())
                {
                    var g = tableParameter.grad!;
                    using Tensor ids = g.SparseIndices.select(0, 0), values = g.SparseValues;
                    parts.Add("step: table gradient's ids and values [aside]", clock);
                    using (RowGradient.Group(new ReadOnlySpan<long>(Address(ids), (int)ids.shape[0]), (float*)Address(values),
                               (int)values.shape[1], tableParameter.shape[0])) { }
                    parts.Add("step: RowGradient.Group, sort [aside]", clock);
                }
                tableOptimizer.Step();
                parts.Add("step: Adam, table (all of it)", clock);
            },
            () => { mlpOptimizer.ZeroGrad(); tableOptimizer.ZeroGrad(); }, tableOptimizer.ChangedRows);
    }

    /// <summary>A contiguous host tensor's first element, as TableAdamSweep finds it.</summary>
    private static unsafe void* Address(Tensor t)
    {
        using var flat = t.view(-1);
        using var first = flat.narrow(0, 0, 1);
        fixed (byte* b = first.bytes) return b;
    }

    private static Parts Loop(nn.Module model, int trainRows, int[] trainLabels, IBatchSource validation, int[] validationLabels, MlpSettings p,
        long seed, int epochs, string snapshot, Func<ArraySegment<long>, Parts, Stopwatch, Tensor> logitsOf, Action<Parts> step, Action zeroGrad,
        Func<Tensor, ulong[]?> changedRows)
    {
        var shuffle = new SplitMix64(unchecked((ulong)seed));
        var parts = new Parts();
        var ignored = new Parts();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var counted = epoch == 1 ? ignored : parts;   // the first epoch warms up (and the table's rows first come alive)
            model.train();
            long[] order = shuffle.Permutation(trainRows);
            var clock = Stopwatch.StartNew();
            counted.Mark();
            for (int start = 0; start < trainRows; start += p.BatchSize)
            {
                var rows = new ArraySegment<long>(order, start, Math.Min(p.BatchSize, trainRows - start));
                var scope = torch.NewDisposeScope();
                var batch = new long[rows.Count];
                for (int i = 0; i < batch.Length; i++) batch[i] = trainLabels[rows[i]];
                var targets = tensor(batch);
                var logits = logitsOf(rows, counted, clock);
                counted.Add("forward: MLP", clock);
                var loss = nn.functional.cross_entropy(logits, targets);
                logits.Dispose();
                counted.Add("loss", clock);
                loss.backward();
                counted.Add("backward", clock);
                step(counted);
                clock.Restart();
                counted.Mark();
                zeroGrad();
                _ = loss.item<float>();
                counted.Add("zero grad, loss.item", clock);
                scope.Dispose();
                counted.Add("batch's tensors freed", clock);
                counted.Steps++;
            }
            Trainer.Evaluate(model, validation, validationLabels, p.BatchSize);
            counted.Add("validation (per epoch)", clock);
            BestWeightsFile.Save(model, snapshot, changedRows);
            counted.Add("best weights saved to a file (per epoch)", clock);
            model.save(snapshot + ".whole");
            counted.Add("best weights, whole model.save as before (per epoch) [aside]", clock);
            File.Delete(snapshot + ".whole");
            clock.Restart();
            counted.Mark();
            counted.Epochs++;
        }
        File.Delete(snapshot);
        return parts;
    }

    /// <summary>The breakdown per step (per-epoch parts spread over the epoch's steps), frozen beside fine-tune.</summary>
    public static void Print(Parts frozen, Parts fineTune)
    {
        Console.WriteLine($"where a step's time goes (StepProfile: Trainer's loop timed part by part; epochs 2..{fineTune.Epochs + 1}, " +
                          $"{fineTune.Steps} steps each mode; per-epoch parts divided by the epoch's steps):");
        Console.WriteLine($"  {"ms per step",-52} {"wall: frozen",12} {"fine-tune",10} {"difference",10}   {"CPU: frozen",11} {"fine-tune",10} {"difference",10}");
        double[] totals = new double[4];
        foreach (var part in fineTune.Seconds.Keys.Union(frozen.Seconds.Keys))
        {
            double PerStep(Dictionary<string, double> seconds, Parts of) => seconds.GetValueOrDefault(part) / Math.Max(1, of.Steps) * 1e3;
            double[] row = [PerStep(frozen.Seconds, frozen), PerStep(fineTune.Seconds, fineTune), PerStep(frozen.CpuSeconds, frozen), PerStep(fineTune.CpuSeconds, fineTune)];
            bool of = part.EndsWith("[aside]", StringComparison.Ordinal);   // timed again apart: not in the total
            if (!of) for (int i = 0; i < 4; i++) totals[i] += row[i];
            Console.WriteLine($"  {(of ? "  " : "") + part,-52} {row[0],12:F1} {row[1],10:F1} {row[1] - row[0],10:F1}   {row[2],11:F1} {row[3],10:F1} {row[3] - row[2],10:F1}");
        }
        Console.WriteLine($"  {"total",-52} {totals[0],12:F1} {totals[1],10:F1} {totals[1] - totals[0],10:F1}   {totals[2],11:F1} {totals[3],10:F1} {totals[3] - totals[2],10:F1}");
    }
}
