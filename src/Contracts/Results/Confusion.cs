namespace Lmev.Contracts.Results;

/// <summary>Test titles of class <see cref="True"/> predicted as <see cref="Predicted"/> (summed over runs), and their share of the true class's titles.</summary>
public sealed record Confusion(string True, string Predicted, int Count, double Share);
