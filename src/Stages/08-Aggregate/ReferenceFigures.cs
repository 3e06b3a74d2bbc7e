namespace Lmev.Stages.Aggregate;

/// <summary>
/// Published figures to compare against: the mean test balanced accuracy per model (keyed by our model
/// names), optionally each published run's value (<see cref="Runs"/>, for a test and for the figure that
/// overlays them on ours), and where they come from. Published means of groups of unlike models
/// (all Spanish models, …) are deliberately not taken: the report compares like with like.
/// </summary>
public sealed record ReferenceFigures(string Source, SortedDictionary<string, double> Models, SortedDictionary<string, double[]>? Runs = null);
