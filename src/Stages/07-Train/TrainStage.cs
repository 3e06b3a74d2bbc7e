using System.Diagnostics;
using System.Runtime.InteropServices;
using Lmev.Models;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Pipeline.Npy;
using Lmev.Training;
using Lmev.Training.FastText;
using Lmev.Contracts;

namespace Lmev.Stages.Train;

/// <summary>
/// Trains the study's MLP (Dense 512 ReLU → Dropout → Dense 512 ReLU → Dropout → Dense classes;
/// Adam, cross-entropy, early stopping on validation loss with the best weights restored) for one
/// model and one run, and scores it on the test split. Frozen mode reads the Embed stage's
/// matrices; fine-tune mode trains the bag-of-embeddings table too, tokenising the titles itself.
/// A fasttext model (mode <c>supervised</c>) is no MLP: fastText's classifier, its vocabulary built here
/// from train.csv (it is part of the training, as in fastText), trained by <see cref="FastTextTrainer"/>.
/// Outputs: <c>model.dat</c> (TorchSharp weights), <c>params.json</c> (<see cref="RunParameters"/>), <c>metrics.json</c>,
/// <c>test-predictions.csv</c> (<c>title,category,predicted</c>); fasttext also <c>vocabulary.txt</c>
/// (<c>word\tcount</c>, in the order of the table's rows).
/// The device is asked for, not a parameter (<paramref name="requestedDevice"/>, decided with <paramref name="probe"/>), and the
/// run's labels (<paramref name="labels"/>) are written beside its results, not read: both stay out of the key.
/// </summary>
public sealed class TrainStage(TrainParams p, TrainLabels labels, IReadOnlyDictionary<string, Artifact> inputs, int threads,
    DeviceRequest requestedDevice = DeviceRequest.Auto, CudaProbe? probe = null) : IStage
{
    public const string Weights = "model.dat";
    public const string Predictions = "test-predictions.csv";
    public const string FastTextVocabulary = "vocabulary.txt";

    public string Name => "train";

    // 2: fine-tune mode trains the table it is given (before, TorchSharp's EmbeddingBag_from_pretrained left it frozen);
    // 3: the key holds the MLP's settings as one record and no longer the run's labels (experiment, language, normalisation).
    public int Version => 3;

    public string Unit => $"{p.Model}/run-{p.Run}";

    public object Params => p;

    /// <summary>Frozen: train/val/test .npy and .csv and classes.csv; fine-tune: the model's onnx (+ data) and vocabulary instead of the .npy.</summary>
    public IReadOnlyDictionary<string, Artifact> Inputs { get; } = inputs;

    /// <summary>What every kind of run ends with: its test predictions and how it trained (its weights are saved by then).</summary>
    private sealed record TrainedRun(int[] Predicted, int BestEpoch, string Device, double Seconds, int Threads);

    public void Run(StageContext context)
    {
        var wall = Stopwatch.StartNew();
        TorchRuntime.EnsureLoaded();
        var choice = DeviceChoice.Decide(requestedDevice, probe ?? CudaProbe.Torch);
        if (choice.Refusal is { } refusal) throw new LmevException($"train [{Unit}]: {refusal}");
        if (choice.Fallback is { } fallback) context.Log(fallback);
        var classes = CountClasses(context.Input("classes"));
        var splits = SplitFiles.Names.ToDictionary(s => s, s => ReadSplit(context.Input($"{s}.csv")));
        // On disk, not a second copy of a fine-tuned table in memory; bit-identical either way.
        var options = new TrainerOptions(threads, choice.UseCuda, Path.Combine(context.ScratchDirectory, "best-weights.dat"));
        if (splits["val"].Labels.Length == 0)
            context.Log("warning: the validation split is empty: training every epoch without early stopping and keeping the last weights");

        var epochs = new List<EpochMetrics>();
        var maxEpochs = p.FastText?.Epochs ?? p.Mlp!.Epochs;
        void OnEpoch(EpochRecord e)
        {
            epochs.Add(new EpochMetrics(e.Epoch, e.Loss, e.ValLoss, e.ValBalancedAccuracy, e.Seconds));
            context.Log($"epoch {e.Epoch}/{maxEpochs}: loss {e.Loss:F4}, val loss {e.ValLoss:F4}, val BAC {e.ValBalancedAccuracy:F4} ({e.Seconds:F1} s, RSS {Environment.WorkingSet >> 20} MiB)");
        }
        // Predicts the test split and saves the weights: how each kind of run below ends.
        TrainedRun Finish<TInput>(TrainedModel<TInput> trained, TInput test)
        {
            using (trained)
            {
                var predicted = trained.Predict(test);
                trained.Module.save(context.OutputPath(Weights));
                return new TrainedRun(predicted, trained.BestEpoch, trained.Device, trained.Seconds, trained.Threads);
            }
        }

        TrainedRun run;
        if (p.FastText is { } ft)
        {
            var dictionary = FastTextDictionary.Build(splits["train"].Titles, ft.MinCount, ft.WordNgrams, ft.Buckets);
            dictionary.Write(context.OutputPath(FastTextVocabulary));
            context.Log($"fastText vocabulary: {dictionary.Words.Count:N0} words (minCount {ft.MinCount}) + {dictionary.Buckets:N0} n-gram buckets, dim {ft.Dim}");
            context.Report["vocabulary"] = dictionary.Words.Count;
            var bags = splits.ToDictionary(s => s.Key, s => dictionary.Bags(s.Value.Titles));
            run = Finish(FastTextTrainer.Train(dictionary, bags["train"], splits["train"].Labels, bags["val"], splits["val"].Labels,
                classes, ft, p.Seed, threads, onEpoch: OnEpoch), bags["test"]);
        }
        else if (p.Mode == ModelSpec.FineTune)
        {
            BagOfEmbeddingsModel? model = BagOfEmbeddingsModel.Load(context.Input("model"));
            var tokenizer = NnlmTokenizer.Load(context.Input("vocabulary"), model.Spec.NumOovBuckets, model.Spec.Tokenizer);
            var bags = splits.ToDictionary(s => s.Key, s => tokenizer.Bags(s.Value.Titles));
            // The loaded table is handed over and forgotten (model = null): the trainer copies it into its
            // tensor and collects this array, so a 500 MB NNLM table is not held twice through training.
            FeatureMatrix HandOverTable()
            {
                var table = Table(model!);
                model = null;
                return table;
            }
            var combiner = model.Spec.Combiner switch
            {
                BagOfEmbeddingsSpec.Mean => BagCombiner.Mean,
                BagOfEmbeddingsSpec.Sum => BagCombiner.Sum,
                _ => BagCombiner.SqrtN,
            };
            run = Finish(Trainer.FineTune(HandOverTable, bags["train"], splits["train"].Labels, bags["val"], splits["val"].Labels, classes,
                p.Mlp!, p.Seed, options, OnEpoch, combiner), bags["test"]);
        }
        else
        {
            var features = splits.ToDictionary(s => s.Key, s => Features(context.Input($"{s.Key}.npy"), s.Value.Labels.Length, context.Input($"{s.Key}.csv")));
            run = Finish(Trainer.Train(features["train"], splits["train"].Labels, features["val"], splits["val"].Labels, classes,
                p.Mlp!, p.Seed, options, OnEpoch), features["test"]);
        }

        var test = splits["test"];
        var metrics = new RunMetrics(
            labels.Experiment, p.Model, labels.Language, p.Dim, labels.Normalization, p.Mode, p.Run, (ulong)p.Seed, classes,
            splits["train"].Labels.Length, splits["val"].Labels.Length, test.Labels.Length,
            epochs, epochs.Count, run.BestEpoch, epochs.Count == 0 ? double.NaN : epochs[run.BestEpoch - 1].ValLoss,
            new TestMetrics(
                ClassificationMetrics.BalancedAccuracy(test.Labels, run.Predicted),
                ClassificationMetrics.Accuracy(test.Labels, run.Predicted),
                ClassificationMetrics.MacroF1(test.Labels, run.Predicted)),
            run.Seconds, wall.Elapsed.TotalSeconds, run.Device, run.Threads,
            new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3) ?? "?",
                ["lmev"] = HostInfo.LmevVersion,
            },
            DeviceRequested: choice.Requested.ToString().ToLowerInvariant())
        { Baseline = p.FastText is not null };
        if (choice.UseCuda && !run.Device.StartsWith("cuda", StringComparison.Ordinal))
            context.Log($"warning: CUDA was chosen but libtorch trained on {run.Device} (a CPU-only libtorch in a -p:Gpu=true build?)");
        metrics.Write(context.OutputPath(RunMetrics.FileName));
        new RunParameters(RunConfiguration(), run.Threads, classes).Write(context.OutputPath(RunParameters.FileName));
        WritePredictions(context.OutputPath(Predictions), test, run.Predicted, context.Input("classes"));

        context.Device = run.Device;
        context.Report["deviceRequested"] = metrics.DeviceRequested;
        context.Versions["torchsharp"] = metrics.Versions["torchsharp"];
        context.Report["testBalancedAccuracy"] = metrics.Test.BalancedAccuracy;
        context.Report["epochsRun"] = epochs.Count;
        context.Log($"test balanced accuracy {metrics.Test.BalancedAccuracy:F4}, accuracy {metrics.Test.Accuracy:F4}, macro-F1 {metrics.Test.MacroF1:F4} " +
                    $"after {epochs.Count} epochs (best {run.BestEpoch}) on {run.Device}");
    }

    /// <summary>
    /// The run's configuration as params.json gives it to a reader (<see cref="RunParameters"/>: one flat object, the run, its labels
    /// and its settings; for a fasttext run the settings it trained with and no MLP), a format of its own that does not follow the key's shape.
    /// </summary>
    private RunConfiguration RunConfiguration()
    {
        var mlp = p.Mlp ?? new MlpSettings { Epochs = p.FastText!.Epochs, BatchSize = p.FastText.BatchSize, LearningRate = p.FastText.LearningRate, Dropout = 0, Hidden = 0, Patience = 0 };
        return new RunConfiguration(labels.Experiment, p.Model, labels.Language, p.Dim, labels.Normalization, p.Mode, p.Run, p.Seed,
            mlp.Epochs, mlp.BatchSize, mlp.Dropout, mlp.Hidden, mlp.LearningRate, mlp.Patience)
        {
            FastText = p.FastText is { } ft
                ? new FastTextConfiguration(ft.LearningRate, ft.Epochs, ft.Dim, ft.WordNgrams, ft.Buckets, ft.MinCount, ft.BatchSize, ft.HashedRows)
                : null,
        };
    }

    private sealed record SplitRows(List<string> Titles, List<string> Categories, int[] Labels);

    private static SplitRows ReadSplit(string path)
    {
        var titles = new List<string>();
        var categories = new List<string>();
        var labels = new List<int>();
        using var reader = CsvRowReader.Open(path);
        var (t, c, l) = (reader.Column("title"), reader.Column("category"), reader.Column("label"));
        while (reader.NextNonBlank(out var problem))
        {
            if (problem != RowProblem.None || !int.TryParse(reader.Field(l), out var label) || label < 0)
                throw new LmevException($"{path}:{reader.LineNumber}: expected a row title,category,label with a non-negative label; rerun split with --force");
            titles.Add(reader.FieldString(t));
            categories.Add(reader.FieldString(c));
            labels.Add(label);
        }
        return new SplitRows(titles, categories, labels.ToArray());
    }

    private static int CountClasses(string path)
    {
        var n = 0;
        using var reader = CsvRowReader.Open(path);
        while (reader.NextNonBlank(out _)) n++;
        if (n < 2) throw new LmevException($"{path}: {n} class(es); a classifier needs at least 2");
        return n;
    }

    /// <summary>The Embed stage's matrix for a split; its row count must match the split's CSV.</summary>
    private static FeatureMatrix Features(string npy, int expectedRows, string csv)
    {
        var (values, rows, columns) = NpyReader.Read(npy);
        if (rows != expectedRows)
            throw new LmevException($"{npy}: {rows:N0} rows, but {csv} has {expectedRows:N0}; the embeddings do not belong to this split (rerun embed with --force)");
        for (var i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new LmevException($"{npy}: row {i / columns + 1}, column {i % columns + 1} is {values[i]}; expected finite embeddings (rerun embed with --force)");
        return new FeatureMatrix(values, (int)rows, columns);
    }

    /// <summary>The model's table as a feature matrix, sharing its array (not copied).</summary>
    private static FeatureMatrix Table(BagOfEmbeddingsModel model)
    {
        if (!MemoryMarshal.TryGetArray(model.Table, out var values) || values.Offset != 0 || values.Count != values.Array!.Length)
            throw new InvalidOperationException("BagOfEmbeddingsModel.Table is expected to wrap a whole array.");
        return new FeatureMatrix(values.Array, checked((int)model.Spec.RowCount), model.Spec.Dim);
    }


    private static void WritePredictions(string path, SplitRows test, int[] predicted, string classesPath)
    {
        var names = new List<string>();
        using (var reader = CsvRowReader.Open(classesPath))
        {
            var category = reader.Column("category");
            while (reader.NextNonBlank(out _)) names.Add(reader.FieldString(category));
        }
        using var writer = CsvWriter.Create(path);
        writer.Row("title", "category", "predicted");
        for (var i = 0; i < predicted.Length; i++) writer.Row(test.Titles[i], test.Categories[i], names[predicted[i]]);
    }
}
