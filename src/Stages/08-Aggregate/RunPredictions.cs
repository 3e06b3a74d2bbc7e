using System.Globalization;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Contracts.Results;
using Lmev.Stages.Aggregate.Statistics;

namespace Lmev.Stages.Aggregate;

/// <summary>
/// The test predictions of the usable runs (<c>test-predictions.csv</c>) and their splits' class counts
/// (<c>classes.csv</c>), with every category given one index across runs: what the bootstrap, the
/// per-class recall and the confusions read.
/// </summary>
internal sealed class RunPredictions
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly Dictionary<(string Model, int Run), (int[] Truth, int[] Predicted)> _runs = [];
    private readonly Dictionary<(string Model, int Run), Dictionary<int, int>> _train = [];

    public int Count => _runs.Count;

    public bool Has(string model, int run) => _runs.ContainsKey((model, run));

    /// <summary>Reads one run's predictions and class counts; a malformed file is an error naming it.</summary>
    public void Add(string model, int run, string predictions, string? classes)
    {
        using (var reader = CsvRowReader.Open(predictions))
        {
            int category = Column(reader, predictions, "category"), predicted = Column(reader, predictions, "predicted");
            var truth = new List<int>();
            var guess = new List<int>();
            while (reader.NextNonBlank(out var problem))
            {
                if (problem != RowProblem.None) throw new LmevException($"{predictions}:{reader.LineNumber}: {CsvRowReader.Describe(problem)}; expected the test-predictions.csv written by train");
                truth.Add(Index(reader.FieldString(category)));
                guess.Add(Index(reader.FieldString(predicted)));
            }
            _runs[(model, run)] = (truth.ToArray(), guess.ToArray());
        }
        if (classes is null) return;
        using var c = CsvRowReader.Open(classes);
        int name = Column(c, classes, "category"), train = Column(c, classes, "train");
        var counts = new Dictionary<int, int>();
        while (c.NextNonBlank(out var problem))
        {
            var text = c.FieldString(train);
            if (problem != RowProblem.None || !int.TryParse(text, CultureInfo.InvariantCulture, out var n))
                throw new LmevException($"{classes}:{c.LineNumber}: column 'train': expected a row count, found '{text}'; expected the classes.csv written by split");
            counts[Index(c.FieldString(name))] = n;
        }
        _train[(model, run)] = counts;
    }

    private static int Column(CsvRowReader reader, string path, string name) => reader.Column(name); // the error names the file

    private int Index(string category)
    {
        if (_index.TryGetValue(category, out var i)) return i;
        _names.Add(category);
        return _index[category] = _names.Count - 1;
    }

    /// <summary>The run's titles scored for balanced accuracy.</summary>
    public ScoredTitles Scored(string model, int run)
    {
        var (truth, predicted) = _runs[(model, run)];
        return new ScoredTitles(truth, truth.Select((t, i) => predicted[i] == t).ToArray(), _names.Count);
    }

    /// <summary>Per-class recall of a model over the given runs, and its confusions, largest first.</summary>
    public (List<ClassRecall> Classes, List<Confusion> Confusions) Errors(string model, IReadOnlyList<int> runs)
    {
        var support = new Dictionary<int, int>();
        var correct = new Dictionary<int, int>();
        var confused = new Dictionary<(int, int), int>();
        foreach (var run in runs)
        {
            var (truth, predicted) = _runs[(model, run)];
            for (var i = 0; i < truth.Length; i++)
            {
                support[truth[i]] = support.GetValueOrDefault(truth[i]) + 1;
                if (predicted[i] == truth[i]) correct[truth[i]] = correct.GetValueOrDefault(truth[i]) + 1;
                else confused[(truth[i], predicted[i])] = confused.GetValueOrDefault((truth[i], predicted[i])) + 1;
            }
        }
        var trainRuns = runs.Where(r => _train.ContainsKey((model, r))).ToList();
        double Train(int c) => trainRuns.Count == 0 ? double.NaN : trainRuns.Average(r => (double)_train[(model, r)].GetValueOrDefault(c));
        var classes = support.Select(s => new ClassRecall(_names[s.Key], s.Value, correct.GetValueOrDefault(s.Key), correct.GetValueOrDefault(s.Key) / (double)s.Value, Train(s.Key)))
            .OrderBy(c => c.Recall).ThenByDescending(c => c.Support).ThenBy(c => c.Category, StringComparer.Ordinal).ToList();
        var confusions = confused.Select(x => new Confusion(_names[x.Key.Item1], _names[x.Key.Item2], x.Value, x.Value / (double)support[x.Key.Item1]))
            .OrderByDescending(x => x.Count).ThenBy(x => x.True, StringComparer.Ordinal).ThenBy(x => x.Predicted, StringComparer.Ordinal).ToList();
        return (classes, confusions);
    }
}
