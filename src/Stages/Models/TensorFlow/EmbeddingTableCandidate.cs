using System.Globalization;
using System.Text.RegularExpressions;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// A checkpoint tensor that could be a text embedding's table: a 2-D numeric tensor, or the partitions of one
/// (<c>…/part_K</c> or <c>…/sharded_K</c>, each 2-D with the same width), which are rows of one table
/// concatenated along axis 0 in the order of K. A variable saved in slices by a TF1 Saver is one tensor here:
/// the reader assembles its slices.
/// </summary>
/// <param name="Name">The key, or for partitions the key with <c>/part_*</c> in place of the index.</param>
/// <param name="Parts">The tensors whose rows, in this order, are the table's.</param>
public sealed partial record EmbeddingTableCandidate(string Name, IReadOnlyList<BundleTensor> Parts, long Rows, int Dim)
{
    /// <summary>float32 or float64 (which the import converts to float32).</summary>
    public string DTypeName => Parts[0].DTypeName;

    public override string ToString() => Parts.Count == 1
        ? $"'{Name}' {DTypeName} [{Rows:N0}, {Dim}]"
        : $"'{Name}' {DTypeName} [{Rows:N0}, {Dim}] in {Parts.Count} partitions";

    /// <summary>Whether lmev can read the table: float32, or float64 converted.</summary>
    public bool IsFloat => Parts[0].DType is (int)TensorDType.Float or (int)TensorDType.Double;

    /// <summary>Any 2-D numeric tensor: one of another dtype is still listed, so that the error can name its dtype.</summary>
    private static bool IsMatrix(BundleTensor t) => t.DType != (int)TensorDType.String && t.Shape.Length == 2 && t.Shape[0] > 0 && t.Shape[1] > 0;

    /// <summary>
    /// Every candidate table of a checkpoint, whatever its size. Optimizer slots (TF2's <c>.OPTIMIZER_SLOT</c>
    /// keys: Adam's moments of a table have its shape) are not weights and are left out.
    /// </summary>
    public static IReadOnlyList<EmbeddingTableCandidate> FindAll(IEnumerable<BundleTensor> tensors)
    {
        var result = new List<EmbeddingTableCandidate>();
        var partitions = new Dictionary<string, List<(int Index, BundleTensor Tensor)>>(StringComparer.Ordinal);
        foreach (var t in tensors.Where(IsMatrix).Where(t => !t.Key.Contains(".OPTIMIZER_SLOT", StringComparison.Ordinal)))
        {
            var m = PartitionKey().Match(t.Key);
            if (!m.Success)
            {
                result.Add(new EmbeddingTableCandidate(t.Key, [t], t.Shape[0], checked((int)t.Shape[1])));
                continue;
            }
            var name = $"{m.Groups["base"].Value}/{m.Groups["kind"].Value}_*{m.Groups["rest"].Value}";
            if (!partitions.TryGetValue(name, out var parts)) partitions[name] = parts = [];
            parts.Add((int.Parse(m.Groups["index"].Value, CultureInfo.InvariantCulture), t));
        }
        foreach (var (name, parts) in partitions)
        {
            var ordered = parts.OrderBy(p => p.Index).ToList();
            var complete = ordered.Select(p => p.Index).SequenceEqual(Enumerable.Range(0, ordered.Count));
            var sameWidth = ordered.All(p => p.Tensor.Shape[1] == ordered[0].Tensor.Shape[1] && p.Tensor.DType == ordered[0].Tensor.DType);
            if (complete && sameWidth)
                result.Add(new EmbeddingTableCandidate(name, ordered.Select(p => p.Tensor).ToList(), ordered.Sum(p => p.Tensor.Shape[0]), checked((int)ordered[0].Tensor.Shape[1])));
            else // not one table after all: each part stands alone
                result.AddRange(ordered.Select(p => new EmbeddingTableCandidate(p.Tensor.Key, [p.Tensor], p.Tensor.Shape[0], checked((int)p.Tensor.Shape[1]))));
        }
        return result.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    [GeneratedRegex(@"^(?<base>.+?)/(?<kind>part|sharded)_(?<index>\d+)(?<rest>/.*)?$")]
    private static partial Regex PartitionKey();
}
