using Lmev.Pipeline;

namespace Lmev.Flow;

/// <summary>The entries an experiment reaches with its current parameters: what `gc` keeps and `verify --experiment` checks.</summary>
public static class FlowReach
{
    /// <summary>Every unit of every step whose upstream is in the cache, as (stage, key); a unit that cannot be built yet is left out.</summary>
    public static IEnumerable<(string Stage, string Key)> Of(ExperimentFlow flow)
    {
        foreach (var step in flow.Steps)
        foreach (var unit in flow.AllUnits(step.Meta))
        {
            IStage stage;
            try { stage = step.Build(unit); }
            catch (NotReady) { continue; }
            catch (LmevException) { continue; }
            yield return (step.Name, StageCache.Key(stage));
        }
    }
}
