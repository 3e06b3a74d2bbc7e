using Lmev.Pipeline;

namespace Lmev.Flow;

/// <summary>
/// The folders people open, which Train and Report publish to: <c>saved_models/&lt;experiment&gt;/&lt;model&gt;/run-k/</c> and
/// <c>report/</c>, and the walk over them that `lmev verify` checks, each with the command that publishes it again.
/// </summary>
public static class PublishedPlaces
{
    public static string SavedModels(string root, string experiment, string unit = "") => Path.Combine(root, "saved_models", experiment, unit);

    public static string Report(string root) => Path.Combine(root, "report");

    /// <summary>
    /// The folders Publish filled under <paramref name="root"/>: saved_models/&lt;experiment&gt;/…/ of <paramref name="experiment"/>
    /// (null: of every experiment), and report/ when it reports that experiment (or its record is unreadable); each with the
    /// command that publishes it again from the cache (or rebuilds it).
    /// </summary>
    public static IEnumerable<(string Folder, string Republish)> All(string root, string? experiment)
    {
        var saved = SavedModels(root, "");
        IEnumerable<string> experiments = experiment is not null ? [experiment]
            : Directory.Exists(saved) ? Directory.EnumerateDirectories(saved).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToList() : [];
        foreach (var name in experiments)
        {
            var top = SavedModels(root, name);
            if (!Directory.Exists(top)) continue;
            var pending = new Stack<string>([top]);
            var found = new List<string>();
            while (pending.TryPop(out var dir))
            {
                if (PublishedFolder.IsLeftover(dir)) continue;
                // A folder holding files (a unit's, or a stray one) is checked; one holding only folders is walked.
                if (dir != top && Directory.EnumerateFiles(dir).Any()) found.Add(dir);
                else foreach (var sub in Directory.EnumerateDirectories(dir)) pending.Push(sub);
            }
            foreach (var dir in found.Order(StringComparer.Ordinal))
            {
                var parts = Path.GetRelativePath(top, dir).Split(Path.DirectorySeparatorChar);
                var slice = parts is [var model, var run] && run.StartsWith("run-", StringComparison.Ordinal) ? $" --model {model} --run {run[4..]}" : "";
                yield return (dir, $"lmev train --experiment {name}{slice}");
            }
        }
        var report = Report(root);
        if (!Directory.Exists(report)) yield break;
        var owner = PublishedFolder.ReadRecord(report)?.Experiment;
        if (experiment is null || owner is null || owner == experiment)
            yield return (report, $"lmev report --experiment {owner ?? experiment ?? "<the experiment it reports>"}");
    }
}
