using Lmev.Models.TensorFlow.Protos;
using Lmev.Pipeline;
using Ref = Lmev.Models.TensorFlow.GraphView.Ref;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// One walk of one path from a string input to its output (<see cref="NnlmGraphReader"/>: a signature's, or the object graph's
/// <c>__call__</c> function's): which ops stand on it, and what each says of the recipe. The op sets below are what it recognises; anything else on the path is an error naming it.
/// </summary>
internal sealed partial class NnlmGraphWalk(GraphView view, Ref input, Ref output, IReadOnlySet<string> checkpointKeys)
{
    /// <summary>Ops lmev applies itself (their attributes become the recipe).</summary>
    private static readonly HashSet<string> RecipeOps = new(StringComparer.Ordinal)
    {
        "StaticRegexReplace", "RegexReplace", "StringLower", "StringUpper", "StringSplit", "StringSplitV2", "SparseFillEmptyRows",
        "LookupTableFindV2", "LookupTableFind", "StringToHashBucketFast", "ResourceGather", "GatherV2", "Gather",
        "DynamicPartition", "ParallelDynamicStitch", "DynamicStitch",
        "SparseSegmentSqrtN", "SparseSegmentSqrtNWithNumSegments", "SparseSegmentMean", "SparseSegmentMeanWithNumSegments",
        "SparseSegmentSum", "SparseSegmentSumWithNumSegments",
    };

    /// <summary>
    /// Ops that move, reshape, select, cast or count what the recipe ops produce, as TensorFlow's own Python builds them around
    /// those ops (string_split, RaggedTensor.to_sparse, sparse_fill_empty_rows, sparse_reset_shape, the lookup tables'
    /// OOV selection, embedding_lookup's partition arithmetic, safe_embedding_lookup_sparse); not one of them may touch
    /// the embedding values themselves (see <see cref="ValueOps"/>).
    /// </summary>
    private static readonly HashSet<string> PlumbingOps = new(StringComparer.Ordinal)
    {
        "Placeholder", "Reshape", "Shape", "ShapeN", "Size", "Rank", "StridedSlice", "Slice", "Cast", "Pack", "Unpack", "ConcatV2",
        "ExpandDims", "Squeeze", "Fill", "ZerosLike", "OnesLike", "Tile", "Range", "Prod", "Max", "Min", "Sum", "Maximum", "Minimum",
        "Add", "AddV2", "Sub", "Mul", "FloorDiv", "FloorMod", "Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual",
        "LogicalAnd", "LogicalOr", "LogicalNot", "Where", "Select", "SelectV2", "Unique", "UniqueV2", "SparseReshape",
        "RaggedTensorToSparse", "Bincount", "DenseBincount", "Cumsum", "BroadcastTo", "BroadcastArgs", "LookupTableSizeV2", "LookupTableSize",
    };

    /// <summary>What may stand between a gather and the output: ops that pick, stitch, combine, reshape or cast the rows.</summary>
    private static readonly HashSet<string> ValueOps = new(StringComparer.Ordinal)
    {
        "ResourceGather", "GatherV2", "Gather", "ParallelDynamicStitch", "DynamicStitch",
        "SparseSegmentSqrtN", "SparseSegmentSqrtNWithNumSegments", "SparseSegmentMean", "SparseSegmentMeanWithNumSegments",
        "SparseSegmentSum", "SparseSegmentSumWithNumSegments", "Reshape", "Select", "SelectV2", "Cast", "ExpandDims", "Squeeze",
    };

    private static readonly HashSet<string> RewriteOps = new(StringComparer.Ordinal) { "StaticRegexReplace", "RegexReplace", "StringLower", "StringUpper" };

    /// <summary>Ops a string passes through unchanged (a reshape of the batch), on its way to the split or the lookup.</summary>
    private static readonly HashSet<string> StringPassOps = new(StringComparer.Ordinal) { "Reshape", "ExpandDims", "Squeeze" };

    private readonly Dictionary<(int, string), bool> _depends = [];
    private readonly Dictionary<(int, string), bool> _values = [];
    private readonly Dictionary<(int, string), int> _depth = [];
    private readonly Ref _input = view.Resolve(input);

    public NnlmRecipe Recipe(string label, string route)
    {
        var path = PathNodes();
        foreach (var r in path.Where(r => r.Key != _input.Key && !RecipeOps.Contains(r.Op) && !PlumbingOps.Contains(r.Op)))
            throw view.Error(r, $"is on the path from the model's input to its output ({route}), and lmev does not model the op {r.Op}. " +
                "lmev reads a text embedding's preprocessing from its graph and applies it itself; this model needs an op it cannot apply");
        foreach (var r in path.Where(r => DependsOnValues(r) && !ValueOps.Contains(r.Op)))
            throw view.Error(r, $"changes the embedding rows after the lookup with the op {r.Op}; lmev models only gathering, stitching, " +
                "combining (SparseSegment*), reshaping, casting and zeroing empty rows there");

        var split = Single(path, "the split (StringSplit or StringSplitV2)", r => r.Op is "StringSplit" or "StringSplitV2");
        var rewrites = StringChain(view.Input(split, 0), stopAt: _input.Key, "the titles before the split");
        var splitRule = SplitRule(split);

        var lookup = Single(path, "the vocabulary lookup (LookupTableFindV2)", r => r.Op is "LookupTableFindV2" or "LookupTableFind");
        var tokenRewrites = StringChain(view.Input(lookup, 1), stopAt: split.Key, "the tokens between the split and the lookup", splitOutput: true);
        var vocabulary = Vocabulary(lookup);
        var buckets = path.Where(r => r.Op == "StringToHashBucketFast").Select(r => (r, n: Attr(r, "num_buckets").I)).ToList();
        if (buckets.Count == 0)
            throw view.Error(lookup, "looks tokens up, but no StringToHashBucketFast on the path hashes the tokens it does not find; " +
                "lmev models a table with OOV buckets (StaticVocabularyTable's num_oov_buckets) only");
        if (buckets.Select(b => b.n).Distinct().Count() > 1)
            throw view.Error(buckets[1].r, $"hashes into {buckets[1].n} buckets, {buckets[0].r.Where} into {buckets[0].n}; expected one OOV rule");

        var (fillEmptyRows, fillToken) = Fill(path);
        var (parts, strategy) = Table(path);
        var combinerNode = Single(path, "the combiner (SparseSegmentSqrtN, SparseSegmentMean or SparseSegmentSum)", r => r.Op.StartsWith("SparseSegment", StringComparison.Ordinal));
        var combiner = combinerNode.Op.Replace("WithNumSegments", "", StringComparison.Ordinal) switch
        {
            "SparseSegmentSqrtN" => BagOfEmbeddingsSpec.SqrtN,
            "SparseSegmentMean" => BagOfEmbeddingsSpec.Mean,
            _ => BagOfEmbeddingsSpec.Sum,
        };
        var tokenizer = new NnlmTokenizerOptions(Normalize: false, KeepEmptyTokens: !splitRule.SkipEmpty, FillEmptyRows: fillEmptyRows)
        {
            Rewrites = rewrites,
            Split = splitRule,
            TokenRewrites = tokenRewrites,
            FillToken = fillToken,
        };
        return new NnlmRecipe(label, true, tokenizer, vocabulary, buckets[0].n, parts, strategy, combiner, $"{combinerNode.Node.Name}") { Route = route };
    }

    /// <summary>The resolved nodes that the output reads and that read the input.</summary>
    private List<Ref> PathNodes()
    {
        var result = new List<Ref>();
        var seen = new HashSet<(int, string)>();
        var pending = new Stack<Ref>([view.Resolve(output)]);
        while (pending.TryPop(out var r))
        {
            if (!seen.Add(r.Key) || !Depends(r)) continue;
            result.Add(r);
            foreach (var i in view.Inputs(r)) pending.Push(view.Resolve(i));
        }
        if (!seen.Contains(_input.Key))
            throw view.Error(_input, "is the model's input, but its output does not depend on it");
        return result.OrderBy(Depth).ToList();
    }

    private bool Depends(Ref r)
    {
        if (r.Key == _input.Key) return true;
        if (_depends.TryGetValue(r.Key, out var known)) return known;
        _depends[r.Key] = false; // a cycle reads as "no"
        var result = view.Inputs(r).Any(i => Depends(view.Resolve(i)));
        _depends[r.Key] = result;
        return result;
    }

    /// <summary>Steps from the input along the path (shortest), to order ops.</summary>
    private int Depth(Ref r)
    {
        if (r.Key == _input.Key) return 0;
        if (_depth.TryGetValue(r.Key, out var d)) return d;
        _depth[r.Key] = int.MaxValue / 2;
        var inputs = view.Inputs(r).Select(view.Resolve).Where(Depends).ToList();
        d = inputs.Count == 0 ? int.MaxValue / 2 : inputs.Min(Depth) + 1;
        _depth[r.Key] = d;
        return d;
    }

    /// <summary>Whether the node carries embedding values: it is a gather, or reads one other than through its shape.</summary>
    private bool DependsOnValues(Ref r)
    {
        if (r.Op is "ResourceGather" or "GatherV2" or "Gather") return true;
        if (r.Op is "Shape" or "ShapeN" or "Size" or "Rank" or "ZerosLike" or "OnesLike") return false;
        if (_values.TryGetValue(r.Key, out var known)) return known;
        _values[r.Key] = false;
        var result = view.Inputs(r).Select(view.Resolve).Any(i => Depends(i) && DependsOnValues(i));
        _values[r.Key] = result;
        return result;
    }

    private Ref Single(List<Ref> path, string what, Func<Ref, bool> match)
    {
        var found = path.Where(match).ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new LmevException($"{view.Path}: no {what} on the path from the model's input to its output " +
                $"(ops on it: {string.Join(", ", path.Select(r => r.Op).Distinct().Order(StringComparer.Ordinal))}); lmev cannot tell how this model embeds a title."),
            _ => throw new LmevException($"{view.Path}: {found.Count} nodes are {what} on the path: {string.Join("; ", found.Select(f => f.Where))}; lmev models one."),
        };
    }

    /// <summary>
    /// Walks from <paramref name="start"/> back to <paramref name="stopAt"/> through the ops a string goes through,
    /// collecting the rewrites in the order the graph applies them; anything else there is an error.
    /// </summary>
    private List<TextRewrite> StringChain(Ref start, (int, string) stopAt, string what, bool splitOutput = false)
    {
        var rewrites = new List<TextRewrite>();
        var r = view.Resolve(start);
        for (var guard = 0; guard < 1000; guard++)
        {
            if (r.Key == stopAt)
            {
                if (splitOutput && r.Output != 1) throw view.Error(r, $"output {r.Output} is looked up; expected output 1, the tokens");
                rewrites.Reverse();
                return rewrites;
            }
            if (RewriteOps.Contains(r.Op)) rewrites.Add(Rewrite(r));
            else if (r.Op == "SparseFillEmptyRows" && r.Output == 1) { r = view.Resolve(view.Input(r, 1)); continue; }
            else if (r.Op == "RaggedTensorToSparse" && r.Output == 1) { r = view.Resolve(view.Inputs(r)[^1]); continue; }
            else if (!StringPassOps.Contains(r.Op))
                throw view.Error(r, $"stands between {(splitOutput ? "the split" : "the model's input")} and {(splitOutput ? "the lookup" : "the split")} " +
                    $"({what}), and lmev does not model what {r.Op} does to a string");
            r = view.Resolve(view.Input(r, 0));
        }
        throw view.Error(r, "the chain of string ops does not end");
    }

    private TextRewrite Rewrite(Ref r)
    {
        switch (r.Op)
        {
            case "StaticRegexReplace":
                return new TextRewrite(TextRewrite.Regex, Attr(r, "pattern").S.ToStringUtf8(), Attr(r, "rewrite").S.ToStringUtf8(),
                    Bool(r, "replace_global", true), Node: r.Node.Name);
            case "RegexReplace":
                var pattern = GraphView.Strings(view.Resolve(view.Input(r, 1))) is [var p] ? p : throw view.Error(r, "its pattern is not a constant string; lmev needs to know it");
                var rewrite = GraphView.Strings(view.Resolve(view.Input(r, 2))) is [var w] ? w : throw view.Error(r, "its rewrite is not a constant string; lmev needs to know it");
                return new TextRewrite(TextRewrite.Regex, pattern, rewrite, Bool(r, "replace_global", true), Node: r.Node.Name);
            default:
                var encoding = r.Node.Attr.TryGetValue("encoding", out var e) ? e.S.ToStringUtf8() : "";
                return new TextRewrite(r.Op == "StringLower" ? TextRewrite.Lower : TextRewrite.Upper, Encoding: encoding, Node: r.Node.Name);
        }
    }

    private SplitRule SplitRule(Ref split)
    {
        var delimiter = GraphView.Strings(view.Resolve(view.Input(split, 1))) is [var d] ? d
            : throw view.Error(split, "its delimiter is not a constant string; lmev needs to know it");
        var rule = split.Op == "StringSplit"
            ? new SplitRule(Models.SplitRule.V1, delimiter, Bool(split, "skip_empty", true), Node: split.Node.Name)
            : new SplitRule(Models.SplitRule.V2, delimiter, SkipEmpty: delimiter.Length == 0,
                MaxSplit: split.Node.Attr.TryGetValue("maxsplit", out var m) ? (int)m.I : -1, Node: split.Node.Name);
        if (rule.Unsupported() is { } why) throw view.Error(split, $"lmev does not model {why}");
        return rule;
    }

    private (bool Fill, string Token) Fill(List<Ref> path)
    {
        var fills = path.Where(r => r.Op == "SparseFillEmptyRows").ToList(); // in path order: the first one meets the empty rows
        if (fills.Count == 0) return (false, "");
        var first = fills[0];
        var value = view.Resolve(view.Input(first, 3));
        if (GraphView.Strings(value) is [var token]) return (true, token);
        // An id: TF1's export fills with lookup(""), so the token is the one string constant it is computed from.
        var strings = Closure(value).Select(GraphView.Strings).OfType<IReadOnlyList<string>>().SelectMany(s => s).Distinct().ToList();
        if (strings.Count == 1) return (true, strings[0]);
        if (strings.Count == 0 && GraphView.Int(value) is not null) return (false, ""); // safe_embedding_lookup_sparse's id 0, zeroed after
        throw view.Error(first, $"fills empty rows with {value.Where}, which lmev cannot trace to one token");
    }

    private IEnumerable<Ref> Closure(Ref from)
    {
        var seen = new HashSet<(int, string)>();
        var pending = new Stack<Ref>([from]);
        while (pending.TryPop(out var r))
        {
            if (!seen.Add(r.Key)) continue;
            yield return r;
            foreach (var i in view.Inputs(r)) pending.Push(view.Resolve(i));
        }
    }

    private AttrValue Attr(Ref r, string name) =>
        r.Node.Attr.TryGetValue(name, out var v) ? v : throw view.Error(r, $"has no attribute '{name}'");

    private static bool Bool(Ref r, string name, bool fallback) => r.Node.Attr.TryGetValue(name, out var v) ? v.B : fallback;
}
