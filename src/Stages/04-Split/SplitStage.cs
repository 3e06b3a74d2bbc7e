using System.Text;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;

namespace Lmev.Stages.Split;

/// <summary>
/// Splits the sample as the study did: a seeded shuffle, the first <c>testRows</c> rows for test,
/// then the last <c>validationFraction</c> of the rest for validation (Keras' validation_split),
/// the remainder for training. Class ids follow the sorted (ordinal) category names of the whole
/// sample, so they are stable across runs and seeds. Outputs: <c>train.csv</c>, <c>val.csv</c>,
/// <c>test.csv</c> (<c>title,category,label</c>) and <c>classes.csv</c> (<c>label,category,train,val,test</c>).
/// </summary>
public sealed class SplitStage(SplitParams p, Artifact sample, string unit = "") : IStage
{

    public string Name => "split";

    public int Version => 1;

    /// <summary>"" for the sample the runs share; <c>run-k</c> for run k's own (runs.resample).</summary>
    public string Unit => unit;

    public object Params => p;

    public IReadOnlyDictionary<string, Artifact> Inputs { get; } = new Dictionary<string, Artifact> { ["sample"] = sample };

    public void Run(StageContext context)
    {
        var path = context.Input("sample");
        var rows = new List<(byte[] Title, string Category)>();
        using (var reader = CsvRowReader.Open(path))
        {
            var title = reader.Column("title");
            var category = reader.Column("category");
            while (reader.NextNonBlank(out var problem))
            {
                if (problem != RowProblem.None)
                    throw new LmevException($"{path}:{reader.LineNumber}: {CsvRowReader.Describe(problem)} in a file written by sample; rerun sample with --force");
                rows.Add((reader.Field(title).ToArray(), reader.FieldString(category)));
            }
        }
        if (rows.Count <= p.TestRows)
            throw new LmevException($"{path}: split.testRows is {p.TestRows:N0} but the sample has only {rows.Count:N0} rows; lower split.testRows or raise sample.rows");

        var order = Enumerable.Range(0, rows.Count).ToArray();
        SeededRandom.For(p.Seed, "split").Shuffle(order);
        var rest = rows.Count - p.TestRows;
        var validation = (int)Math.Round(rest * p.ValidationFraction, MidpointRounding.AwayFromZero);
        var parts = new Dictionary<string, ArraySegment<int>>
        {
            ["test"] = new(order, 0, p.TestRows),
            ["train"] = new(order, p.TestRows, rest - validation),
            ["val"] = new(order, p.TestRows + rest - validation, validation),
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
    }
}
