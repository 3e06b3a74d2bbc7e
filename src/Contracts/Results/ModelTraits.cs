namespace Lmev.Contracts.Results;

/// <summary>
/// What the experiment file says of a model beyond what its runs record: its kind, for the like-for-like comparisons (two models
/// are only compared when these agree too), and its labels, which Aggregate takes from here rather than from a run's metrics.json
/// (a run keeps the labels it was trained under; the experiment's are the ones in force).
/// </summary>
/// <param name="Kind">The model's kind (<c>random</c>, <c>nnlm</c>, <c>minilm</c>, …): a random table and a pretrained model are never partners.</param>
/// <param name="Language">es, en or none; null: as the runs recorded it.</param>
/// <param name="Normalization">Whether the model deletes punctuation; null: as the runs recorded it.</param>
public sealed record ModelTraits(string Kind, string? Language = null, bool? Normalization = null);
