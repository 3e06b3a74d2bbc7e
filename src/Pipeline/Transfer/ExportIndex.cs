namespace Lmev.Pipeline.Transfer;

/// <summary>One cache entry in an export, and which of its outputs were left behind on purpose.</summary>
/// <param name="Absent">Outputs not in the archive (<c>--omit</c>, <c>--manifests-only</c>, or already absent in the exporting cache).</param>
public sealed record ExportedEntry(string Stage, string Key, string Unit, string Experiment, IReadOnlyList<string> Absent);

/// <summary>
/// <c>lmev-export.json</c>, the first member of an export: what it holds. On import it says which
/// missing files are missing on purpose; everything else is checked against the entries' own manifests.
/// </summary>
public sealed record ExportIndex(int Format, IReadOnlyList<ExportedEntry> Entries)
{
    public const string FileName = "lmev-export.json";
    public const int CurrentFormat = 1;
}
