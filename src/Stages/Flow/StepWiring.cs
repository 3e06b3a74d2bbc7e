using Lmev.Pipeline;

namespace Lmev.Flow;

/// <summary>
/// A step wired to an experiment: how to build each unit's stage from the experiment and the upstream entries, and the step's
/// declared side effects — the lock it checks or fills, the folders people open that it publishes to. One class per step in
/// <c>Flow/Steps/</c>, so that what a step consumes is read in one file; the flow itself (<see cref="ExperimentFlow"/>) only walks.
/// </summary>
internal abstract class StepWiring(ExperimentFlow flow, string step)
{
    protected ExperimentFlow Flow => flow;

    protected Experiment Experiment => flow.Experiment;

    public FlowStep Meta { get; } = FlowSteps.Get(step);

    public string Name => Meta.Name;

    /// <summary>The unit's stage, its inputs taken from the upstream entries (<see cref="ExperimentFlow.Get"/>).</summary>
    public abstract IStage Build(Unit unit);

    /// <summary>Before a cached unit is reused: why it must run again anyway (its bytes no longer match the lock), or null.</summary>
    public virtual string? BeforeRun(Unit unit, Manifest cached) => null;

    /// <summary>After a unit ran or was found in the cache (check the lock against it, or fill its empty hashes).</summary>
    public virtual void AfterRun(Unit unit, Manifest entry) { }

    /// <summary>When a downstream step reads one of this step's entries.</summary>
    public virtual void OnRead(Manifest entry) { }

    /// <summary>After every unit of the step ran: copy its files to a folder people open (saved_models/, report/).</summary>
    public virtual void Publish(IReadOnlyList<Manifest> entries) { }
}
