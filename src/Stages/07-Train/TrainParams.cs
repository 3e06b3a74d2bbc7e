using System.Text.Json.Serialization;
using Lmev.Training;
using Lmev.Training.FastText;

namespace Lmev.Stages.Train;

/// <summary>
/// What one training run (one model, one run number) computes from besides its input files: the Train stage's cache key. Labels
/// that training never reads — the experiment's name, the model's language and normalisation — are not here (see
/// <see cref="TrainLabels"/>): renaming an experiment or relabelling a model trains nothing again.
/// </summary>
/// <param name="Model">The model's name, as in the experiment (the unit's name; its run seeds derive from it).</param>
/// <param name="Mode">frozen: an MLP on the Embed stage's matrices; fine-tune: the table trains with the MLP; supervised: fastText.</param>
/// <param name="Dim">Embedding width.</param>
/// <param name="Run">1-based run number.</param>
/// <param name="Seed">This run's seed (torch.manual_seed and the batch order).</param>
/// <param name="Mlp">The study's MLP protocol (frozen and fine-tune runs), as the experiment's <c>train</c> group gives it.</param>
/// <param name="FastText">A fasttext run's settings (mode <c>supervised</c>): no MLP, no early stopping.</param>
public sealed record TrainParams(
    string Model,
    string Mode,
    int Dim,
    int Run,
    long Seed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MlpSettings? Mlp = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FastTextSettings? FastText = null);

/// <summary>
/// What a run is called, recorded in its metrics.json and params.json beside its results, but never read by training and so not
/// in its key: a run reused under a renamed experiment keeps, in its files, the name it was trained under.
/// </summary>
/// <param name="Experiment">The experiment that trained it.</param>
/// <param name="Language">es, en or none.</param>
/// <param name="Normalization">Whether the model deletes punctuation.</param>
public sealed record TrainLabels(string Experiment, string Language, bool Normalization);
