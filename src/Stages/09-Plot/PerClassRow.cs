namespace Lmev.Stages.Plot;

/// <summary>One row of Aggregate's per-class.csv: a model's recall on one class and the class's training rows.</summary>
internal sealed record PerClassRow(string Model, string Category, double Train, int Support, double Recall);
