using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Stages.Model;
using Lmev.Stages.Train;
using Lmev.Training;
using Lmev.Contracts;

namespace Lmev.Flow.Steps;

/// <summary>
/// Train: each model's runs on its split — the study's MLP on the Embed step's vectors (frozen), on the Model step's table trained
/// with it (fine-tune), or fastText's classifier on the titles — each run seeded from the experiment's seed, the model and the run
/// number. Publishes each run to saved_models/&lt;experiment&gt;/&lt;model&gt;/run-k/.
/// </summary>
internal sealed class TrainStep(ExperimentFlow flow) : StepWiring(flow, "train")
{
    public override IStage Build(Unit unit)
    {
        var spec = unit.Model!;
        var run = unit.Run!.Value;
        var t = Experiment.Train;
        var mode = Experiment.ModeOf(spec);
        var split = Flow.SplitFor(unit);
        var inputs = new Dictionary<string, Artifact>
        {
            ["classes"] = split.Output("classes.csv"),
            ["train.csv"] = split.Output("train.csv"),
            ["val.csv"] = split.Output("val.csv"),
            ["test.csv"] = split.Output("test.csv"),
        };
        // Each run's seed follows from the experiment's seed, the model and the run number, and is recorded.
        var seed = (long)RunSeeds.For(t.Seed, $"train/{spec.Name}/run-{run}");
        // What a run is called, beside its key: renaming the experiment or relabelling the model trains nothing again.
        var labels = new TrainLabels(Experiment.Name, spec.Language, spec.Normalizes);
        if (spec.Kind == ModelSpec.FastText)
        {
            // fastText's protocol, not the study's: its own settings; the vocabulary is built from train.csv by Train.
            var ft = FastTextModels.Settings(spec);
            return new TrainStage(new TrainParams(spec.Name, mode, ft.Dim, run, seed, FastText: ft), labels with { Normalization = false }, inputs,
                // One thread unless train.threads says: a batch's ops are small (its rows, a classes × dim layer), and on a busy
                // machine libtorch's second thread costs more in waiting than it brings (index_select of 32 titles' rows:
                // 0.4 ms on one thread, 32 ms on two, at load 23 on 2 cores).
                t.Threads > 0 ? t.Threads : 1);
        }
        var model = Flow.Get("model", new Unit(spec));
        if (mode == ModelSpec.FineTune)
        {
            inputs["model"] = model.Output(ModelStage.OnnxFile);
            inputs["vocabulary"] = model.Output(ModelStage.VocabularyFile(spec));
            foreach (var data in model.Outputs.Keys.Where(f => f.StartsWith(ModelStage.OnnxFile + ".", StringComparison.Ordinal)))
                inputs[$"model-data:{data}"] = model.Output(data);
        }
        else
        {
            var embed = Flow.Get("embed", new Unit(spec, Experiment.Resample ? run : null));
            foreach (var s in SplitFiles.Names) inputs[$"{s}.npy"] = embed.Output($"{s}.npy");
        }
        var dim = (int?)model.Report["dim"] ?? spec.Dim;
        // The device is asked for (--device over train.device), never part of the key.
        var device = Flow.Options.Device ?? t.Device ?? DeviceRequest.Auto;
        return new TrainStage(new TrainParams(spec.Name, mode, dim, run, seed, Mlp: t.Mlp()), labels, inputs, t.Threads, device, Flow.Options.CudaProbe);
    }

    /// <summary>Each run to saved_models/; a run imported without its weights (cache export --omit model.dat) is published without them.</summary>
    public override void Publish(IReadOnlyList<Manifest> runs)
    {
        var root = Flow.Options.Root;
        var done = runs.Aggregate(PublishedFolder.Outcome.None, (sum, m) =>
            sum.Add(PublishedFolder.Publish(m.PresentOutputs.Select(m.Output), PublishedPlaces.SavedModels(root, Experiment.Name, m.Unit), Experiment.Name, Name)));
        Flow.Options.Log($"train: published {runs.Count} run{(runs.Count == 1 ? "" : "s")} to {PublishedPlaces.SavedModels(root, Experiment.Name)}: {done}");
    }

    /// <summary>
    /// Every run's metrics.json, test predictions and its split's classes.csv, for Aggregate and Plot; a run not in the cache is
    /// passed as missing, and the report says so. With none trained, Aggregate (and so Plot and Report) is not ready, as any step
    /// whose input is missing, unless <see cref="FlowOptions.Partial"/> asks to report what exists.
    /// </summary>
    public static List<RunInput> RunInputs(ExperimentFlow flow)
    {
        var runs = flow.AllUnits(FlowSteps.Get("train")).Select(unit =>
        {
            Manifest? train = null;
            try { train = flow.Get("train", unit); }
            catch (NotReady) { }
            Artifact? classes = null;
            if (train is not null)
                try { classes = flow.SplitFor(unit).Output("classes.csv"); }
                catch (NotReady) { }
            return new RunInput(unit.Model!.Name, unit.Run!.Value, train?.Output(RunMetrics.FileName),
                train is not null && train.Outputs.ContainsKey(TrainStage.Predictions) ? train.Output(TrainStage.Predictions) : null, classes);
        }).ToList();
        if (!flow.Options.Partial && runs.All(r => r.Metrics is null)) throw new NotReady("train", new Unit());
        return runs;
    }
}
