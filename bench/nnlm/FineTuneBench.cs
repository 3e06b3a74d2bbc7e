using System.Diagnostics;
using System.Runtime.InteropServices;
using Lmev.Bench;
using Lmev.Models;
using Lmev.Pipeline.Csv;
using Lmev.Training;

namespace Lmev.Bench.Nnlm;

/// <summary>
/// Fine-tune against frozen on the same real titles, with a random table of the NNLM modules' shape
/// (no vocabulary, 976,640 OOV buckets, dim 128: every token hashes to a bucket row).
/// <para>
/// Rows: the first <c>--rows</c> titles of <c>../shared/data/meli2019-es-titles.csv.gz</c> (random
/// order); the last 5 % are the validation set, as Keras' validation_split held them out, so
/// early stopping's best-weights snapshot is part of what is measured. Classes are numbered in
/// order of first appearance. The study's protocol otherwise (TrainingParams defaults: Dense 512
/// ×2, dropout 0.25, Adam 1e-3, batch 4096), for <c>--epochs</c> epochs.
/// </para>
/// <para>
/// Figures per phase: each epoch's seconds (training steps plus the validation pass), s/step
/// (epoch seconds / steps), the peak RSS (VmHWM, reset at the start of the phase) and its ratio to
/// the table's bytes, and the growth of the peak over the RSS at the start of the phase (the
/// runtime, libtorch and the token ids are already there). Frozen's peak covers training only;
/// the embedding pass is timed apart.
/// </para>
/// </summary>
internal static class FineTuneBench
{
    private const int Buckets = 976_640, Dim = 128;
    private const string DataPath = "../shared/data/meli2019-es-titles.csv.gz";
    private const long TableBytes = (long)Buckets * Dim * sizeof(float);

    public static int Run(BenchArgs args)
    {
        int rows = args.Int("--rows", 100_000), epochs = args.Int("--epochs", 2), threads = args.Int("--threads", 0);
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
        var parameters = new TrainingParams { MaxEpochs = epochs, Threads = threads, UseCuda = cuda, Seed = 1, SnapshotPath = snapshot };
        var device = TorchRuntime.SelectDevice(cuda);
        var clock = Stopwatch.StartNew();
        var (titles, labels, classes) = ReadTitles(rows);
        var tokenizer = new NnlmTokenizer([], Buckets, new NnlmTokenizerOptions(Normalize: true));
        int validationRows = titles.Count / 20, trainRows = titles.Count - validationRows;
        var train = tokenizer.Bags(titles.GetRange(0, trainRows));
        var validation = tokenizer.Bags(titles.GetRange(trainRows, validationRows));
        int[] trainLabels = labels[..trainRows], validationLabels = labels[trainRows..];
        int steps = (trainRows + parameters.BatchSize - 1) / parameters.BatchSize;
        Console.WriteLine($"{titles.Count:N0} titles ({trainRows:N0} train, {validationRows:N0} validation, {classes:N0} classes, " +
                          $"{train.Ids.Length:N0} training tokens) read and tokenised in {clock.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"table {Buckets:N0} × {Dim} float32 = {ProcessMemory.Mb(TableBytes)}; batch {parameters.BatchSize}, " +
                          $"{steps} steps/epoch, {epochs} epochs; device {TorchRuntime.DeviceName(device)}; " +
                          $"{Environment.ProcessorCount} logical CPUs; load average {LoadAverage()}");

        clock.Restart();
        var (trainX, validationX) = EmbedWithRandomTable(train, validation);
        Console.WriteLine($"frozen: table built and rows embedded in C# in {clock.Elapsed.TotalSeconds:F1} s");
        var frozen = Phase("frozen", steps, () => Trainer.Train(trainX, trainLabels, validationX, validationLabels, classes, parameters));
        var fineTune = Phase("fine-tune", steps, () => Trainer.FineTune(RandomTable, train, trainLabels, validation, validationLabels, classes, parameters));
        const string Bench = "nnlm-finetune";
        var tableMiB = TableBytes / 1048576.0;
        BenchFigure.Print(Bench, $"fine-tune seconds/epoch (last of {epochs}), {titles.Count:N0} titles", fineTune.EpochSeconds, "s",
            "frozen seconds/epoch (last), same rows", frozen.EpochSeconds);
        BenchFigure.Print(Bench, "fine-tune peak RSS", fineTune.PeakBytes / 1048576.0, "MiB", $"NNLM table {Buckets:N0} x {Dim} float32", tableMiB);
        BenchFigure.Print(Bench, "frozen peak RSS (training only)", frozen.PeakBytes / 1048576.0, "MiB", $"NNLM table {Buckets:N0} x {Dim} float32", tableMiB);
        Console.WriteLine($"best weights kept {(snapshot is null ? "in memory" : "in a file")}");
        if (snapshot is not null) File.Delete(snapshot);
        return 0;
    }

    /// <returns>the last epoch's seconds and the phase's peak RSS</returns>
    private static (double EpochSeconds, long PeakBytes) Phase<TInput>(string name, int steps, Func<TrainedModel<TInput>> train) where TInput : class
    {
        bool reset = ProcessMemory.ResetPeak();
        long baseline = ProcessMemory.RssBytes();
        using var model = train();
        long peak = ProcessMemory.PeakRssBytes();
        var perEpoch = string.Join(", ", model.Epochs.Select(e => $"{e.Seconds:F1}"));
        var warm = model.Epochs[^1].Seconds;
        Console.WriteLine($"{name,-9}: epochs {perEpoch} s; {warm / steps:F3} s/step (last epoch); " +
                          $"peak RSS {ProcessMemory.Mb(peak)} = {(double)peak / TableBytes:F2} × table; " +
                          $"growth over the phase's start ({ProcessMemory.Mb(baseline)}) {ProcessMemory.Mb(peak - baseline)} = " +
                          $"{(double)(peak - baseline) / TableBytes:F2} × table" + (reset ? "" : " (peak not resettable: since process start)"));
        return (warm, peak);
    }

    /// <summary>BagOfEmbeddingsModel.Random's table (the random-dim128 baseline's distribution), not copied.</summary>
    private static FeatureMatrix RandomTable()
    {
        var model = BagOfEmbeddingsModel.Random(0, Buckets, Dim, seed: 1);
        if (!MemoryMarshal.TryGetArray(model.Table, out var values) || values.Offset != 0 || values.Count != values.Array!.Length)
            throw new InvalidOperationException("BagOfEmbeddingsModel.Table is expected to wrap a whole array.");
        return new FeatureMatrix(values.Array, Buckets, Dim);
    }

    /// <summary>sqrtn pooling in C#: the sum of a row's token vectors over √count; an empty row is zeros.</summary>
    private static (FeatureMatrix Train, FeatureMatrix Validation) EmbedWithRandomTable(TokenBags train, TokenBags validation)
    {
        var table = RandomTable().Values;
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
