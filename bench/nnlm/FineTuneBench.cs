using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lmev.Bench;
using Lmev.Models;
using Lmev.Pipeline.Csv;
using Lmev.Training;
using TorchSharp;

namespace Lmev.Bench.Nnlm;

/// <summary>
/// Fine-tune against frozen on the same real titles, with a random table of the NNLM modules' shape
/// (no vocabulary, 976,640 OOV buckets or <c>--buckets</c>, dim 128: every token hashes to a bucket row).
/// <para>
/// Rows: the first <c>--rows</c> titles of <c>../shared/data/meli2019-es-titles.csv.gz</c> (random
/// order); the last 5 % are the validation set, as Keras' validation_split held them out, so
/// early stopping's best-weights snapshot is part of what is measured. Classes are numbered in
/// order of first appearance. The study's protocol otherwise (MlpSettings defaults: Dense 512
/// ×2, dropout 0.25, Adam 1e-3, batch 4096), for <c>--epochs</c> epochs.
/// </para>
/// <para>
/// Figures per phase: each epoch's seconds (training steps plus the validation pass), s/step
/// (epoch seconds / steps), the peak RSS (VmHWM, reset at the start of the phase) and its ratio to
/// the table's bytes, and the growth of the peak over the RSS at the start of the phase (the
/// runtime, libtorch and the token ids are already there). Frozen's peak covers training only;
/// the embedding pass is timed apart. Then the machine's memory bandwidth (<see cref="MemoryBandwidth"/>,
/// STREAM's triad over arrays of the table's size) and the table update alone (<see cref="TableUpdateBench"/>,
/// <c>--update-steps</c> steps), and the issue's three ratios with their goals: fine-tune ÷ frozen seconds per
/// epoch (≤ 1.3), update bandwidth ÷ triad (≥ 0.5), fine-tune peak RSS ÷ table (≤ 4); last, what the fine-tune
/// peak holds beyond the table and its two moments, beside the same overheads in frozen mode. Last, where a step's time
/// goes (<see cref="StepProfile"/>, <c>--profile-epochs</c> epochs of each mode, default 3, the first not counted; 0 or 1:
/// none), wall and CPU time per part. Alone: <c>--profile-only</c>; <c>--update-only</c> the table update (every row
/// live, then the training set's rows); <c>--fine-tune-only</c> the fine-tune phase (its seconds, CPU time and peak, to
/// compare glibc's settings).
/// </para>
/// </summary>
internal static class FineTuneBench
{
    private const int Dim = 128;
    private const long Seed = 1;
    private const string DataPath = "../shared/data/meli2019-es-titles.csv.gz";

    public static int Run(BenchArgs args)
    {
        int rows = args.Int("--rows", 100_000), epochs = args.Int("--epochs", 2), threads = args.Int("--threads", 0);
        int buckets = args.Int("--buckets", 976_640), updateSteps = args.Int("--update-steps", 9);
        long tableBytes = (long)buckets * Dim * sizeof(float);
        bool cuda = args.Flag("--cuda");
        if (!File.Exists(DataPath))
        {
            Console.WriteLine($"skipped: {Path.GetFullPath(DataPath)} is not here (the team's shared data; a clone does not have it)");
            BenchFigure.Skipped("nnlm-finetune", $"{Path.GetFullPath(DataPath)} not found (the team's shared data)");
            return 0;
        }

        TorchRuntime.EnsureLoaded();
        // As the Train stage does: the best epoch's weights go to a file, not a second table in memory
        // (--snapshot-in-memory keeps them in memory, to compare).
        var snapshot = args.Flag("--snapshot-in-memory") ? null : Path.Combine(Path.GetTempPath(), $"lmev-bench-best-{Environment.ProcessId}.dat");
        var parameters = new MlpSettings { Epochs = epochs };
        var options = new TrainerOptions(Threads: threads, UseCuda: cuda, SnapshotPath: snapshot);
        var device = TorchRuntime.SelectDevice(cuda);
        var clock = Stopwatch.StartNew();
        var (titles, labels, classes) = ReadTitles(rows);
        var tokenizer = new NnlmTokenizer([], buckets, new NnlmTokenizerOptions(Normalize: true));
        int validationRows = titles.Count / 20, trainRows = titles.Count - validationRows;
        var train = tokenizer.Bags(titles.GetRange(0, trainRows));
        var validation = tokenizer.Bags(titles.GetRange(trainRows, validationRows));
        int[] trainLabels = labels[..trainRows], validationLabels = labels[trainRows..];
        int steps = (trainRows + parameters.BatchSize - 1) / parameters.BatchSize;
        Console.WriteLine($"{titles.Count:N0} titles ({trainRows:N0} train, {validationRows:N0} validation, {classes:N0} classes, " +
                          $"{train.Ids.Length:N0} training tokens) read and tokenised in {clock.Elapsed.TotalSeconds:F1} s");
        var seen = new bool[buckets];
        foreach (long id in train.Ids) seen[id] = true;
        int rowsTouched = seen.Count(t => t);
        Console.WriteLine($"{rowsTouched:N0} of the table's {buckets:N0} rows ({100.0 * rowsTouched / buckets:F1} %) occur in the training titles: " +
                          "from the first epoch on, fine-tune's update sweeps those (the others' m and v are still 0: dense Adam leaves them as they are)");
        Console.WriteLine($"table {buckets:N0} × {Dim} float32 = {ProcessMemory.Mb(tableBytes)}; batch {parameters.BatchSize}, " +
                          $"{steps} steps/epoch, {epochs} epochs; device {TorchRuntime.DeviceName(device)}; " +
                          $"{Environment.ProcessorCount} logical CPUs; load average {LoadAverage()}");

        if (args.Flag("--profile-only"))
        {
            Profile(train, trainLabels, validation, validationLabels, classes, parameters, buckets, Math.Max(2, args.Int("--profile-epochs", 3)));
            return 0;
        }
        if (args.Flag("--update-only"))   // the table update alone (the fused pass: every row live, then the training set's rows)
        {
            int rowsOfBatch = Math.Min(parameters.BatchSize, train.Rows);
            foreach (var u in TableUpdateBench.Run(buckets, Dim, train.Ids[..(int)train.Offsets[rowsOfBatch]], train.Offsets[..rowsOfBatch], updateSteps,
                         torch.get_num_threads(), train.Ids, fusedOnly: true))
                Console.WriteLine($"table update, {u.Kernel}: {u.SecondsPerStep * 1e3:F1} ms/step, CPU {u.CpuSecondsPerStep * 1e3:F1} ms/step " +
                                  $"(medians of {updateSteps}); load average {LoadAverage()}");
            return 0;
        }
        if (args.Flag("--fine-tune-only"))   // the fine-tune phase alone: its time, CPU time and peak (glibc's settings compared)
        {
            Phase("fine-tune", steps, tableBytes, () => Trainer.FineTune(() => RandomTable(buckets), train, trainLabels, validation, validationLabels,
                classes, parameters, Seed, options));
            return 0;
        }
        var frozen = Frozen(train, trainLabels, validation, validationLabels, classes, parameters, options, buckets, steps, tableBytes);
        var fineTune = Phase("fine-tune", steps, tableBytes, () => Trainer.FineTune(() => RandomTable(buckets), train, trainLabels, validation, validationLabels,
            classes, parameters, Seed, options));

        // The update alone, against what the memory can move: STREAM's triad over arrays the table's size.
        int torchThreads = torch.get_num_threads();
        var (triad, triadSeconds) = MemoryBandwidth.Triad((long)buckets * Dim, torchThreads);
        Console.WriteLine($"memory: STREAM triad over 3 arrays of {ProcessMemory.Mb(tableBytes)}, {torchThreads} threads: {triad / 1e9:F1} GB/s " +
                          $"(best of 6, {triadSeconds * 1e3:F0} ms); load average {LoadAverage()}");
        int batchRows = Math.Min(parameters.BatchSize, train.Rows);
        var batchIds = train.Ids[..(int)train.Offsets[batchRows]];
        var updates = TableUpdateBench.Run(buckets, Dim, batchIds, train.Offsets[..batchRows], updateSteps, torchThreads, train.Ids);
        foreach (var u in updates)
            Console.WriteLine($"table update, {u.Kernel}: {u.SecondsPerStep * 1e3:F1} ms/step (median of {updateSteps}), " +
                              $"{u.BytesPerSecond / 1e9:F1} GB/s = {u.BytesPerSecond / triad:F2} × triad");

        const string Bench = "nnlm-finetune";
        var tableMiB = tableBytes / 1048576.0;
        var tableName = $"NNLM table {buckets:N0} x {Dim} float32";
        BenchFigure.Print(Bench, $"fine-tune seconds/epoch (last of {epochs}), {titles.Count:N0} titles", fineTune.EpochSeconds, "s",
            "frozen seconds/epoch (last), same rows", frozen.EpochSeconds, BenchGoal.AtMost(1.3));
        BenchFigure.Print(Bench, $"table update bandwidth ({updates[0].Kernel}; 6 x table per step)", updates[0].BytesPerSecond / 1e9, "GB/s",
            "STREAM triad, arrays of the table's size, same threads", triad / 1e9, BenchGoal.AtLeast(0.5));
        BenchFigure.Print(Bench, "fine-tune peak RSS", fineTune.PeakBytes / 1048576.0, "MiB", tableName, tableMiB, BenchGoal.AtMost(4));
        BenchFigure.Print(Bench, "frozen peak RSS (training only)", frozen.PeakBytes / 1048576.0, "MiB", tableName, tableMiB);
        foreach (var u in updates.Skip(1))
            BenchFigure.Print(Bench, $"table update bandwidth ({u.Kernel})", u.BytesPerSecond / 1e9, "GB/s",
                "STREAM triad, arrays of the table's size, same threads", triad / 1e9);
        BenchFigure.Print(Bench, $"table update seconds/step ({updates[0].Kernel})", updates[0].SecondsPerStep, "s",
            "fine-tune minus frozen seconds/step (last epochs)", (fineTune.EpochSeconds - frozen.EpochSeconds) / steps);
        var liveOnly = updates.Single(u => u.Kernel.Contains("live rows only", StringComparison.Ordinal));
        BenchFigure.Print(Bench, $"table update seconds/step ({liveOnly.Kernel})", liveOnly.SecondsPerStep, "s",
            "fine-tune minus frozen seconds/step (last epochs)", (fineTune.EpochSeconds - frozen.EpochSeconds) / steps);

        // What the fine-tune peak holds beyond the table, m and v, and the same overheads measured in frozen mode.
        long embeddedBytes = (long)(train.Rows + validation.Rows) * Dim * sizeof(float);
        long beyond = fineTune.PeakBytes - fineTune.StartBytes - 3 * tableBytes, frozenStep = frozen.PeakBytes - frozen.StartBytes - embeddedBytes;
        Console.WriteLine($"fine-tune peak {ProcessMemory.Mb(fineTune.PeakBytes)} = phase start {ProcessMemory.Mb(fineTune.StartBytes)} " +
                          $"(runtime, libtorch, titles, token ids) + table, m and v {ProcessMemory.Mb(3 * tableBytes)} + {ProcessMemory.Mb(beyond)} " +
                          $"({(double)beyond / tableBytes:F2} × table: the MLP's step on a {parameters.BatchSize}-row batch, activations and gradients, " +
                          $"the table's sparse gradient, and what glibc's heap keeps of them). Frozen mode, the same MLP: its phase grew " +
                          $"{ProcessMemory.Mb(frozen.PeakBytes - frozen.StartBytes)} = its embedded rows on the device {ProcessMemory.Mb(embeddedBytes)} " +
                          $"+ {ProcessMemory.Mb(frozenStep)} ({(double)frozenStep / tableBytes:F2} × table). " +
                          $"glibc's mmap threshold: " + (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is { } given
                              ? $"MALLOC_MMAP_THRESHOLD_ {given} (frozen and fine-tune)"
                              : $"dynamic in frozen mode, {GlibcHeap.MmapThreshold >> 20} MiB from fine-tune on (GlibcHeap, set by Trainer.FineTune)"));
        BenchFigure.Print(Bench, "fine-tune peak RSS beyond phase start, table, m and v", beyond / 1048576.0, "MiB", tableName, tableMiB);
        BenchFigure.Print(Bench, "frozen peak RSS growth beyond its embedded rows", frozenStep / 1048576.0, "MiB", tableName, tableMiB);
        Console.WriteLine($"best weights kept {(snapshot is null ? "in memory" : "in a file")}");
        if (snapshot is not null) File.Delete(snapshot);

        int profileEpochs = args.Int("--profile-epochs", 3);
        if (profileEpochs >= 2)
            Profile(train, trainLabels, validation, validationLabels, classes, parameters, buckets, profileEpochs);
        return 0;
    }

    /// <summary>
    /// Frozen mode: the rows embedded once in C#, the MLP trained on them. A method of its own, so that nothing the
    /// fine-tune phase's lambda captures holds the embedded rows (they would count in its peak).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (double EpochSeconds, long PeakBytes, long StartBytes) Frozen(TokenBags train, int[] trainLabels, TokenBags validation,
        int[] validationLabels, int classes, MlpSettings parameters, TrainerOptions options, int buckets, int steps, long tableBytes)
    {
        var clock = Stopwatch.StartNew();
        var (trainX, validationX) = EmbedWithRandomTable(train, validation, buckets);
        Console.WriteLine($"frozen: table built and rows embedded in C# in {clock.Elapsed.TotalSeconds:F1} s");
        return Phase("frozen", steps, tableBytes, () => Trainer.Train(trainX, trainLabels, validationX, validationLabels, classes, parameters, Seed, options));
    }

    /// <summary>Where a step's time goes (<see cref="StepProfile"/>), after the figures (it does not count in their peaks).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Profile(TokenBags train, int[] trainLabels, TokenBags validation, int[] validationLabels, int classes,
        MlpSettings parameters, int buckets, int epochs)
    {
        var file = Path.Combine(Path.GetTempPath(), $"lmev-bench-profile-{Environment.ProcessId}.dat");
        Console.WriteLine($"profile: {epochs} epochs each mode, the first not counted; load average {LoadAverage()}");
        var (trainX, validationX) = EmbedWithRandomTable(train, validation, buckets);
        var frozen = StepProfile.Frozen(trainX, trainLabels, validationX, validationLabels, classes, parameters, Seed, epochs, file);
        (trainX, validationX) = (null!, null!);
        var fineTune = StepProfile.FineTune(RandomTable(buckets), train, trainLabels, validation, validationLabels, classes, parameters, Seed, epochs, file);
        StepProfile.Print(frozen, fineTune);
        Console.WriteLine($"profile done; load average {LoadAverage()}");
    }

    /// <returns>the last epoch's seconds, the phase's peak RSS and its RSS at the start</returns>
    private static (double EpochSeconds, long PeakBytes, long StartBytes) Phase<TInput>(string name, int steps, long tableBytes, Func<TrainedModel<TInput>> train) where TInput : class
    {
        bool reset = ProcessMemory.ResetPeak();
        long baseline = ProcessMemory.RssBytes();
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        using var model = train();
        long peak = ProcessMemory.PeakRssBytes();
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        var perEpoch = string.Join(", ", model.Epochs.Select(e => $"{e.Seconds:F1}"));
        var warm = model.Epochs[^1].Seconds;
        Console.WriteLine($"{name,-9}: epochs {perEpoch} s; {warm / steps:F3} s/step (last epoch); " +
                          $"peak RSS {ProcessMemory.Mb(peak)} = {(double)peak / tableBytes:F2} × table; " +
                          $"growth over the phase's start ({ProcessMemory.Mb(baseline)}) {ProcessMemory.Mb(peak - baseline)} = " +
                          $"{(double)(peak - baseline) / tableBytes:F2} × table" + (reset ? "" : " (peak not resettable: since process start)") +
                          $"; CPU {cpu:F1} s over {model.Epochs.Count} epochs (all threads); load average {LoadAverage()}");
        return (warm, peak, baseline);
    }

    /// <summary>BagOfEmbeddingsModel.Random's table (the random-dim128 baseline's distribution), not copied.</summary>
    private static FeatureMatrix RandomTable(int buckets)
    {
        var model = BagOfEmbeddingsModel.Random(0, buckets, Dim, seed: 1);
        if (!MemoryMarshal.TryGetArray(model.Table, out var values) || values.Offset != 0 || values.Count != values.Array!.Length)
            throw new InvalidOperationException("BagOfEmbeddingsModel.Table is expected to wrap a whole array.");
        return new FeatureMatrix(values.Array, buckets, Dim);
    }

    /// <summary>sqrtn pooling in C#: the sum of a row's token vectors over √count; an empty row is zeros.</summary>
    private static (FeatureMatrix Train, FeatureMatrix Validation) EmbedWithRandomTable(TokenBags train, TokenBags validation, int buckets)
    {
        var table = RandomTable(buckets).Values;
        FeatureMatrix Embed(TokenBags bags)
        {
            var x = new float[(long)bags.Rows * Dim];
            Parallel.For(0, bags.Rows, r =>
            {
                var row = x.AsSpan(r * Dim, Dim);
                long start = bags.Offsets[r], end = bags.Offsets[r + 1];
                for (long i = start; i < end; i++)
                {
                    var vector = table.AsSpan((int)(bags.Ids[i] * Dim), Dim);
                    for (int d = 0; d < Dim; d++) row[d] += vector[d];
                }
                if (end > start)
                {
                    float scale = 1 / MathF.Sqrt(end - start);
                    for (int d = 0; d < Dim; d++) row[d] *= scale;
                }
            });
            return new FeatureMatrix(x, bags.Rows, Dim);
        }
        return (Embed(train), Embed(validation));
    }

    private static (List<string> Titles, int[] Labels, int Classes) ReadTitles(int rows)
    {
        var titles = new List<string>(rows);
        var labels = new List<int>(rows);
        var classIds = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = CsvRowReader.Open(DataPath);
        int title = reader.Column("title"), category = reader.Column("category");
        while (titles.Count < rows && reader.NextNonBlank(out var problem))
        {
            if (problem != RowProblem.None) continue;
            var name = reader.FieldString(category);
            if (!classIds.TryGetValue(name, out var id)) classIds.Add(name, id = classIds.Count);
            titles.Add(reader.FieldString(title));
            labels.Add(id);
        }
        return (titles, labels.ToArray(), classIds.Count);
    }


    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
