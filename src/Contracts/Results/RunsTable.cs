using System.Globalization;
using Lmev.Pipeline.Csv;
using Lmev.Pipeline;

namespace Lmev.Contracts.Results;

/// <summary>
/// runs.csv: one row per expected run, snake_case columns, numbers in invariant culture with
/// round-trip precision, NaN as <c>NaN</c>, unknown values as empty fields.
/// </summary>
public static class RunsTable
{
    public const string FileName = "runs.csv";

    public static readonly string[] Columns =
    [
        "experiment", "model", "language", "dim", "normalization", "mode", "run", "seed", "classes",
        "train_rows", "val_rows", "test_rows", "test_bac", "accuracy", "macro_f1", "epochs_run", "best_epoch",
        "best_val_loss", "train_seconds", "wall_seconds", "device", "threads", "status", "baseline",
    ];

    public static void Write(string path, IEnumerable<RunRow> rows)
    {
        using var w = CsvWriter.Create(path);
        w.Row(Columns);
        foreach (var r in rows)
        {
            w.Row(r.Experiment, r.Model, r.Language ?? "", S(r.Dim), r.Normalization is { } n ? (n ? "true" : "false") : "",
                r.Mode ?? "", S<int>(r.Run), S(r.Seed), S(r.Classes), S(r.TrainRows), S(r.ValRows), S(r.TestRows),
                S(r.TestBac), S(r.Accuracy), S(r.MacroF1), S(r.EpochsRun), S(r.BestEpoch), S(r.BestValLoss),
                S(r.TrainSeconds), S(r.WallSeconds), r.Device ?? "", S(r.Threads), r.Status, r.Baseline ? "true" : "false");
        }
    }

    public static List<RunRow> Read(string path)
    {
        using var reader = CsvRowReader.Open(path);
        var col = Columns.ToDictionary(c => c, reader.Column);
        var rows = new List<RunRow>();
        while (reader.NextNonBlank(out var problem))
        {
            var line = reader.LineNumber;
            if (problem != RowProblem.None)
                throw new LmevException($"{path}:{line}: {CsvRowReader.Describe(problem)}; expected a runs.csv written by aggregate; rerun aggregate with --force");
            string F(string c) => reader.FieldString(col[c]);
            T? Num<T>(string c) where T : struct, IParsable<T>
            {
                var s = F(c);
                if (s == "") return null;
                return T.TryParse(s, CultureInfo.InvariantCulture, out var v) ? v
                    : throw new LmevException($"{path}:{line}: column '{c}': expected a {typeof(T).Name}, found '{s}'");
            }
            string? Text(string c) => F(c) is "" ? null : F(c);
            rows.Add(new RunRow(
                F("experiment"), F("model"), Num<int>("run") ?? throw new LmevException($"{path}:{line}: column 'run': expected a run number, found nothing"),
                F("status"), Text("language"), Num<int>("dim"), Num<bool>("normalization"), Text("mode"), Num<ulong>("seed"),
                Num<int>("classes"), Num<long>("train_rows"), Num<long>("val_rows"), Num<long>("test_rows"),
                Num<double>("test_bac"), Num<double>("accuracy"), Num<double>("macro_f1"), Num<int>("epochs_run"),
                Num<int>("best_epoch"), Num<double>("best_val_loss"), Num<double>("train_seconds"), Num<double>("wall_seconds"),
                Text("device"), Num<int>("threads"), Num<bool>("baseline") ?? false));
        }
        return rows;
    }

    private static string S<T>(T? value) where T : struct, IFormattable =>
        value is { } v ? v.ToString(v is double ? "R" : null, CultureInfo.InvariantCulture) : "";
}
