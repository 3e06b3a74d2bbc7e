using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>
/// NNLM-shaped TF-Hub models written by the tests: <c>assets/tokens.txt</c>, a checkpoint holding one
/// [tokens + OOV buckets, dim] table (whole, or partitioned as a TF1 Saver saves it: slices of one key; float32 or
/// float64), a <c>saved_model.pb</c> whose graph is the recipe (<see cref="NnlmGraphBuilder"/>: TF1's export.py for a
/// hub module, TF2's export_v2.py otherwise, unless told), and for the TF1 layout a <c>tfhub_module.pb</c>. With
/// <c>legacyGraph</c> the graph holds only StringToHashBucketFast nodes and no signature (lmev then falls back to its
/// layout rules), and partitions are separate <c>part_K</c> keys. The table's values are known, in id order, so tests
/// can compute embeddings by hand.
/// </summary>
public static class NnlmTestModel
{
    /// <summary>A vocabulary with accents, digits, a capitalised word and the empty token (line 3).</summary>
    public static readonly string[] Tokens = ["de", "zapatillas", "niño", "", "canción", "Nike", "rojo", "12", "para", "mesa"];

    public enum Table { Whole, Partitions, Slices }

    public sealed record Built(string Directory, float[] Values, IReadOnlyList<string> Tokens, int OovBuckets, int Dim, bool HubModule, NnlmGraphSpec? Graph = null);

    /// <param name="graphBuckets">The num_buckets the graph declares; default: the true OOV bucket count.</param>
    /// <param name="extra">Adds more tensors to the checkpoint (a second candidate table, an odd dtype).</param>
    /// <param name="graph">The recipe the graph holds; default: TF1's export.py (hub module) or TF2's export_v2.py, normalising when <paramref name="normalize"/>.</param>
    public static Built Write(string directory, int dim = 8, int oovBuckets = 7, bool hubModule = false, Table table = Table.Whole,
        bool float64 = false, IReadOnlyList<string>? tokens = null, long? graphBuckets = null, int rowsShort = 0,
        Action<Lmev.Tests.Models.TensorFlow.TensorBundleWriter>? extra = null, bool writeTokens = true, int seed = 1,
        bool normalize = false, NnlmGraphSpec? graph = null, bool legacyGraph = false)
    {
        if (!legacyGraph)
        {
            graph ??= hubModule ? NnlmGraphSpec.Tf1(normalize) : NnlmGraphSpec.Tf2Export(normalize);
            if (table != Table.Whole && graph.Partitions == 1) graph = graph with { Partitions = table == Table.Partitions ? 3 : 2, Strategy = table == Table.Partitions ? "mod" : "div" };
            if (float64) graph = graph with { Float64 = true };
        }
        tokens ??= Tokens;
        Directory.CreateDirectory(Path.Combine(directory, "variables"));
        Directory.CreateDirectory(Path.Combine(directory, "assets"));
        if (writeTokens)
            File.WriteAllText(Path.Combine(directory, "assets", "tokens.txt"), string.Concat(tokens.Select(t => t + "\n")), new UTF8Encoding(false));
        var rows = tokens.Count + oovBuckets - rowsShort;
        var random = new Random(seed);
        var values = Enumerable.Range(0, rows * dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

        var writer = new TensorBundleWriter(Path.Combine(directory, "variables", "variables"), numShards: table == Table.Partitions ? 2 : 1);
        if (graph is not null)
        {
            if (graph.Partitions == 1 && float64) writer.AddFloat64(graph.Key, [rows, dim], values.Select(v => (double)v).ToArray());
            else if (graph.Partitions == 1) writer.AddFloat32(graph.Key, [rows, dim], values);
            else
            {
                if (float64) throw new NotSupportedException("the test writer slices float32 tables only");
                // A TF1 Saver stores a partitioned variable as slices of one key, partition p's rows at its slice; row l of
                // partition p holds the id the strategy sends there.
                var sizes = Enumerable.Range(0, graph.Partitions).Select(p => graph.PartRows(rows, p)).ToArray();
                var stored = new float[values.Length];
                var at = 0L;
                for (var p = 0; p < graph.Partitions; p++)
                    for (long l = 0; l < sizes[p]; l++, at++)
                        Array.Copy(values, graph.Global(rows, p, l) * dim, stored, at * dim, dim);
                writer.AddPartitionedFloat32(graph.Key, [rows, dim], stored, axis: 0, sizes);
            }
        }
        else
        {
            var key = hubModule ? "module/embeddings" : "embeddings/.ATTRIBUTES/VARIABLE_VALUE";
            switch (table)
            {
                case Table.Whole when float64:
                    writer.AddFloat64(key, [rows, dim], values.Select(v => (double)v).ToArray());
                    break;
                case Table.Whole:
                    writer.AddFloat32(key, [rows, dim], values);
                    break;
                case Table.Partitions:
                    // Three partitions of unequal size, listed out of order, the last one in the second shard.
                    var sizes = new[] { rows / 3, rows / 3, rows - 2 * (rows / 3) };
                    var at = 0;
                    var parts = new List<(int K, float[] Part)>();
                    for (var k = 0; k < 3; k++)
                    {
                        parts.Add((k, values[(at * dim)..((at + sizes[k]) * dim)]));
                        at += sizes[k];
                    }
                    foreach (var (k, part) in parts.OrderByDescending(p => p.K))
                        if (float64) writer.AddFloat64($"module/embeddings/part_{k}", [part.Length / dim, dim], part.Select(v => (double)v).ToArray(), shard: k == 2 ? 1 : 0);
                        else writer.AddFloat32($"module/embeddings/part_{k}", [part.Length / dim, dim], part, shard: k == 2 ? 1 : 0);
                    break;
                case Table.Slices when float64:
                    throw new NotSupportedException("the test writer slices float32 tables only");
                case Table.Slices:
                    writer.AddPartitionedFloat32(key, [rows, dim], values, axis: 0, [rows / 2, rows - rows / 2]);
                    break;
            }
        }
        writer.AddInt64("global_step", [], [1000]);
        extra?.Invoke(writer);
        writer.Finish();

        var buckets = graphBuckets ?? oovBuckets;
        if (graph is not null) File.WriteAllBytes(Path.Combine(directory, "saved_model.pb"), NnlmGraphBuilder.SavedModel(graph, rows, dim, buckets, tokens.Count));
        else TensorBundleWriter.WriteSavedModel(Path.Combine(directory, "saved_model.pb"), hubModule ? [buckets] : [], hubModule ? [] : [buckets]);
        if (hubModule) File.WriteAllBytes(Path.Combine(directory, "tfhub_module.pb"), [0x08, 0x03]); // ModuleDef { format: 3 }
        return new Built(directory, values, tokens, oovBuckets, dim, hubModule, graph);
    }

    /// <summary>Packs a folder as TF-Hub's <c>?tf-hub-format=compressed</c> does: a gzip tar with directory entries and <c>./</c> names.</summary>
    public static string TarGz(string directory, string archivePath)
    {
        using var file = File.Create(archivePath);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Gnu);
        foreach (var dir in Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            tar.WriteEntry(new GnuTarEntry(TarEntryType.Directory, "./" + Path.GetRelativePath(directory, dir) + "/"));
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            tar.WriteEntry(path, "./" + Path.GetRelativePath(directory, path));
        return archivePath;
    }

    /// <summary>
    /// The embedding of <paramref name="title"/> worked out from the module's rules, independently of lmev's
    /// tokeniser: delete <c>\p{P}</c> when normalising, split on ' ' (TF1 drops empty tokens, then an empty
    /// row gets the token ""), look each token up in tokens.txt or hash it (Fingerprint64 % buckets), and take
    /// the sqrtn sum of the rows.
    /// </summary>
    public static double[] Embedding(Built model, string title, bool normalize)
    {
        if (normalize) title = System.Text.RegularExpressions.Regex.Replace(title, @"\p{P}", "");
        var tokens = title.Split(' ').ToList();
        if (model.HubModule) tokens.RemoveAll(t => t.Length == 0);
        if (tokens.Count == 0) tokens.Add("");
        var result = new double[model.Dim];
        foreach (var token in tokens)
        {
            var index = model.Tokens.ToList().IndexOf(token);
            long row = index >= 0 ? index
                : model.Tokens.Count + (long)(Lmev.Models.FarmHash.Fingerprint64(Encoding.UTF8.GetBytes(token)) % (ulong)model.OovBuckets);
            for (var d = 0; d < model.Dim; d++) result[d] += model.Values[row * model.Dim + d];
        }
        return result.Select(v => v / Math.Sqrt(tokens.Count)).ToArray();
    }
}
