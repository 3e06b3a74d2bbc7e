using System.Globalization;
using System.Text.RegularExpressions;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Contracts;

namespace Lmev.Stages.Aggregate;

/// <summary>
/// Reads the original study's published runs (<c>reference-runs.csv</c>:
/// <c>run_id,tfhub_model,bac,epochs_run,gpu,output_dim,train_seconds,best_val_loss</c>) as
/// <see cref="RunMetrics"/>, so they can go through Aggregate, Plot and Report like our own.
/// The model is the TF-Hub handle's last path part before the version
/// (<c>…/google/nnlm-es-dim50-with-normalization/2</c> → <c>nnlm-es-dim50-with-normalization</c>);
/// runs are numbered 1, 2, … per model in file order. What the study did not record (seed,
/// per-epoch losses, accuracy, wall time) is null or empty.
/// </summary>
public static partial class ReferenceRuns
{
    // The study's protocol (../shared/data/README.md): 1,000,000 training rows of which Keras held
    // out the last 5 % for validation, 25,000 test rows, the embedding layer trainable.
    public const long TrainRows = 950_000, ValRows = 50_000, TestRows = 25_000;

    [GeneratedRegex(@"^nnlm-(?<lang>[a-z]{2})-dim(?<dim>\d+)(?<norm>-with-normalization)?$")]
    private static partial Regex NnlmName();

    public static IReadOnlyList<RunMetrics> Read(string path, string experiment = "meli2019")
    {
        using var reader = CsvRowReader.Open(path);
        string[] names = ["run_id", "tfhub_model", "bac", "epochs_run", "gpu", "output_dim", "train_seconds", "best_val_loss"];
        var col = names.ToDictionary(n => n, reader.Column);
        var runs = new List<RunMetrics>();
        var perModel = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.NextNonBlank(out var problem))
        {
            var line = reader.LineNumber;
            if (problem != RowProblem.None) throw new LmevException($"{path}:{line}: {CsvRowReader.Describe(problem)}");
            string F(string c) => reader.FieldString(col[c]);
            T Num<T>(string c) where T : IParsable<T> =>
                T.TryParse(F(c), CultureInfo.InvariantCulture, out var v) ? v
                    : throw new LmevException($"{path}:{line}: column '{c}': expected a {typeof(T).Name}, found '{F(c)}'");

            var handle = F("tfhub_model").TrimEnd('/');
            var parts = handle.Split('/');
            var model = parts.Length >= 2 && int.TryParse(parts[^1], CultureInfo.InvariantCulture, out _) ? parts[^2] : parts[^1];
            var match = NnlmName().Match(model);
            if (!match.Success)
                throw new LmevException($"{path}:{line}: column 'tfhub_model': expected a TF-Hub NNLM handle such as '…/nnlm-es-dim50-with-normalization/2', found '{handle}'");
            var run = perModel[model] = perModel.GetValueOrDefault(model) + 1;
            var epochs = Num<int>("epochs_run");
            runs.Add(new RunMetrics(
                experiment, model, match.Groups["lang"].Value, int.Parse(match.Groups["dim"].Value, CultureInfo.InvariantCulture),
                match.Groups["norm"].Success, "fine-tune", run, Seed: null, Num<int>("output_dim"), TrainRows, ValRows, TestRows,
                Epochs: [], epochs, BestEpoch: null, Num<double>("best_val_loss"), new TestMetrics(Num<double>("bac")),
                Num<double>("train_seconds"), WallSeconds: null, F("gpu"), Threads: null,
                new SortedDictionary<string, string>(StringComparer.Ordinal)));
        }
        return runs;
    }
}
