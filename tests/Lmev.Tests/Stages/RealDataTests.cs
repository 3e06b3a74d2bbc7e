using Lmev.Pipeline.Csv;
using Lmev.Stages.FilterSpanish;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Stages;

/// <summary>The data stages on real MercadoLibre titles (../shared/data; skipped where absent).</summary>
public sealed class RealDataTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Reads_all_real_titles_without_a_bad_row()
    {
        var path = SharedData.Require("meli2019-es-titles.csv.gz");
        using var reader = CsvRowReader.Open(path);
        Assert.Equal(["title", "category"], reader.Header);
        long rows = 0, bad = 0;
        var categories = new HashSet<string>();
        var category = reader.Column("category");
        while (reader.NextNonBlank(out var problem))
        {
            rows++;
            if (problem != RowProblem.None) { bad++; continue; }
            categories.Add(reader.FieldString(category));
        }
        Assert.Equal(598_067, rows);
        Assert.Equal(0, bad);
        // ../shared/data/README.md says 1,573 categories; the file holds 1,570 distinct values
        // (Python's csv module counts the same).
        Assert.Equal(1_570, categories.Count);
    }

    [SkippableFact]
    public void The_language_detector_keeps_most_real_spanish_titles()
    {
        var path = SharedData.Require("meli2019-es-titles.csv.gz");
        using var dir = new TempDir();
        var sample = dir.File("titles.csv");
        using (var reader = CsvRowReader.Open(path))
        using (var writer = CsvWriter.Create(sample))
        {
            writer.Row("title", "category");
            for (var i = 0; i < 3000 && reader.NextNonBlank(out _); i++)
            {
                writer.Field(reader.Field(0));
                writer.Field(reader.Field(1));
                writer.EndRow();
            }
        }
        var (m, _) = StageRunner.Run(new FilterSpanishStage(new FilterParams(LanguageColumn: null), StageRunner.FileArtifact(sample)), dir.File("cache"));
        var kept = (long)m.Report["rowsKept"]! / 3000.0;
        output.WriteLine($"Lingua (Spanish vs Portuguese) kept {kept:P1} of 3,000 real Spanish titles");
        Assert.True(kept > 0.85, $"kept only {kept:P1}");
    }
}
