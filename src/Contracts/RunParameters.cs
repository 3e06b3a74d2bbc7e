using System.Text.Json;
using System.Text.Json.Serialization;
using Lmev.Pipeline;

namespace Lmev.Contracts;

/// <summary>
/// <c>params.json</c> of a training run, beside its weights: the run's settings and labels as one flat object (<see cref="Train"/>),
/// the libtorch threads it trained on and its number of classes. Written by Train, read by `lmev predict` and `lmev export-onnx`,
/// which rebuild the run's classifier from it. A format of its own, stable for readers: it does not follow the Train stage's key.
/// </summary>
public sealed record RunParameters(RunConfiguration Train, int Threads, int Classes)
{
    public const string FileName = "params.json";

    /// <summary>As Train writes it: camelCase, indented, in the records' order. Unknown members are ignored on reading.</summary>
    public static readonly JsonSerializerOptions Json = new(CanonicalJson.Indented)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Write(string path) => File.WriteAllText(path, ToJson() + "\n");

    /// <summary>Reads a params.json; an error names the file, the line and the JSON path.</summary>
    public static RunParameters Read(string path) => JsonFile.Read<RunParameters>(path, Json, $"the {FileName} of a training run");
}

/// <summary>
/// A run's settings and labels. For a fasttext run (<see cref="Mode"/> <c>supervised</c>) the MLP's fields carry fastText's
/// epochs, batch size and rate, with no dropout, hidden layer or patience, and <see cref="FastText"/> holds its settings.
/// </summary>
/// <param name="Dim">Embedding width (the table's, the frozen vectors', or fastText's).</param>
/// <param name="Mode">frozen, fine-tune or supervised (fastText).</param>
/// <param name="BatchSize">Rows per step; the test split was scored in batches of this size too.</param>
/// <param name="Hidden">Width of the MLP's two hidden layers (0 for fastText).</param>
public sealed record RunConfiguration(
    string Experiment,
    string Model,
    string Language,
    int Dim,
    bool Normalization,
    string Mode,
    int Run,
    long Seed,
    int Epochs,
    int BatchSize,
    double Dropout,
    int Hidden,
    double LearningRate,
    int Patience)
{
    /// <summary>A fasttext run's settings; absent for the MLP's runs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FastTextConfiguration? FastText { get; init; }
}

/// <summary>fastText's settings as a run records them (fastText's <c>args.cc</c> names: -lr, -epoch, -dim, -wordNgrams, -bucket, -minCount).</summary>
/// <param name="HashedRows">Rows of the table after the vocabulary's: <see cref="Buckets"/> with word n-grams, 0 without.</param>
public sealed record FastTextConfiguration(
    double LearningRate,
    int Epochs,
    int Dim,
    int WordNgrams,
    int Buckets,
    int MinCount,
    int BatchSize,
    int HashedRows);
