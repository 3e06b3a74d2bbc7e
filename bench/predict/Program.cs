// bench/predict: the file work around the timed commands of run.sh (prints figures; not a test).
//
//   lmev-bench-predict titles <test.csv> <titles.txt>           the test titles, one per line (line breaks in a title made spaces)
//   lmev-bench-predict agree <predictions.csv> <test-predictions.csv>
//                                                               how many of `lmev predict`'s predicted classes are the run's own
//   lmev-bench-predict compare <a.csv> <b.csv>                  two `lmev predict --top K` outputs of the same titles: top-1 agreement
//                                                               and the largest difference of a class's probability (over the classes both list)
//   lmev-bench-predict figures <titles> <name=seconds>...      the timed commands as bench/run's result lines (see run.sh for the names)
using System.Globalization;
using Lmev.Bench;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;

switch (args)
{
    case ["titles", var csv, var output]:
    {
        var titles = Column(csv, "title").Select(t => t.Replace('\n', ' ').Replace('\r', ' ')).ToList();
        File.WriteAllLines(output, titles);
        Console.WriteLine($"{titles.Count:N0} titles in {output}");
        break;
    }
    case ["agree", var predictions, var expected]:
    {
        var (a, b) = (Rows(predictions), Rows(expected));
        if (a.Count != b.Count) throw new LmevException($"{predictions}: {a.Count:N0} rows, {expected}: {b.Count:N0}");
        var titles = a.Zip(b).Count(p => p.First["title"] == p.Second["title"]);
        var same = a.Zip(b).Count(p => p.First["predicted"] == p.Second["predicted"]);
        Console.WriteLine($"{same:N0} of {a.Count:N0} predicted classes are the run's own ({titles:N0} titles in the same order)");
        return same == a.Count && titles == a.Count ? 0 : 1;
    }
    case ["compare", var first, var second]:
    {
        var (a, b) = (Rows(first), Rows(second));
        if (a.Count != b.Count) throw new LmevException($"{first}: {a.Count:N0} rows, {second}: {b.Count:N0}");
        int same = 0, classes = 0;
        double worst = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i]["predicted"] == b[i]["predicted"]) same++;
            var (pa, pb) = (Probabilities(a[i]), Probabilities(b[i]));
            foreach (var (c, p) in pa)
                if (pb.TryGetValue(c, out var q)) { worst = Math.Max(worst, Math.Abs(p - q)); classes++; }
        }
        Console.WriteLine($"top-1 equal for {same:N0} of {a.Count:N0} titles; largest probability difference {worst:G3} over {classes:N0} (title, class) pairs");
        return same == a.Count && worst <= 1e-5 ? 0 : 1;
    }
    case ["figures", var count, .. var timings]:
    {
        var titles = int.Parse(count, CultureInfo.InvariantCulture);
        var t = timings.Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
        string Load(string name) => t.TryGetValue($"{name}-load", out var l) ? $"; load {l:F1}" : "";
        const string Bench = "predict";
        // fasttext: the whole command (start, model, titles, output), then the titles alone (the command less its run on no titles).
        BenchFigure.Print(Bench, $"lmev predict, fasttext run, {titles:N0} titles, 1 thread, whole command{Load("lmev-ft")}", titles / t["lmev-ft"], "titles/s",
            $"fastText 0.9.2 `fasttext predict`, same split and settings, whole command{Load("fasttext")}", titles / t["fasttext"], BenchGoal.AtLeast(1));
        BenchFigure.Print(Bench, $"lmev predict, fasttext run, titles only (less its run on 0 titles){Load("lmev-ft")}", titles / (t["lmev-ft"] - t["lmev-ft-empty"]), "titles/s",
            $"`fasttext predict`, titles only (less its run on 0 titles){Load("fasttext")}", titles / (t["fasttext"] - t["fasttext-empty"]), BenchGoal.AtLeast(1));
        // A 128-dim table: TorchSharp (the run's model.dat) against its ONNX export (ONNX Runtime), 1 thread each.
        BenchFigure.Print(Bench, $"lmev predict, 128-dim table, TorchSharp, 1 thread, whole command{Load("torch-128")}", titles / t["torch-128"], "titles/s",
            $"lmev predict --onnx, its export, ONNX Runtime, 1 thread, whole command{Load("onnx-128")}", titles / t["onnx-128"]);
        BenchFigure.Print(Bench, $"lmev predict, 128-dim table, TorchSharp, classifying only (its own figure){Load("torch-128")}", t["torch-128-rate"], "titles/s",
            $"lmev predict --onnx, ONNX Runtime, classifying only (its own figure){Load("onnx-128")}", t["onnx-128-rate"]);
        break;
    }
    default:
        Console.Error.WriteLine("usage: lmev-bench-predict titles <test.csv> <titles.txt> | agree <predictions.csv> <test-predictions.csv> | " +
                                "compare <a.csv> <b.csv> | figures <titles> <name=seconds>...");
        return 2;
}
return 0;

static IEnumerable<string> Column(string path, string name)
{
    using var reader = CsvRowReader.Open(path);
    var at = reader.Column(name);
    while (reader.NextNonBlank(out _)) yield return reader.FieldString(at);
}

static List<Dictionary<string, string>> Rows(string path)
{
    var rows = new List<Dictionary<string, string>>();
    using var reader = CsvRowReader.Open(path);
    while (reader.NextNonBlank(out _))
        rows.Add(reader.Header.Select((h, i) => (h, v: reader.FieldString(i))).ToDictionary(x => x.h, x => x.v, StringComparer.Ordinal));
    return rows;
}

// A --top K row's classes and probabilities: predicted/probability, predicted_2/probability_2, …
static Dictionary<string, double> Probabilities(Dictionary<string, string> row)
{
    var result = new Dictionary<string, double>(StringComparer.Ordinal);
    for (var k = 1; row.ContainsKey(k == 1 ? "predicted" : $"predicted_{k}"); k++)
        result[row[k == 1 ? "predicted" : $"predicted_{k}"]] = double.Parse(row[k == 1 ? "probability" : $"probability_{k}"], CultureInfo.InvariantCulture);
    return result;
}
