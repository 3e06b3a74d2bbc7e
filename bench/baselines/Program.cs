// bench/baselines: the file work around fastText's command-line tool for run.sh: the split as
// fastText's input format, and its predictions scored as lmev scores a run. Prints figures; not a test.
//
//   lmev-bench-baselines to-fasttext <split folder> <out folder>   train.txt (train + val), test.txt
//   lmev-bench-baselines score <split folder> <fastText predictions>  test BAC and accuracy
//   lmev-bench-baselines run <metrics.json>                            an lmev run's test BAC, accuracy and seconds
//   lmev-bench-baselines figures <split> <predictions> <fastText seconds> <fastText name> <metrics.json>
//                                                                       the two side by side as bench/run's result lines
using System.Globalization;
using Lmev.Bench;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Training;
using Lmev.Contracts;

const string Label = "__label__";
switch (args)
{
    case ["to-fasttext", var split, var output]:
        Directory.CreateDirectory(output);
        // fastText's own protocol, as the issue measured it: trained on train + validation.
        var lines = 0;
        using (var train = new StreamWriter(Path.Combine(output, "train.txt")))
            foreach (var file in new[] { "train.csv", "val.csv" })
                foreach (var (title, category) in Rows(Path.Combine(split, file))) { train.Write($"{Label}{category} {OneLine(title)}\n"); lines++; }
        using (var test = new StreamWriter(Path.Combine(output, "test.txt")))
            foreach (var (title, category) in Rows(Path.Combine(split, "test.csv"))) test.Write($"{Label}{category} {OneLine(title)}\n");
        Console.WriteLine($"{lines:N0} training lines (train + val) in {output}");
        break;
    case ["score", var split, var predictions]:
        var (bac, accuracy) = Score(split, predictions);
        Console.WriteLine($"BAC {F(bac)} accuracy {F(accuracy)}");
        break;
    case ["figures", var split, var predictions, var fastTextSeconds, var fastTextName, var metricsPath]:
    {
        var (ftBac, ftAccuracy) = Score(split, predictions);
        var lmev = RunMetrics.Read(metricsPath);
        var testRows = Rows(Path.Combine(split, "test.csv")).Count();
        const string Bench = "baselines";
        BenchFigure.Print(Bench, $"lmev fasttext test BAC ({testRows:N0} test rows)", lmev.Test.BalancedAccuracy, "BAC", $"{fastTextName} test BAC, same split", ftBac);
        BenchFigure.Print(Bench, "lmev fasttext test accuracy", lmev.Test.Accuracy ?? double.NaN, "accuracy", $"{fastTextName} test accuracy", ftAccuracy);
        BenchFigure.Print(Bench, $"lmev fasttext train seconds (training loop, {lmev.Threads} thread(s))", lmev.TrainSeconds, "s",
            $"{fastTextName} supervised wall seconds (whole command)", double.Parse(fastTextSeconds, CultureInfo.InvariantCulture));
        break;
    }
    case ["run", var metricsPath]:
        var m = RunMetrics.Read(metricsPath);
        Console.WriteLine($"BAC {F(m.Test.BalancedAccuracy)} accuracy {F(m.Test.Accuracy ?? double.NaN)} train seconds {m.TrainSeconds:F1} " +
                          $"(epochs {m.EpochsRun}, {m.Threads} thread(s), {m.Device})");
        break;
    default:
        Console.Error.WriteLine("usage: lmev-bench-baselines to-fasttext <split> <out> | score <split> <predictions> | run <metrics.json> | " +
                                "figures <split> <predictions> <fastText seconds> <fastText name> <metrics.json>");
        return 2;
}
return 0;

// fastText's predictions against the test split: balanced accuracy and accuracy.
static (double Bac, double Accuracy) Score(string split, string predictions)
{
    var truth = Rows(Path.Combine(split, "test.csv")).Select(r => r.Category).ToList();
    var predicted = File.ReadLines(predictions).Select(l => l.StartsWith(Label, StringComparison.Ordinal) ? l[Label.Length..].Trim() : "").ToList();
    if (predicted.Count != truth.Count) throw new LmevException($"{predictions}: {predicted.Count:N0} predictions for {truth.Count:N0} test rows");
    var ids = truth.Concat(predicted).Distinct().Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
    int[] y = truth.Select(c => ids[c]).ToArray(), p = predicted.Select(c => ids[c]).ToArray();
    return (ClassificationMetrics.BalancedAccuracy(y, p), ClassificationMetrics.Accuracy(y, p));
}

static IEnumerable<(string Title, string Category)> Rows(string path)
{
    using var reader = CsvRowReader.Open(path);
    var (title, category) = (reader.Column("title"), reader.Column("category"));
    while (reader.NextNonBlank(out _)) yield return (reader.FieldString(title), reader.FieldString(category));
}

// fastText reads a line per example; the split on whitespace is the same either way.
static string OneLine(string title) => title.Replace('\n', ' ').Replace('\r', ' ');

static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
