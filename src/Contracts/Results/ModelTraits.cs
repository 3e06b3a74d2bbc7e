namespace Lmev.Contracts.Results;

/// <summary>
/// What the experiment file says of a model beyond what its runs record, for the like-for-like
/// comparisons: two models are only compared when these agree too. More traits (a baseline flag) go here.
/// </summary>
/// <param name="Kind">The model's kind (<c>random</c>, <c>nnlm</c>, <c>minilm</c>, …): a random table and a pretrained model are never partners.</param>
public sealed record ModelTraits(string Kind);
