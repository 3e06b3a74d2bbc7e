using System.Diagnostics;
using System.Globalization;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;

namespace Lmev.Inference;

/// <summary>
/// `lmev predict`'s work: titles read from a CSV column or one per line, classified in chunks (<see cref="IRunClassifier.Chunk"/>)
/// with a progress bar on long input, and written as CSV: <c>title,predicted,probability</c>, and with <c>top</c> &gt; 1 the next
/// classes as <c>predicted_2,probability_2</c>… Probabilities are written in the shortest form that reads back to the same float.
/// </summary>
public static class Prediction
{
    /// <summary>How many titles were classified, and in how long (reading and writing included).</summary>
    public sealed record Outcome(int Titles, double Seconds)
    {
        public double TitlesPerSecond => Titles / Math.Max(Seconds, 1e-9);
    }

    /// <summary>The titles of column <paramref name="column"/> of a CSV file (plain or gzip), in order; every row must read.</summary>
    public static List<string> ReadCsv(string path, string column)
    {
        var titles = new List<string>();
        using var reader = CsvRowReader.Open(path);
        var at = Array.IndexOf(reader.Header, column);
        if (at < 0)
            throw new LmevException($"{path}:1: no column '{column}'" +
                (Suggestions.Closest(column, reader.Header) is { } close ? $" (did you mean '{close}'?)" : "") +
                $"; its columns: {string.Join(", ", reader.Header)}; name the titles' column with --title-column");
        while (reader.NextNonBlank(out var problem))
        {
            if (problem != RowProblem.None)
                throw new LmevException($"{path}:{reader.LineNumber}: {CsvRowReader.Describe(problem)}; every row is classified, so fix that row (or quote its title) and run again");
            titles.Add(reader.FieldString(at));
        }
        return titles;
    }

    /// <summary>One title per line (a '\r' before the '\n' dropped); an empty line is an empty title.</summary>
    public static List<string> ReadLines(TextReader input)
    {
        var titles = new List<string>();
        while (input.ReadLine() is { } line) titles.Add(line);
        return titles;
    }

    /// <summary>Classifies <paramref name="titles"/> and writes the CSV to <paramref name="output"/>.</summary>
    /// <param name="top">Classes per title, best first (1: the predicted one).</param>
    public static Outcome Run(IRunClassifier classifier, IReadOnlyList<string> titles, Stream output, int top = 1)
    {
        if (top < 1) throw new LmevException($"--top {top}: expected at least 1 (the predicted class)");
        top = Math.Min(top, classifier.Classes.Count);
        var clock = Stopwatch.StartNew();
        using var writer = new CsvWriter(output, leaveOpen: true);
        var header = new List<string> { "title", "predicted", "probability" };
        for (var k = 2; k <= top; k++) header.AddRange([$"predicted_{k}", $"probability_{k}"]);
        writer.Row([.. header]);
        using (var progress = new ProgressBar("predict", titles.Count, "titles"))
        {
            for (var start = 0; start < titles.Count; start += classifier.Chunk)
            {
                var chunk = Slice(titles, start, Math.Min(classifier.Chunk, titles.Count - start));
                var scores = classifier.Score(chunk);
                if (scores.Rows != chunk.Count) throw new InvalidOperationException($"{scores.Rows} rows of scores for {chunk.Count} titles");
                for (var i = 0; i < chunk.Count; i++)
                {
                    writer.Field(chunk[i]);
                    foreach (var c in scores.Top(i, top))
                    {
                        writer.Field(classifier.Classes[c]);
                        writer.Field(scores.Probabilities[i * scores.Classes + c].ToString(CultureInfo.InvariantCulture));
                    }
                    writer.EndRow();
                }
                progress.Report(start + chunk.Count);
            }
        }
        writer.Flush();
        return new Outcome(titles.Count, clock.Elapsed.TotalSeconds);
    }

    private static IReadOnlyList<string> Slice(IReadOnlyList<string> titles, int start, int count) =>
        start == 0 && count == titles.Count ? titles : titles is List<string> list ? list.GetRange(start, count) : titles.Skip(start).Take(count).ToList();
}
