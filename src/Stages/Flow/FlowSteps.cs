namespace Lmev.Flow;

/// <summary>
/// The pipeline's steps in flow order: the source of <see cref="ExperimentFlow.StepNames"/>, of
/// `lmev`'s step subcommands, their help and the selection arguments each takes (`lmev steps --json`, which
/// build.cake reads to pass each step only those), and (checked by a test) of build.cake's step tasks.
/// </summary>
public static class FlowSteps
{
    public static IReadOnlyList<FlowStep> All { get; } =
    [
        new("download", "Fetch the experiment's source pinned in data.lock.json (verified by SHA-256), or generate the demo data; split.testSource's too", UnitKind.PerSource),
        new("filter-spanish", "Keep the rows in the experiment's language (a language column, or a detector), skipping and counting bad rows (split.testSource's through the same filter)", UnitKind.PerSource),
        new("sample", "Draw a seeded uniform sample of rows (reservoir sampling, one pass); one per run with runs.resample", UnitKind.PerSample),
        new("split", "Split the sample into train/val/test and assign class ids; one per run with runs.resample", UnitKind.PerSample),
        new("model", "Build each model's files: a seeded random bag-of-embeddings table, or a transformer (MiniLM from its package, or pinned in data.lock.json)", UnitKind.PerModel),
        new("embed", "Embed the train/val/test titles with each frozen model through ONNX Runtime (CUDA when built with -p:Gpu=true and present) into .npy matrices", UnitKind.PerFrozenModelSample),
        new("train", "Train the study's MLP on each model's embeddings (or fine-tune its table), or a fasttext baseline as fastText does, runs times, score it on test, copy each run to saved_models/", UnitKind.PerRun, ChoosesDevice: true),
        new("aggregate", "Gather every run's metrics into runs.csv and summary.json (per model, language, dim, normalisation, mode, device; reference figures)", UnitKind.Single),
        new("plot", "Draw the study's figures (PNG and SVG) with ScottPlot", UnitKind.Single),
        new("report", "Write the results document report/README.md and the self-contained report/index.html", UnitKind.Single),
    ];

    /// <summary>The step named <paramref name="name"/>; an error listing the steps otherwise.</summary>
    public static FlowStep Get(string name) => All.FirstOrDefault(s => s.Name == name)
        ?? throw new Lmev.Pipeline.LmevException($"unknown step '{name}'; steps: {string.Join(", ", All.Select(s => s.Name))}");
}
