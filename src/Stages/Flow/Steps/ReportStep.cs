using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Stages.Aggregate;
using Lmev.Stages.Plot;
using Lmev.Stages.Report;
using Lmev.Stages.Split;

namespace Lmev.Flow.Steps;

/// <summary>
/// Report: the results document from Aggregate's summary and tables and Plot's figures, with what it states of the experiment
/// (its design, the training settings but the device, the lock entries of its data, the commit). Publishes report/.
/// </summary>
internal sealed class ReportStep(ExperimentFlow flow) : StepWiring(flow, "report")
{
    public override IStage Build(Unit unit)
    {
        var aggregate = Flow.Get("aggregate");
        var plot = Flow.Get("plot");
        var e = Experiment;
        var dataset = e.Dataset.Source ?? ReportDocument.GeneratedDataset(e.Dataset.Generate!.Seed, e.Dataset.Generate.Rows);
        var lockEntries = new SortedDictionary<string, LockedSource>(StringComparer.Ordinal);
        foreach (var source in new[] { e.Dataset.Source, e.Split.TestSource }.OfType<string>())
            lockEntries[source] = DataLock.Read(Flow.LockPath).Get(source, Flow.LockPath);
        var p = new ReportParams(e.Name, e.Description, dataset, e.Sample.Rows, e.Split.TestRows, e.Split.ValidationFraction, e.Runs, e.Resample,
            // The device is where the study ran, not what it is: the same report on any device.
            CanonicalJson.ToNode(e.Train with { Device = null })!.AsObject(), lockEntries, Flow.Commit);
        if (e.Split.TestSource is { } named)
        {
            // What Split found in the fixed test rows (of run 1's split with runs.resample; the test rows are the same in every run).
            var split = Flow.SplitFor(new Unit(Run: 1)).Report;
            p = p with
            {
                TestSource = new TestSourceFacts(named, (long)split["testRows"]!, (long)split[SplitStage.TestRowsCategoryNotInTrain]!,
                    (long)split[SplitStage.TestTitlesInTrain]!),
            };
        }
        var figures = PlotStage.Figures.Where(f => plot.Outputs.ContainsKey(f + ".png")).Select(f => plot.Output(f + ".png")).ToList();
        return new ReportStage(p, aggregate.Output(RunSummary.FileName), aggregate.Output(RunsTable.FileName), figures, aggregate.Output(PerClassTable.FileName));
    }

    /// <summary>The document and its figures as SVG beside the PNGs, in report/.</summary>
    public override void Publish(IReadOnlyList<Manifest> results)
    {
        var plot = Flow.Get("plot");
        var svgs = plot.Outputs.Keys.Where(f => f.EndsWith(".svg", StringComparison.Ordinal)).Select(plot.Output);
        var target = PublishedPlaces.Report(Flow.Options.Root);
        var done = PublishedFolder.Publish(results[0].Outputs.Keys.Select(results[0].Output).Concat(svgs), target, Experiment.Name, Name);
        Flow.Options.Log($"report: {Path.Combine(target, ReportStage.Markdown)} and {Path.Combine(target, ReportStage.Html)} ({done})");
    }
}
