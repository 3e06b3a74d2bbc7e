namespace Lmev.Stages.Train;

/// <summary>Everything one training run (one model, one run number) depends on besides its input files.</summary>
/// <param name="Experiment">Recorded in metrics.json.</param>
/// <param name="Model">The model's name, as in the experiment.</param>
/// <param name="Language">es, en or none (recorded for the report's groups).</param>
/// <param name="Dim">Embedding width.</param>
/// <param name="Normalization">Whether the model deletes punctuation (recorded for the report's groups).</param>
/// <param name="Mode">frozen: an MLP on the Embed stage's matrices; fine-tune: the table trains with the MLP.</param>
/// <param name="Run">1-based run number.</param>
/// <param name="Seed">This run's seed (torch.manual_seed and the batch order).</param>
/// <param name="FastText">A fasttext run's settings (mode <c>supervised</c>): Epochs, BatchSize and LearningRate are theirs,
/// Hidden, Dropout and Patience 0 (no MLP, no early stopping). Null, and left out of the key, for the other runs.</param>
public sealed record TrainParams(
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
    int Patience,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    Lmev.Training.FastText.FastTextSettings? FastText = null);
