using Google.Protobuf;
using Lmev.Models.TensorFlow.Protos;
using Lmev.Pipeline;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// Reads what lmev needs from a SavedModel's graph (saved_model.pb: SavedModel.meta_graphs →
/// MetaGraphDef.graph_def → GraphDef.node and GraphDef.library.function[].node_def), for both TF2
/// SavedModels and TF1 hub modules, without TensorFlow.
/// </summary>
public static class SavedModelGraph
{
    public const string HashBucketOp = "StringToHashBucketFast";

    /// <summary>
    /// The <c>num_buckets</c> of every StringToHashBucketFast node, in the graphs and in their library
    /// functions (TF2 keeps the model's ops inside functions), in file order. The NNLM modules hash
    /// out-of-vocabulary words into that many extra rows of the embedding table.
    /// </summary>
    public static IReadOnlyList<long> HashBucketCounts(string savedModelPbPath)
    {
        var model = Read(savedModelPbPath);
        var counts = new List<long>();
        foreach (var meta in model.MetaGraphs)
        {
            if (meta.GraphDef is null) continue;
            var nodes = meta.GraphDef.Node.Select(n => (Where: "graph", Node: n))
                .Concat((meta.GraphDef.Library?.Function ?? []).SelectMany((f, i) => f.NodeDef.Select(n => (Where: $"library function {i}", Node: n))));
            foreach (var (where, node) in nodes.Where(x => x.Node.Op == HashBucketOp))
            {
                if (!node.Attr.TryGetValue("num_buckets", out var attr) || attr.ValueCase != AttrValue.ValueOneofCase.I)
                    throw new LmevException($"{savedModelPbPath}: {HashBucketOp} node \"{node.Name}\" ({where}) expected an integer attribute num_buckets, found {(attr is null ? "none" : attr.ValueCase.ToString())}.");
                counts.Add(attr.I);
            }
        }
        return counts;
    }

    internal static SavedModel Read(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return SavedModel.Parser.ParseFrom(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LmevException($"{path}: cannot read ({e.Message}); expected a SavedModel's saved_model.pb.", e);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LmevException($"{path}: expected a SavedModel protocol buffer (saved_model.pb), found bytes that do not parse ({e.Message}).", e);
        }
    }
}
