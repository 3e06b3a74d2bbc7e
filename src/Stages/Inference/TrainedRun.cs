using Lmev.Contracts;
using Lmev.Pipeline;

namespace Lmev.Inference;

/// <summary>What a run's classifier takes a title through, besides its weights.</summary>
public enum RunKind
{
    /// <summary>fastText's dictionary (the run's own vocabulary.txt, word n-gram hashing), the mean of the rows, one linear layer.</summary>
    FastText,

    /// <summary>The Model entry's tokeniser, the run's own (fine-tuned) table pooled by the model's combiner, the MLP.</summary>
    FineTune,

    /// <summary>The Model entry's tokeniser and table as the Embed step ran them (ONNX Runtime), the MLP on those vectors.</summary>
    FrozenBag,

    /// <summary>A sentence-transformers encoder as the Embed step ran it (WordPiece, mean pooling, L2), the MLP on those vectors.</summary>
    FrozenTransformer,
}

/// <summary>How the Embed step turned a frozen run's titles into vectors (its entry's parameters).</summary>
/// <param name="BatchSize">Titles per call: the Embed step embedded each split in consecutive batches of this many.</param>
public sealed record EmbedSettings(string Kind, int BatchSize, int MaxTokens, bool L2Normalize);

/// <summary>
/// A trained run found through the links its files record: its published folder under saved_models/, the Train entry its
/// <c>.lmev-published.json</c> names, and through that entry's manifest the upstream entries that hold its class names (Split),
/// its tokeniser and table (Model), and for a frozen run how its vectors were made (Embed). Every path here was checked to exist.
/// </summary>
/// <param name="Folder">saved_models/&lt;experiment&gt;/&lt;model&gt;/run-k/</param>
/// <param name="Weights">The run's model.dat.</param>
/// <param name="Classes">Class names by label, from the split's classes.csv.</param>
/// <param name="Vocabulary">fasttext: the run's vocabulary.txt; otherwise the Model entry's tokens.txt or vocab.txt.</param>
/// <param name="ModelFile">The Model entry's model.onnx (null for fasttext).</param>
/// <param name="Embed">Frozen runs: the Embed entry's settings.</param>
/// <param name="TrainEntry">"train/KEY", for messages and the export's metadata.</param>
public sealed record TrainedRun(
    string Experiment,
    string Model,
    int Run,
    string Folder,
    RunKind Kind,
    RunParameters Parameters,
    RunMetrics Metrics,
    string Weights,
    IReadOnlyList<string> Classes,
    string Vocabulary,
    string? ModelFile,
    EmbedSettings? Embed,
    string TrainEntry)
{
    /// <summary>"demo/fasttext run-1".</summary>
    public string Name => $"{Experiment}/{Model} run-{Run}";

    /// <summary>The `lmev` arguments that choose this run.</summary>
    public string Slice => $"--experiment {Experiment} --model {Model} --run {Run}";

    /// <summary>Titles per batch that reproduce the run's own scoring of its test split: training's batch size.</summary>
    public int BatchSize => Parameters.Train.BatchSize;
}

/// <summary>Which run of a model: its number, or the best by validation balanced accuracy.</summary>
public sealed record RunChoice(int? Number)
{
    public static readonly RunChoice Best = new((int?)null);

    public static RunChoice Parse(string text) =>
        text == "best" ? Best
        : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var k) && k >= 1 ? new RunChoice(k)
        : throw new LmevException($"--run {text}: expected a run number (1, 2, …) or 'best' (the run with the highest validation balanced accuracy)");

    public override string ToString() => Number is { } k ? k.ToString(System.Globalization.CultureInfo.InvariantCulture) : "best";
}
