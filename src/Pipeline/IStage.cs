namespace Lmev.Pipeline;

/// <summary>
/// One unit of pipeline work. A stage states its name, a version number bumped whenever its
/// semantics change, the parameters it reads and the upstream artifacts it reads; the cache key is
/// built from exactly these. A stage writes only into the folder its context hands it and never
/// decides whether it runs: <see cref="StageCache"/> does.
/// </summary>
public interface IStage
{
    /// <summary>Kebab-case name, also the cache folder: <c>cache/&lt;name&gt;/&lt;key&gt;/</c>.</summary>
    string Name { get; }

    int Version { get; }

    /// <summary>A record of the parameters this stage reads, hashed in canonical JSON.</summary>
    object Params { get; }

    IReadOnlyDictionary<string, Artifact> Inputs { get; }

    /// <summary>Which unit of a fanned-out step this is ("" for single-unit steps; a model name for Embed).</summary>
    string Unit => "";

    void Run(StageContext context);
}

/// <summary>A file published by an upstream stage, identified by its content hash.</summary>
public sealed record Artifact(string Stage, string Key, string File, string Sha256, long Size, string Path);
