namespace Lmev.Pipeline.Remote;

/// <summary>
/// Which remote a project uses, if any, and how: its URL (<see cref="RemoteUrl"/>), whether every unit a run computes or finds only in
/// the local cache is pushed to it (<c>push</c>, for runners), and the outputs a push leaves behind (<c>omit</c>, e.g. model.dat).
/// From, first found first: <c>--remote</c>; <c>LMEV_REMOTE</c> (with <c>LMEV_REMOTE_PUSH=true</c>); the project's
/// <c>lmev.local.json</c> (this machine's, git-ignored), then <c>lmev.json</c> (committed: e.g. the https remote readers use), each
/// <c>{ "remote": { "url": …, "push": false, "omit": [] } }</c>. An empty URL anywhere means none. No credential is ever read from them.
/// </summary>
public sealed record RemoteSettings(string Url, bool Push, IReadOnlyList<string> Omit, string Source)
{
    public const string ProjectFile = "lmev.json";
    public const string LocalFile = "lmev.local.json";
    public const string UrlVariable = "LMEV_REMOTE";
    public const string PushVariable = "LMEV_REMOTE_PUSH";

    private sealed record FileRemote(string? Url = null, bool Push = false, IReadOnlyList<string>? Omit = null);

    private sealed record ConfigFile(FileRemote? Remote = null);

    /// <summary>The remote the project uses, or null for none; <paramref name="given"/> is <c>--remote</c>'s value.</summary>
    public static RemoteSettings? Resolve(string projectRoot, string? given)
    {
        var files = new[] { LocalFile, ProjectFile }.Select(f => Path.Combine(projectRoot, f)).Where(File.Exists)
            .Select(path => (Path: path, Config: JsonFile.Read<ConfigFile>(path, expected: "{ \"remote\": { \"url\": …, \"push\": false, \"omit\": [] } }").Remote))
            .Where(f => f.Config is not null).ToList();
        var fromFile = files.FirstOrDefault(f => f.Config!.Url is not null);
        var push = Environment.GetEnvironmentVariable(PushVariable) switch
        {
            null or "" => fromFile.Config?.Push ?? false,
            "true" or "1" => true,
            "false" or "0" => false,
            var other => throw new LmevException($"{PushVariable}={other}: expected true or false"),
        };
        var omit = fromFile.Config?.Omit ?? [];
        if (given is not null) return given.Length == 0 ? null : new RemoteSettings(given, push, omit, "--remote");
        if (Environment.GetEnvironmentVariable(UrlVariable) is { } env)
            return env.Trim().Length == 0 ? null : new RemoteSettings(env.Trim(), push, omit, $"${UrlVariable}");
        return fromFile.Config?.Url is { Length: > 0 } url ? new RemoteSettings(url, push, omit, fromFile.Path) : null;
    }
}
