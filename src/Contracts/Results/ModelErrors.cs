namespace Lmev.Contracts.Results;

/// <summary>Where one model errs: its lowest-recall classes and its most frequent confusions, from its runs' test predictions.</summary>
public sealed record ModelErrors(string Model, int Runs, int Classes, IReadOnlyList<ClassRecall> Lowest, IReadOnlyList<Confusion> Confusions);
