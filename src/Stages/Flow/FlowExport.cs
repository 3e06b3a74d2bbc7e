using Lmev.Pipeline;
using Lmev.Pipeline.Transfer;

namespace Lmev.Flow;

/// <summary>What `lmev cache export` packs from an experiment's flow.</summary>
public static class FlowExport
{
    /// <summary>
    /// The cached entries of <paramref name="steps"/>' units (the models and runs chosen in the options) without the outputs named
    /// in <paramref name="omit"/>, and of <paramref name="manifestsOnly"/>' units their manifests alone (enough for the keys
    /// downstream). A unit not in the cache is an error naming the command that makes it, unless <paramref name="notCached"/> is given:
    /// then it is said there and left out (`cache push` with no steps named: whatever is local).
    /// </summary>
    public static IReadOnlyList<ExportSelection> Selections(ExperimentFlow flow, IEnumerable<string> steps, IEnumerable<string> manifestsOnly, IReadOnlySet<string> omit,
        Action<string>? notCached = null)
    {
        var selections = new List<ExportSelection>();
        void Add(string step, Func<Manifest, IReadOnlySet<string>> leave)
        {
            foreach (var unit in flow.Units(flow.Step(step)))
            {
                Manifest m;
                try { m = flow.Get(step, unit); }
                catch (NotReady) when (notCached is not null)
                {
                    notCached($"{step}{(unit.Name == "" ? "" : $" [{unit.Name}]")}");
                    continue;
                }
                catch (NotReady n)
                {
                    throw new LmevException($"cannot export '{step}'{(unit.Name == "" ? "" : $" [{unit.Name}]")} of experiment '{flow.Experiment.Name}': " +
                        $"'{n.Step}'{(n.Unit.Name == "" ? "" : $" [{n.Unit.Name}]")} is not in the cache {flow.Cache.Root}; run `lmev {n.Step} --experiment {flow.Experiment.Name}{n.Unit.Slice}` first");
                }
                selections.Add(new(m, leave(m)));
            }
        }
        foreach (var step in steps) Add(step, _ => omit);
        foreach (var step in manifestsOnly) Add(step, m => m.Outputs.Keys.ToHashSet(StringComparer.Ordinal));
        return selections;
    }
}
