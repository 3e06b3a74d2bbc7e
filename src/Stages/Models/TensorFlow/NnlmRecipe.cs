using System.Text.Json.Serialization;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// What a TF-Hub text embedding does to a title, as read from its graph (or, where the graph cannot say, from lmev's
/// layout rules): the string ops and the split (<see cref="Tokenizer"/>), the vocabulary, the OOV buckets, the
/// variables the lookup gathers from and how ids are spread over them, and the combiner. Recorded in the Model
/// step's manifest and printed by <c>lmev inspect-model</c>.
/// </summary>
/// <param name="Source">Where it was read: the signature and its input and output, or the layout rule and why.</param>
/// <param name="FromGraph">False when the layout and name rules stood in for an unreadable graph.</param>
/// <param name="Parts">The table's variables in partition order (one when not partitioned).</param>
/// <param name="Strategy">How ids are spread over the parts: <c>mod</c> or <c>div</c> (TF's embedding_lookup), null for one part.</param>
/// <param name="NumOovBuckets">StringToHashBucketFast's <c>num_buckets</c>; null when the graph was not read.</param>
public sealed record NnlmRecipe(
    string Source,
    bool FromGraph,
    NnlmTokenizerOptions Tokenizer,
    VocabularySource Vocabulary,
    long? NumOovBuckets,
    IReadOnlyList<TableVariable> Parts,
    string? Strategy,
    string Combiner,
    string? CombinerNode = null)
{
    public const string Mod = "mod", Div = "div";

    /// <summary>The routes to a recipe: a serving signature, the object graph's <c>__call__</c> (a TF2 model saved without signatures), the layout rules.</summary>
    public const string SignatureRoute = "signature", ObjectGraphRoute = "object graph __call__", LayoutRoute = "layout rules";

    /// <summary>Which route the recipe was read by (<see cref="SignatureRoute"/>, <see cref="ObjectGraphRoute"/>, <see cref="LayoutRoute"/>).</summary>
    public string Route { get; init; } = LayoutRoute;
}

/// <summary>
/// Where the lookup table's keys come from: a text file asset read by <c>InitializeTableFromTextFileV2</c>
/// (<see cref="KeyIndex"/> -2: the whole line, ≥ 0: that column split by <see cref="Delimiter"/>; values -1: the line
/// number; <see cref="VocabSize"/> -1: every line), or constant keys of a <c>HashTable</c> (<see cref="Keys"/>, by id).
/// </summary>
public sealed record VocabularySource(
    string Kind,
    string? Asset,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Node = null,
    long KeyIndex = -2,
    long ValueIndex = -1,
    long VocabSize = -1,
    string Delimiter = "\t",
    [property: JsonIgnore] IReadOnlyList<string>? Keys = null)
{
    public const string TextFile = "text-file", Constant = "constant";

    public override string ToString() => Kind == Constant
        ? $"{Keys?.Count ?? 0:N0} constant keys of a HashTable{(Node is null ? "" : $" [{Node}]")}"
        : $"assets/{Asset} (InitializeTableFromTextFileV2 key_index {KeyIndex}{(KeyIndex == -2 ? " = whole line" : "")}, value_index {ValueIndex}" +
          $"{(ValueIndex == -1 ? " = line number" : "")}, vocab_size {VocabSize}{(VocabSize == -1 ? " = every line" : "")}, delimiter {TextRewrite.Quote(Delimiter)})" +
          (Node is null ? "" : $" [{Node}]");
}

/// <summary>One variable the lookup gathers from: its graph node, the checkpoint key that restores it, and the slice of
/// that key it holds (the Saver's <c>shape_and_slices</c>: "" the whole tensor, or "17 8 0,6:-" rows 0–5 of a [17, 8] tensor).</summary>
public sealed record TableVariable(string Node, string Key, string Slice = "");
