namespace Lmev.Contracts.Results;

/// <summary>
/// One class of one model, over its usable runs: test titles of the class (<see cref="Support"/>, summed
/// over runs), those predicted right, the recall, and the class's training rows (mean over the runs' splits).
/// </summary>
public sealed record ClassRecall(string Category, int Support, int Correct, double Recall, double Train);
