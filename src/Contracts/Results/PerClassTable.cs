namespace Lmev.Contracts.Results;

/// <summary>
/// <c>per-class.csv</c>: every model's recall on every class (its test titles, those predicted right, its training rows), written
/// by Aggregate from the runs' predictions and copied into the report beside the document that links it.
/// </summary>
public static class PerClassTable
{
    public const string FileName = "per-class.csv";
}
