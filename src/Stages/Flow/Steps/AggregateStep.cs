using Lmev.Pipeline;
using Lmev.Contracts.Results;
using Lmev.Stages.Aggregate;

namespace Lmev.Flow.Steps;

/// <summary>Aggregate: every run's metrics and predictions, with what it reads of the experiment: the reference figures, the design, the epoch cap and each model's kind (for pairing).</summary>
internal sealed class AggregateStep(ExperimentFlow flow) : StepWiring(flow, "aggregate")
{
    public override IStage Build(Unit unit)
    {
        var e = Experiment;
        var p = new AggregateParams(e.Reference, e.Resample, e.Train.Epochs,
            new SortedDictionary<string, ModelTraits>(e.ModelList.ToDictionary(m => m.Name, m => new ModelTraits(m.Kind, m.Language, m.Normalizes)), StringComparer.Ordinal));
        return new AggregateStage(p, TrainStep.RunInputs(Flow));
    }
}
