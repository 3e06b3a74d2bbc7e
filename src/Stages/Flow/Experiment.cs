using Lmev.Stages.Download;
using Lmev.Stages.FilterSpanish;
using Lmev.Stages.Sample;
using Lmev.Stages.Split;
using Lmev.Pipeline;
using Lmev.Training;
using Lmev.Contracts;

namespace Lmev.Flow;

/// <summary>Where an experiment's rows come from: a source pinned in data.lock.json, or the generated demo.</summary>
/// <param name="Source">Name of an entry of data.lock.json.</param>
/// <param name="Generate">Parameters of the generated demo data (instead of <paramref name="Source"/>).</param>
public sealed record DatasetSpec(string? Source = null, DemoDataParams? Generate = null);

/// <summary>
/// The experiment's <c>train</c> group: the study's MLP protocol (<see cref="MlpSettings"/>, the one record the Train stage keys
/// and the trainer takes), and how the runs use it.
/// </summary>
public sealed record TrainSettings : MlpSettings
{
    /// <summary>Default for models that do not say: <c>frozen</c> or <c>fine-tune</c>.</summary>
    public string Mode { get; init; } = ModelSpec.Frozen;

    /// <summary>Each run's seed is derived from this, the model's name and the run number.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>CPU threads for TorchSharp; 0: one per core. Results are bit-identical only for the same count. Never in a key.</summary>
    public int Threads { get; init; }

    /// <summary>Where Train runs: auto (null too), cpu or cuda; never in a key (the same parameters are the same experiment on any device).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DeviceRequest? Device { get; init; }

    /// <summary>Every value that breaks a rule: the MLP's own, then the runs'.</summary>
    public IEnumerable<(string Key, string Problem)> Problems()
    {
        foreach (var problem in Problems("train")) yield return problem;
        if (Mode is not (ModelSpec.Frozen or ModelSpec.FineTune))
            yield return ("train.mode", $"expected '{ModelSpec.Frozen}' or '{ModelSpec.FineTune}', found {Mode}");
        if (Threads < 0) yield return ("train.threads", $"expected 0 (one per core) or a positive number of threads, found {Threads}");
    }
}

/// <summary>
/// <c>experiments/&lt;name&gt;.json</c>: one group of parameters per stage, so a stage's cache key
/// depends only on its own group (changing epochs never re-splits the data).
/// </summary>
public sealed record Experiment(
    string Description,
    DatasetSpec Dataset,
    FilterParams Filter,
    SampleParams Sample,
    SplitParams Split,
    TrainSettings Train,
    [property: System.Text.Json.Serialization.JsonPropertyName("runs")] RunPlan? RunPlan = null,
    ModelSpec[]? Models = null,
    Lmev.Stages.Aggregate.ReferenceFigures? Reference = null)
{
    /// <summary>Runs per model (<c>runs</c>, or <c>runs.count</c>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int Runs => (RunPlan ?? new RunPlan()).Count;

    /// <summary>Each run draws its own sample and split (<c>runs.resample</c>); otherwise the runs share one (paired design).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Resample => RunPlan?.Resample ?? false;

    /// <summary>The file name without extension; set by <see cref="Load"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Name { get; init; } = "";

    [System.Text.Json.Serialization.JsonIgnore]
    public string Path { get; init; } = "";

    /// <summary>How Train uses a model: its own mode, else the experiment's; a fasttext model trains as fastText's supervised command.</summary>
    public string ModeOf(ModelSpec model) => model.IsBaseline ? ModelSpec.Supervised : model.Mode ?? Train.Mode;

    /// <summary>The models, never null.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<ModelSpec> ModelList => Models ?? [];

    public static string FilePath(string root, string name) => System.IO.Path.Combine(root, "experiments", name + ".json");

    /// <summary>
    /// An experiment's name is a file name in experiments/ and a folder name under the cache's refs/, never a path:
    /// letters, digits, '-', '_' or '.', not starting with '.' (as model names).
    /// </summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static Experiment Load(string root, string name)
    {
        if (!IsValidName(name))
            throw new LmevException($"--experiment '{name}': expected the name of a file in experiments/ without .json " +
                "(letters, digits, '-', '_' or '.', not starting with '.'), not a path; for experiments/demo.json write --experiment demo");
        var path = FilePath(root, name);
        if (!File.Exists(path))
        {
            var folder = System.IO.Path.Combine(root, "experiments");
            if (!Directory.Exists(folder))
                throw new LmevException($"{root}: not an lmev project (no experiments/ folder); run lmev from the project folder, or give it with --root");
            var known = Directory.EnumerateFiles(folder, "*.json").Select(System.IO.Path.GetFileNameWithoutExtension).Order().ToList();
            throw new LmevException($"{path}: no experiment named '{name}'" +
                (Suggestions.Closest(name, known!) is { } close ? $" (did you mean '{close}'?)" : "") +
                $"; experiments: {(known.Count == 0 ? "none" : string.Join(", ", known))}");
        }
        var e = JsonFile.Read<Experiment>(path, validate: x => x.Problems()) with { Name = name, Path = path };
        e = e with { Models = e.Models?.Select(m => FastTextModels.WithDefaults(m.Resolved())).ToArray() };
        return e;
    }

    /// <summary>Every value that breaks a rule, as (JSON path, what was expected and found); all of them, not the first.</summary>
    private IEnumerable<(string Key, string Problem)> Problems()
    {
        var problems = new List<(string, string)>();
        void Check(bool ok, string key, string expected, object? found)
        {
            if (!ok) problems.Add((key, $"expected {expected}, found {found ?? "nothing"}"));
        }
        Check((Dataset.Source is null) != (Dataset.Generate is null), "dataset", "exactly one of 'source' or 'generate'",
            Dataset.Source is null ? "neither" : "both");
        if (Dataset.Generate is { } g)
        {
            Check(g.Rows > 0, "dataset.generate.rows", "a positive number", g.Rows);
            Check(g.Categories >= 2, "dataset.generate.categories", "at least 2", g.Categories);
            Check(g.SpanishFraction is > 0 and <= 1, "dataset.generate.spanishFraction", "a fraction in (0, 1]", g.SpanishFraction);
        }
        Check(Sample.Rows > 0 && Sample.Rows <= SampleParams.MaxRows, "sample.rows", $"a positive number of rows, at most {SampleParams.MaxRows:N0}", Sample.Rows);
        // Checked against sample.rows only where that is itself valid (a missing or wrong one is said once, on its own key).
        Check(Split.TestRows >= 0 && (Sample.Rows <= 0 || Split.TestRows < Sample.Rows), "split.testRows",
            Sample.Rows > 0 ? $"0 to {Sample.Rows - 1} (fewer than sample.rows)" : "0 or more", Split.TestRows);
        Check(Split.TestSource is null || Split.TestRows == 0, "split.testRows", "0 or no 'testRows' with split.testSource (its rows are the test split)", Split.TestRows);
        Check(Split.TestSource is null || Split.TestSource.Length > 0, "split.testSource", "the name of a data.lock.json entry", "an empty string");
        Check(Split.ValidationFraction is >= 0 and < 1, "split.validationFraction", "a fraction in [0, 1)", Split.ValidationFraction);
        Check(Runs >= 1, RunPlan is { Resample: true } ? "runs.count" : "runs", "at least 1", Runs);
        var models = (Models ?? []).Select(m => FastTextModels.WithDefaults(m.Resolved())).ToArray(); // the rules apply to the values in force, defaults filled
        for (var i = 0; i < models.Length; i++)
            foreach (var (ok, key, expected, found) in models[i].Checks(i))
                Check(ok, key, expected, found);
        for (var i = 0; i < models.Length; i++)
            Check(ModeOf(models[i]) != ModelSpec.FineTune || models[i].IsBagOfEmbeddings, $"models[{i}]",
                $"a bag-of-embeddings model, or \"mode\": \"{ModelSpec.Frozen}\" (train.mode is fine-tune and only tables can be fine-tuned)", models[i].Kind);
        var duplicate = models.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        Check(duplicate is null, "models", "unique names", duplicate?.Key);
        foreach (var (key, problem) in Train.Problems()) problems.Add((key, problem));
        return problems;
    }
}
