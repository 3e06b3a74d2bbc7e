using System.Text;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Contracts;

namespace Lmev.Stages.Split;

/// <summary>
/// Splits the sample as the study did: a seeded shuffle, the first <c>testRows</c> rows for test,
/// then the last <c>validationFraction</c> of the rest for validation (Keras' validation_split),
/// the remainder for training. Class ids follow the sorted (ordinal) category names of the whole
/// sample, so they are stable across runs and seeds. Outputs: <c>train.csv</c>, <c>val.csv</c>,
/// <c>test.csv</c> (<c>title,category,label</c>) and <c>classes.csv</c> (<c>label,category,train,val,test</c>).
/// With split.testSource (<paramref name="test"/>: its rows after the filter) the test split is exactly those
/// rows, in their order, and the shuffled sample gives validation and training only; class ids then follow the
/// categories of both. A test row whose category never occurs in training is kept (no model can predict it) and
/// counted, and so is a test title that is also a training title.
/// </summary>
public sealed class SplitStage(SplitParams p, Artifact sample, string unit = "", Artifact? test = null) : IStage
{
    /// <summary>Report keys (with split.testSource): test rows whose category is not in train; test rows whose title is a training title.</summary>
    public const string TestRowsCategoryNotInTrain = "testRowsCategoryNotInTrain", TestTitlesInTrain = "testTitlesInTrain";

    public string Name => "split";

    public int Version => 1;

    /// <summary>"" for the sample the runs share; <c>run-k</c> for run k's own (runs.resample).</summary>
    public string Unit => unit;

    public object Params => p;

    public IReadOnlyDictionary<string, Artifact> Inputs { get; } = test is null
        ? new Dictionary<string, Artifact> { ["sample"] = sample }
        : new Dictionary<string, Artifact> { ["sample"] = sample, ["test"] = test };

    private static void Read(string path, List<(byte[] Title, string Category)> rows, string writer)
    {
        using var reader = CsvRowReader.Open(path);
        var title = reader.Column("title");
        var category = reader.Column("category");
        while (reader.NextNonBlank(out var problem))
        {
            if (problem != RowProblem.None)
                throw new LmevException($"{path}:{reader.LineNumber}: {CsvRowReader.Describe(problem)} in a file written by {writer}; rerun {writer} with --force");
            rows.Add((reader.Field(title).ToArray(), reader.FieldString(category)));
        }
    }

    public void Run(StageContext context)
    {
        var path = context.Input("sample");
        var rows = new List<(byte[] Title, string Category)>();
        Read(path, rows, "sample");
        var sampled = rows.Count;
        if (test is not null) Read(context.Input("test"), rows, "filter-spanish");   // after the sample's rows
        var testRows = test is null ? p.TestRows : rows.Count - sampled;
        if (test is null && rows.Count <= p.TestRows)
            throw new LmevException($"{path}: split.testRows is {p.TestRows:N0} but the sample has only {rows.Count:N0} rows; lower split.testRows or raise sample.rows");

        var order = Enumerable.Range(0, sampled).ToArray();
        SeededRandom.For(p.Seed, "split").Shuffle(order);
        var rest = sampled - (test is null ? p.TestRows : 0);
        var validation = (int)Math.Round(rest * p.ValidationFraction, MidpointRounding.AwayFromZero);
        var start = test is null ? p.TestRows : 0;
        var parts = new Dictionary<string, ArraySegment<int>>
        {
            // The named file's rows as they are, or the first testRows of the shuffled sample.
            ["test"] = test is null ? new(order, 0, p.TestRows) : new(Enumerable.Range(sampled, testRows).ToArray()),
            ["train"] = new(order, start, rest - validation),
            ["val"] = new(order, start + rest - validation, validation),
        };

        var classes = rows.Select(r => r.Category).Distinct().Order(StringComparer.Ordinal).ToArray();
        var label = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var counts = SplitFiles.Names.ToDictionary(s => s, _ => new int[classes.Length]);
        foreach (var split in SplitFiles.Names)
        {
            using var writer = CsvWriter.Create(context.OutputPath($"{split}.csv"));
            writer.Row("title", "category", "label");
            foreach (var i in parts[split])
            {
                var (title, category) = rows[i];
                var id = label[category];
                counts[split][id]++;
                writer.Field(title);
                writer.Field(category);
                writer.Field(id);
                writer.EndRow();
            }
        }
        using (var writer = CsvWriter.Create(context.OutputPath("classes.csv")))
        {
            writer.Row("label", "category", "train", "val", "test");
            for (var id = 0; id < classes.Length; id++)
            {
                writer.Field(id);
                writer.Field(classes[id]);
                foreach (var split in SplitFiles.Names) writer.Field(counts[split][id]);
                writer.EndRow();
            }
        }

        var unseen = Enumerable.Range(0, classes.Length).Where(id => counts["train"][id] == 0).Select(id => classes[id]).ToArray();
        var single = Enumerable.Range(0, classes.Length).Count(id => counts["train"][id] == 1);
        context.Log($"train {parts["train"].Count:N0}, val {parts["val"].Count:N0}, test {parts["test"].Count:N0} rows; {classes.Length:N0} classes");
        if (unseen.Length > 0)
            context.Log($"{unseen.Length} categories appear in val/test but not in train: {string.Join(", ", unseen.Take(20))}{(unseen.Length > 20 ? ", …" : "")}");
        foreach (var split in SplitFiles.Names) context.Report[$"{split}Rows"] = parts[split].Count;
        context.Report["classes"] = classes.Length;
        context.Report["classesWithOneTrainingRow"] = single;
        context.Report["categoriesNotInTrain"] = new System.Text.Json.Nodes.JsonArray(unseen.Select(c => (System.Text.Json.Nodes.JsonNode?)c).ToArray());
        if (test is not null)
        {
            var notInTrain = parts["test"].Count(i => counts["train"][label[rows[i].Category]] == 0);
            var trainTitles = new HashSet<string>(parts["train"].Select(i => Convert.ToHexString(rows[i].Title)), StringComparer.Ordinal);
            var shared = parts["test"].Where(i => trainTitles.Contains(Convert.ToHexString(rows[i].Title))).ToList();
            context.Report[TestRowsCategoryNotInTrain] = notInTrain;
            context.Report[TestTitlesInTrain] = shared.Count;
            context.Log($"test: the {testRows:N0} rows of split.testSource '{p.TestSource}'; {notInTrain:N0} of them have a category not in train (kept; no model can predict them), " +
                        $"{shared.Count:N0} have a title also in train" +
                        (shared.Count > 0 ? $": {string.Join(" | ", shared.Take(5).Select(i => Encoding.UTF8.GetString(rows[i].Title)))}{(shared.Count > 5 ? " | …" : "")}" : ""));
            context.Report["testTitlesInTrainExamples"] = new System.Text.Json.Nodes.JsonArray(shared.Take(20).Select(i => (System.Text.Json.Nodes.JsonNode?)Encoding.UTF8.GetString(rows[i].Title)).ToArray());
        }
    }
}
