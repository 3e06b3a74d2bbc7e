using System.Globalization;
using System.Text.Json;
using Lmev.Contracts;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Stages.Embed;
using Lmev.Stages.Model;
using Lmev.Stages.Train;

namespace Lmev.Inference;

/// <summary>
/// Finds a trained run and everything its classifier needs by the links its files record, never by recomputing keys: the
/// published folder's <c>.lmev-published.json</c> names its Train entry, whose manifest names the Split entry (class names),
/// the Model entry (tokeniser, table) or, for a frozen run, the Embed entry, whose own manifest names the Model entry. So a
/// run is found as it was trained even after its experiment's file changed. What is missing is said in one line, with what to do.
/// </summary>
public static class TrainedRuns
{
    /// <param name="root">The project folder (saved_models/ and experiments/ are in it).</param>
    /// <param name="cacheRoot">The stage cache the run was trained in.</param>
    /// <param name="say">Where the choice of the best run is said.</param>
    public static TrainedRun Locate(string root, string cacheRoot, string experiment, string model, RunChoice choice, Action<string> say)
    {
        var modelFolder = ModelFolder(root, experiment, model);
        var runs = Directory.EnumerateDirectories(modelFolder, "run-*")
            .Select(d => (Folder: d, Number: int.TryParse(Path.GetFileName(d)[4..], NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : 0))
            .Where(r => r.Number > 0 && !PublishedFolder.IsLeftover(r.Folder)).OrderBy(r => r.Number).ToList();
        if (runs.Count == 0)
            throw new LmevException($"{Shown(root, modelFolder)}: no run-k folders; train the model first: `lmev train --experiment {experiment} --model {model}`");
        string folder;
        if (choice.Number is { } number)
        {
            folder = runs.FirstOrDefault(r => r.Number == number).Folder
                ?? throw new LmevException($"{Shown(root, modelFolder)}: no run-{number}; its runs: {string.Join(", ", runs.Select(r => r.Number))} (or --run best)");
        }
        else folder = Best(root, runs, say);
        return Open(root, cacheRoot, experiment, model, folder);
    }

    /// <summary>saved_models/&lt;experiment&gt;/&lt;model&gt;/, or why there is none (the experiment never trained, a model it has not).</summary>
    private static string ModelFolder(string root, string experiment, string model)
    {
        var saved = PublishedPlaces.SavedModels(root, experiment);
        if (!Directory.Exists(saved))
        {
            var file = Lmev.Flow.Experiment.FilePath(root, experiment);
            if (!File.Exists(file))
            {
                var known = Directory.Exists(Path.GetDirectoryName(file)) ? Directory.EnumerateFiles(Path.GetDirectoryName(file)!, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToList() : [];
                throw new LmevException($"experiment '{experiment}': no {Shown(root, file)} and no trained runs in {Shown(root, saved)}" +
                    (Suggestions.Closest(experiment, known) is { } close ? $" (did you mean '{close}'?)" : "") +
                    $"; the experiments here: {(known.Count == 0 ? "none" : string.Join(", ", known))}");
            }
            throw new LmevException($"experiment '{experiment}' has never been trained here: {Shown(root, saved)} does not exist; " +
                $"train it first: `dotnet cake --target=Train --experiment={experiment}` (or `lmev train --experiment {experiment} --model {model}` after its earlier steps)");
        }
        var folder = Path.Combine(saved, model);
        if (Directory.Exists(folder)) return folder;
        var trained = Directory.EnumerateDirectories(saved).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        throw new LmevException($"{Shown(root, saved)}: no runs of model '{model}'" +
            (Suggestions.Closest(model, trained) is { } near ? $" (did you mean '{near}'?)" : "") +
            $"; trained models: {(trained.Count == 0 ? "none" : string.Join(", ", trained))}; to train it: `lmev train --experiment {experiment} --model {model}`");
    }

    /// <summary>The run whose best epoch has the highest validation balanced accuracy (ties: the lowest run number), said.</summary>
    private static string Best(string root, List<(string Folder, int Number)> runs, Action<string> say)
    {
        var scored = runs.Select(r =>
        {
            var path = Path.Combine(r.Folder, RunMetrics.FileName);
            if (!File.Exists(path)) return (r.Folder, r.Number, Bac: double.NaN);
            var m = RunMetrics.Read(path);
            var epoch = m.BestEpoch ?? m.EpochsRun;
            return (r.Folder, r.Number, Bac: epoch >= 1 && epoch <= m.Epochs.Count ? m.Epochs[epoch - 1].ValBalancedAccuracy : double.NaN);
        }).ToList();
        var best = scored.Where(s => double.IsFinite(s.Bac)).OrderByDescending(s => s.Bac).ThenBy(s => s.Number).FirstOrDefault();
        if (best.Folder is null)
            throw new LmevException($"{Shown(root, Path.GetDirectoryName(runs[0].Folder)!)}: no run records a validation balanced accuracy (an empty validation split?), " +
                $"so there is no best run; choose one with --run {string.Join("|", runs.Select(r => r.Number))}");
        say($"best run: run-{best.Number}, validation balanced accuracy {best.Bac:F4} at its best epoch " +
            $"(runs: {string.Join(", ", scored.Select(s => $"run-{s.Number} {(double.IsFinite(s.Bac) ? s.Bac.ToString("F4", CultureInfo.InvariantCulture) : "none")}"))})");
        return best.Folder;
    }

    /// <summary>A run's folder and the entries it links to.</summary>
    public static TrainedRun Open(string root, string cacheRoot, string experiment, string model, string folder)
    {
        var shown = Shown(root, folder);
        var number = int.Parse(Path.GetFileName(folder)[4..], CultureInfo.InvariantCulture);
        var slice = $"--experiment {experiment} --model {model} --run {number}";
        var record = PublishedFolder.ReadRecord(folder)
            ?? throw new LmevException($"{shown}: no readable {PublishedFolder.RecordName}, so the cache entries it came from are unknown; " +
                $"publish it again: `lmev train {slice}`");
        var cache = new StageCache(cacheRoot, readOnly: true);
        var source = record.Files.Values.FirstOrDefault(s => s.Stage == "train")
            ?? throw new LmevException($"{shown}/{PublishedFolder.RecordName}: names no Train entry; publish it again: `lmev train {slice}`");
        var trainDir = cache.EntryDirectory(source.Stage, source.Key);
        var trainEntry = $"{source.Stage}/{source.Key}";

        var weights = Path.Combine(folder, TrainStage.Weights);
        if (!File.Exists(weights))
        {
            var leftBehind = PartialEntry.Read(trainDir).Contains(TrainStage.Weights) || !record.Files.ContainsKey(TrainStage.Weights);
            throw new LmevException(leftBehind
                ? $"{shown}: the run's weights ({TrainStage.Weights}) were left behind when it was exported (`lmev cache export --omit {TrainStage.Weights}`), " +
                  $"so it cannot classify here; import an export of {trainEntry} made without --omit {TrainStage.Weights} (`lmev cache import …`), " +
                  $"or train the run on this machine: `lmev train {slice} --force`"
                : $"{shown}/{TrainStage.Weights}: missing (the folder's record lists it); `lmev verify --repair` publishes it again from {trainEntry}, " +
                  $"or train the run again: `lmev train {slice} --force`");
        }
        var parameters = RunParameters.Read(Path.Combine(folder, RunParameters.FileName));
        var metrics = RunMetrics.Read(Path.Combine(folder, RunMetrics.FileName));

        var manifest = Entry(cache, trainDir, trainEntry, "the run's own entry, whose manifest links it to its split and model",
            _ => $"`lmev train {slice}` trains it again (with its split and model cached, or their steps run first)");
        // The command that makes an upstream entry again, as long as the experiment still has the model with the same parameters.
        Func<bool, string> Rebuild(string step, bool perModel = true) => force =>
            $"`lmev {step} --experiment {experiment}{(perModel ? $" --model {model}" : "")}{(force ? " --force" : "")}` rebuilds it while " +
            $"{Shown(root, Lmev.Flow.Experiment.FilePath(root, experiment))} still has {(perModel ? "this model" : "its split")} with the same parameters";
        var classes = ClassNames(InputFile(cache, manifest, "classes", "the run's class names", Rebuild("split", perModel: false)), parameters.Classes);

        switch (parameters.Train.Mode)
        {
            case ModelSpec.Supervised:
                var vocabulary = Path.Combine(folder, TrainStage.FastTextVocabulary);
                if (!File.Exists(vocabulary))
                    throw new LmevException($"{shown}/{TrainStage.FastTextVocabulary}: missing; a fasttext run's vocabulary is part of it: train it again: `lmev train {slice} --force`");
                if (parameters.Train.FastText is null)
                    throw new LmevException($"{shown}/{RunParameters.FileName}: a run of mode '{ModelSpec.Supervised}' without its \"fastText\" settings; train it again: `lmev train {slice} --force`");
                return new TrainedRun(experiment, model, number, folder, RunKind.FastText, parameters, metrics, weights, classes, vocabulary, null, null, trainEntry);
            case ModelSpec.FineTune:
            {
                var modelRebuild = Rebuild("model");
                var onnx = InputFile(cache, manifest, "model", "the table the run started from and its tokeniser", modelRebuild);
                var tokens = InputFile(cache, manifest, "vocabulary", "the model's tokeniser vocabulary", modelRebuild);
                return new TrainedRun(experiment, model, number, folder, RunKind.FineTune, parameters, metrics, weights, classes, tokens, onnx, null, trainEntry);
            }
            case ModelSpec.Frozen:
            {
                if (!manifest.Inputs.TryGetValue("test.npy", out var vectors))
                    throw new LmevException($"{Path.Combine(trainDir, Manifest.FileName)}: a frozen run without its 'test.npy' input; train it again: `lmev train {slice} --force`");
                var embedDir = cache.EntryDirectory(vectors.Stage, vectors.Key);
                var embed = Entry(cache, embedDir, $"{vectors.Stage}/{vectors.Key}", "the entry that records how the run's vectors were made",
                    Rebuild("embed"));
                var settings = EmbedSettingsOf(embed);
                var modelRebuild = Rebuild("model");
                var onnx = InputFile(cache, embed, "model", "the model the run's vectors came from", modelRebuild);
                var vocabularyFile = InputFile(cache, embed, "vocabulary", "the model's vocabulary", modelRebuild);
                foreach (var data in embed.Inputs.Keys.Where(k => k.StartsWith("model-data:", StringComparison.Ordinal)))
                    InputFile(cache, embed, data, "the model's external data", modelRebuild);
                var kind = settings.Kind is ModelSpec.MiniLm or ModelSpec.Transformer ? RunKind.FrozenTransformer : RunKind.FrozenBag;
                return new TrainedRun(experiment, model, number, folder, kind, parameters, metrics, weights, classes, vocabularyFile, onnx, settings, trainEntry);
            }
            default:
                throw new LmevException($"{shown}/{RunParameters.FileName}: mode '{parameters.Train.Mode}', expected {ModelSpec.Frozen}, {ModelSpec.FineTune} or {ModelSpec.Supervised}");
        }
    }

    /// <summary>An entry's manifest, or a line saying it is gone and what it held.</summary>
    private static Manifest Entry(StageCache cache, string dir, string name, string what, Func<bool, string> rebuild)
    {
        if (File.Exists(Path.Combine(dir, Manifest.FileName))) return Manifest.Read(dir);
        throw new LmevException($"cache entry {name} ({what}) is not in the cache {cache.Root} (removed by `lmev gc`? another cache: --cache or LMEV_CACHE?); {rebuild(false)}");
    }

    /// <summary>The file an entry's manifest names as an input, checked present and of the size recorded.</summary>
    private static string InputFile(StageCache cache, Manifest manifest, string input, string what, Func<bool, string> rebuild)
    {
        if (!manifest.Inputs.TryGetValue(input, out var record))
            throw new LmevException($"{Path.Combine(manifest.Directory, Manifest.FileName)}: no input '{input}' ({what}); expected a {manifest.Stage} entry of this lmev: {rebuild(true)}");
        var dir = cache.EntryDirectory(record.Stage, record.Key);
        var path = Path.Combine(dir, record.File);
        var entry = $"{record.Stage}/{record.Key}";
        if (File.Exists(path))
        {
            var size = new FileInfo(path).Length;
            if (size != record.Size)
                throw new LmevException($"{path}: {size:N0} bytes, but {manifest.Stage}/{manifest.Key} was made from {record.Size:N0}; the entry {entry} changed or is damaged: " +
                    $"`lmev verify --repair` removes damaged entries; then {rebuild(false)}");
            return path;
        }
        if (!File.Exists(Path.Combine(dir, Manifest.FileName)))
            throw new LmevException($"cache entry {entry} ({what}: {record.File}) is not in the cache {cache.Root} (removed by `lmev gc`? another cache: --cache or LMEV_CACHE?); {rebuild(false)}");
        if (PartialEntry.Read(dir).Contains(record.File))
            throw new LmevException($"{path}: {what} was left behind when {entry} was imported ({PartialEntry.FileName}: an export with --omit or --manifests-only); " +
                $"import an export that holds it, or: {rebuild(true)}");
        throw new LmevException($"{path}: missing from {entry} ({what}); `lmev verify --repair` removes the damaged entry; then {rebuild(false)}");
    }

    private static EmbedSettings EmbedSettingsOf(Manifest embed)
    {
        EmbedParams? p;
        try { p = embed.Params?.Deserialize<EmbedParams>(CanonicalJson.Options); }
        catch (JsonException e) { throw new LmevException($"{Path.Combine(embed.Directory, Manifest.FileName)}: params are not an Embed step's ({e.Message})", e); }
        if (p is null) throw new LmevException($"{Path.Combine(embed.Directory, Manifest.FileName)}: no params; expected an Embed step's");
        return new EmbedSettings(p.Kind, p.BatchSize, p.MaxTokens, p.L2Normalize);
    }

    /// <summary>The class names by label, from the split's classes.csv (label,category,…).</summary>
    private static IReadOnlyList<string> ClassNames(string path, int expected)
    {
        var names = new List<string>();
        using var reader = CsvRowReader.Open(path);
        var (label, category) = (reader.Column("label"), reader.Column("category"));
        while (reader.NextNonBlank(out var problem))
        {
            if (problem != RowProblem.None || !int.TryParse(reader.Field(label), NumberStyles.None, CultureInfo.InvariantCulture, out var l) || l != names.Count)
                throw new LmevException($"{path}:{reader.LineNumber}: expected label {names.Count} with its category; the split entry is damaged: `lmev verify --repair`");
            names.Add(reader.FieldString(category));
        }
        if (names.Count != expected)
            throw new LmevException($"{path}: {names.Count} classes, but the run's {RunParameters.FileName} says {expected}; the run and this split do not belong together");
        return names;
    }

    /// <summary>A path as messages show it: relative to the project when inside it.</summary>
    internal static string Shown(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
