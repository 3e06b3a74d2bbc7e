using System.Text;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;

namespace Lmev.Stages.FilterSpanish;

/// <summary>
/// Keeps the rows of one language, streaming: memory does not depend on the input's size. With a
/// language column the row's value is compared byte for byte; without one, a detector restricted
/// to Spanish and Portuguese decides. Unreadable rows are skipped and counted (or stop the stage
/// in strict mode). Output: <c>rows.csv</c> with columns <c>title,category</c>.
/// </summary>
/// <param name="unit">"" for the dataset; <c>test-source</c> for split.testSource's rows, read through the same filter.</param>
/// <param name="shownAs">The source as the user gave it (path or URL and lock entry), named in messages instead of the
/// cache's copy; not part of the key.</param>
public sealed class FilterSpanishStage(FilterParams p, Artifact source, bool strict = false, string unit = "", string? shownAs = null) : IStage
{
    public string Unit => unit;

    public const string Output = "rows.csv";

    public string Name => "filter-spanish";

    public int Version => 2; // 2: RFC 4180 records (quoted line breaks kept in their field, a bad record skipped whole)

    public object Params => p;

    public IReadOnlyDictionary<string, Artifact> Inputs { get; } = new Dictionary<string, Artifact> { ["source"] = source };

    public void Run(StageContext context)
    {
        var path = context.Input("source");
        try { Filter(context, path, shownAs ?? path); }
        catch (LmevException e) when (shownAs is not null)
        {
            throw new LmevException($"{e.Message} (read from its cached copy {path})", e);
        }
    }

    private void Filter(StageContext context, string path, string shown)
    {
        using var reader = CsvRowReader.Open(path, shown);
        var title = reader.Column(p.TitleColumn);
        var category = reader.Column(p.CategoryColumn);
        var language = p.LanguageColumn is null ? -1 : reader.Column(p.LanguageColumn);
        var wanted = Encoding.UTF8.GetBytes(p.Language);
        var keepAll = language < 0 && p.Language == FilterParams.AnyLanguage;
        var detector = language < 0 && !keepAll ? new LanguageDetector(p.Language) : null;
        var bad = new BadRows(shown, strict);
        long read = 0, kept = 0, otherLanguage = 0;

        using var writer = CsvWriter.Create(context.OutputPath(Output));
        writer.Row("title", "category");
        using (var progress = context.Progress("filter-spanish", new FileInfo(path).Length, "B"))
        {
            while (reader.NextNonBlank(out var problem))
            {
                read++;
                if ((read & 0x3FFF) == 0) progress.Report(reader.FilePosition);
                if (problem != RowProblem.None) { bad.Add(CsvRowReader.Describe(problem), reader.LineNumber); continue; }
                var t = reader.Field(title);
                if (t.Trim((byte)' ').IsEmpty) { bad.Add("empty title", reader.LineNumber); continue; }
                var c = reader.Field(category);
                if (c.Trim((byte)' ').IsEmpty) { bad.Add("empty category", reader.LineNumber); continue; }
                var keep = keepAll || (detector is null ? reader.Field(language).SequenceEqual(wanted) : detector.IsWanted(t));
                if (!keep) { otherLanguage++; continue; }
                writer.Field(t);
                writer.Field(c);
                writer.EndRow();
                kept++;
            }
            progress.Report(reader.FilePosition);
        }

        context.Log($"read {read:N0} rows, kept {kept:N0} ({p.Language}), {otherLanguage:N0} in other languages, {bad.Total:N0} bad");
        foreach (var line in bad.Summary()) context.Log(line);
        context.Report["rowsRead"] = read;
        context.Report["rowsKept"] = kept;
        context.Report["rowsOtherLanguage"] = otherLanguage;
        context.Report["rowsBad"] = bad.Total;
        context.Report["badRows"] = bad.ToJson();
        context.Report["languageFrom"] = keepAll ? "none: every row kept (filter.language is '*')"
            : detector is null ? $"column '{p.LanguageColumn}'" : detector.Description;
        if (read == 0)
            throw new LmevException($"{shown}: the file has no data rows, only its header ({string.Join(",", reader.Header)}); expected the rows of the dataset");
        if (kept == 0)
            throw new LmevException($"{shown}: no row has {(detector is null ? $"{p.LanguageColumn} = '{p.Language}'" : $"language {p.Language}")}; check filter.language in the experiment");
    }
}
