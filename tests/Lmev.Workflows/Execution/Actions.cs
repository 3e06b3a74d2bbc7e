using System.Text.RegularExpressions;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Lmev.Workflows.Execution;

/// <summary>
/// What stands in for each action a workflow uses, doing on this machine what the action does on a runner:
/// <list type="bullet">
/// <item><c>actions/checkout</c>: a clone of the harness's origin (a local bare repository holding the commit under test) into the
/// workspace, or, where the runner has one already, a fetch, checkout of the commit and <c>git clean -ffdx</c> with a hard reset,
/// as the action's default <c>clean: true</c> does;</item>
/// <item><c>actions/setup-dotnet</c>: the SDK installed here, checked against the workspace's global.json;</item>
/// <item><c>actions/upload-artifact</c> / <c>download-artifact</c>: a folder per artifact name in the run's folder, with v4's rules
/// (the search paths' least common ancestor as the root, hidden files left out unless <c>include-hidden-files</c>, a name uploaded
/// once per run, <c>name</c>, <c>pattern</c> and <c>merge-multiple</c> on download);</item>
/// <item><c>actions/cache</c>: a folder per key shared by the harness's runs, restored by exact key or by <c>restore-keys</c> prefix
/// (newest first), saved after the job when the key missed and the job succeeded.</item>
/// </list>
/// Any other action is an error naming it.
/// </summary>
public sealed class Actions(HarnessRun run, JobContext job)
{
    public void Run(string uses, IReadOnlyDictionary<string, string> with)
    {
        var name = uses.Split('@')[0];
        switch (name)
        {
            case "actions/checkout": Checkout(); break;
            case "actions/setup-dotnet": SetupDotnet(with); break;
            case "actions/upload-artifact": Upload(with); break;
            case "actions/download-artifact": Download(with); break;
            case "actions/cache": Cache(with); break;
            default: throw new WorkflowException($"the action {uses} has no stand-in in this harness (it has: actions/checkout, setup-dotnet, upload-artifact, download-artifact, cache)");
        }
    }

    private void Checkout()
    {
        var ws = job.Workspace;
        if (!Directory.Exists(Path.Combine(ws, ".git")))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ws)!);
            if (Directory.Exists(ws)) Directory.Delete(ws, recursive: true);
            StepProcess.Quiet("git", Path.GetDirectoryName(ws)!, "clone", "-q", run.Origin, ws);
            job.Say($"checkout: cloned {run.Origin} into {ws}");
        }
        else job.Say($"checkout: the runner's workspace {ws} exists; fetching and cleaning it");
        StepProcess.Quiet("git", ws, "fetch", "-q", "--force", "origin", $"+refs/heads/{run.Branch}:refs/remotes/origin/{run.Branch}");
        StepProcess.Quiet("git", ws, "checkout", "-q", "--force", "-B", run.Branch, run.Commit);
        // actions/checkout's clean: true
        var cleaned = StepProcess.Quiet("git", ws, "clean", "-ffdx");
        StepProcess.Quiet("git", ws, "reset", "-q", "--hard", "HEAD");
        var removed = cleaned.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        job.Say($"checkout: {run.Commit[..12]} on {run.Branch}; git clean -ffdx removed {removed.Length} path{(removed.Length == 1 ? "" : "s")}" +
                (removed.Length > 0 ? $" ({string.Join(", ", removed.Take(6).Select(r => r.Replace("Removing ", "")))}{(removed.Length > 6 ? ", …" : "")})" : ""));
    }

    private void SetupDotnet(IReadOnlyDictionary<string, string> with)
    {
        var version = StepProcess.Quiet("dotnet", job.Workspace, "--version").Trim();
        var globalJson = with.GetValueOrDefault("global-json-file");
        job.Say($"setup-dotnet: substituted by the SDK installed on this machine: {version}" +
                (globalJson is null ? "" : $" (dotnet --version in the workspace, so {globalJson} accepts it)"));
    }

    // ---- artifacts (actions/upload-artifact@v4, actions/download-artifact@v4) ----

    private void Upload(IReadOnlyDictionary<string, string> with)
    {
        var name = with.GetValueOrDefault("name") is { Length: > 0 } n ? n : "artifact";
        var target = Path.Combine(run.Artifacts, name);
        if (Directory.Exists(target)) throw new WorkflowException($"upload-artifact: an artifact named '{name}' was already uploaded in this run (v4 refuses a second)");
        var hidden = with.GetValueOrDefault("include-hidden-files") == "true";
        var patterns = (with.GetValueOrDefault("path") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (patterns.Length == 0) throw new WorkflowException("upload-artifact: no path");
        var files = new SortedSet<string>(StringComparer.Ordinal);
        var roots = new List<string>();
        foreach (var pattern in patterns)
        {
            var full = Path.GetFullPath(Path.Combine(job.Workspace, pattern));
            var wild = full.IndexOfAny(['*', '?', '[']);
            if (wild < 0 && File.Exists(full)) { files.Add(full); roots.Add(Path.GetDirectoryName(full)!); continue; }
            var searchRoot = wild < 0 ? full.TrimEnd('/') : Path.GetDirectoryName(full[..wild])!;
            roots.Add(searchRoot);
            if (!Directory.Exists(searchRoot)) continue;
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(wild < 0 ? "**/*" : Path.GetRelativePath(searchRoot, full));
            files.UnionWith(matcher.GetResultsInFullPath(searchRoot));
        }
        var root = CommonAncestor(roots);
        var kept = files.Where(f => hidden || !Path.GetRelativePath(root, f).Split('/').Any(part => part.StartsWith('.'))).ToList();
        if (kept.Count == 0)
        {
            var mode = with.GetValueOrDefault("if-no-files-found") ?? "warn";
            if (mode == "error") throw new WorkflowException($"upload-artifact '{name}': no files were found with the provided path: {string.Join(", ", patterns)}");
            job.Say($"upload-artifact '{name}': no files found at {string.Join(", ", patterns)} ({mode}); no artifact uploaded");
            return;
        }
        foreach (var file in kept)
        {
            var to = Path.Combine(target, Path.GetRelativePath(root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        var left = files.Count - kept.Count;
        job.Say($"upload-artifact '{name}': {kept.Count} file{(kept.Count == 1 ? "" : "s")}, {kept.Sum(f => new FileInfo(f).Length) / 1048576.0:F1} MiB, from {Path.GetRelativePath(job.Workspace, root)}/" +
                (left > 0 ? $" ({left} hidden file{(left == 1 ? "" : "s")} left out: include-hidden-files is false)" : ""));
    }

    private void Download(IReadOnlyDictionary<string, string> with)
    {
        var path = Path.GetFullPath(Path.Combine(job.Workspace, with.GetValueOrDefault("path") ?? "."));
        var name = with.GetValueOrDefault("name");
        var merge = with.GetValueOrDefault("merge-multiple") == "true";
        var all = Directory.Exists(run.Artifacts) ? Directory.EnumerateDirectories(run.Artifacts).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList() : [];
        if (name is { Length: > 0 })
        {
            if (!all.Contains(name)) throw new WorkflowException($"download-artifact: Artifact not found for name: {name} (this run has: {string.Join(", ", all)})");
            CopyTree(Path.Combine(run.Artifacts, name), path);
            job.Say($"download-artifact '{name}' into {Path.GetRelativePath(job.Workspace, path)}/");
            return;
        }
        var pattern = with.GetValueOrDefault("pattern");
        var chosen = pattern is null ? all : all.Where(a => Glob(pattern).IsMatch(a)).ToList();
        foreach (var a in chosen) CopyTree(Path.Combine(run.Artifacts, a), merge ? path : Path.Combine(path, a));
        job.Say($"download-artifact {(pattern is null ? "(all)" : $"pattern '{pattern}'")}: {chosen.Count} artifact{(chosen.Count == 1 ? "" : "s")} ({string.Join(", ", chosen)}) " +
                $"into {Path.GetRelativePath(job.Workspace, path)}/{(merge ? " merged" : "<name>/")}");
    }

    // ---- actions/cache@v4 ----

    private void Cache(IReadOnlyDictionary<string, string> with)
    {
        var key = with.GetValueOrDefault("key") ?? throw new WorkflowException("cache: no key");
        var paths = (with.GetValueOrDefault("path") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => Path.GetFullPath(Path.Combine(job.Workspace, p))).ToList();
        var restoreKeys = (with.GetValueOrDefault("restore-keys") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var store = run.ActionsCache;
        Directory.CreateDirectory(store);
        var entries = Directory.EnumerateDirectories(store).Select(d => new DirectoryInfo(d)).OrderByDescending(d => d.CreationTimeUtc).ToList();
        var hit = entries.FirstOrDefault(d => Unescape(d.Name) == key)
                  ?? restoreKeys.Select(prefix => entries.FirstOrDefault(d => Unescape(d.Name).StartsWith(prefix, StringComparison.Ordinal))).FirstOrDefault(d => d is not null);
        var exact = hit is not null && Unescape(hit.Name) == key;
        if (hit is not null)
            for (var i = 0; i < paths.Count; i++)
                if (Directory.Exists(Path.Combine(hit.FullName, i.ToString()))) HardLinkTree(Path.Combine(hit.FullName, i.ToString()), paths[i]);
        job.Say(hit is null ? $"cache: no entry for key {key} (nor restore-keys {string.Join(", ", restoreKeys)}); saved after the job"
            : $"cache: restored {(exact ? "key" : "by restore-key")} {Unescape(hit.Name)}{(exact ? "" : $"; saved as {key} after the job")}");
        if (exact) return;
        job.AfterJob(() =>
        {
            var entry = Path.Combine(store, Uri.EscapeDataString(key));
            if (Directory.Exists(entry)) return;
            var tmp = entry + ".saving";
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            for (var i = 0; i < paths.Count; i++)
                if (Directory.Exists(paths[i])) HardLinkTree(paths[i], Path.Combine(tmp, i.ToString()));
            Directory.Move(tmp, entry);
            job.Say($"cache: saved key {key}");
        });
    }

    private static string Unescape(string folder) => Uri.UnescapeDataString(folder);

    // ---- files ----

    private static string CommonAncestor(IReadOnlyList<string> folders)
    {
        var parts = folders[0].Split('/');
        var length = parts.Length;
        foreach (var f in folders.Skip(1))
        {
            var other = f.Split('/');
            length = Math.Min(length, other.Length);
            for (var i = 0; i < length; i++) if (parts[i] != other[i]) { length = i; break; }
        }
        return string.Join('/', parts.Take(length)) is { Length: > 0 } common ? common : "/";
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    /// <summary>A tree of hard links (what the runner would tar and untar; the NuGet folder is 2 GB, linking takes a second).</summary>
    private static void HardLinkTree(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to.TrimEnd('/'))!);
        StepProcess.Quiet("cp", "/", "-al", from.TrimEnd('/') + "/.", to);
    }

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant);
}
