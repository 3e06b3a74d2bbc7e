namespace Lmev.Contracts.Results;

/// <summary>
/// What became of one expected run, as written in runs.csv's <c>status</c> column. Only
/// <see cref="Ok"/> runs enter means; the others are kept, counted and listed.
/// </summary>
public static class RunStatus
{
    public const string Ok = "ok";

    /// <summary>A loss or the test score is NaN or infinite.</summary>
    public const string Diverged = "diverged";

    /// <summary>The run's metrics.json was never published (the run failed or was not run).</summary>
    public const string Missing = "missing";

    public const string CorruptPrefix = "corrupt: ";

    public static string Corrupt(string reason) =>
        CorruptPrefix + string.Join(' ', reason.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    public static bool IsOk(string status) => status == Ok;
}
