using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using Lmev.Stages.Model;
using Lmev.Contracts;

namespace Lmev.Flow;

/// <summary>
/// The flow's side of data.lock.json: compares cached entries with the hashes it pins, and fills an
/// empty hash from what was fetched (trust on first use) unless the lock is frozen (<c>--locked</c>).
/// The Download and Model steps declare these as their hooks.
/// </summary>
/// With <paramref name="readOnly"/> (a command that only looks, such as `lmev status`) it never writes: an empty hash stays empty, and is said.
internal sealed class FlowLock(string path, Experiment experiment, bool locked, bool readOnly, Action<string> log)
{
    public string Path => path;

    /// <summary>
    /// The lock entries a model's cache entry holds the bytes of, with those bytes' hash and size.
    /// A model kind that fetches its sources adds one line here.
    /// </summary>
    public static IEnumerable<(string Source, FileRecord File)> PinnedSources(ModelSpec spec, Manifest model) => spec.Kind switch
    {
        ModelSpec.Transformer => [(spec.Source!, model.Outputs[Lmev.Models.MiniLmModel.ModelFile]), (spec.Vocabulary!, model.Outputs[Lmev.Models.MiniLmModel.VocabularyFile])],
        ModelSpec.Nnlm => [(spec.Source!, new FileRecord((string)model.Report[ModelStage.SourceSha256]!, (long)model.Report[ModelStage.SourceSize]!))],
        _ => [],
    };

    /// <summary>Model's BeforeRun: why a cached model cannot be reused (the lock now pins other bytes), or null.</summary>
    public string? ModelMismatch(ModelSpec spec, Manifest cached)
    {
        var pinned = PinnedSources(spec, cached).ToList();
        if (pinned.Count == 0) return null;
        var lockFile = DataLock.Read(path);
        return pinned.Any(p => lockFile.Get(p.Source, path).Sha256 is { Length: > 0 } sha && sha != p.File.Sha256)
            ? "the cached files do not match data.lock.json's sha256" : null;
    }

    /// <summary>Model's AfterRun: fills the lock entries of the model's sources that have no hash yet.</summary>
    public void FillModel(ModelSpec spec, Manifest model)
    {
        foreach (var (source, file) in PinnedSources(spec, model)) Fill(source, file);
    }

    /// <summary>Download's BeforeRun: why a cached download cannot be reused, or null.</summary>
    public string? DownloadMismatch(Manifest cached) =>
        CheckDownload(cached, throwIfChanged: false) ? null : "the cached file does not match data.lock.json's sha256";

    /// <summary>Compares a download entry with the lock; fills an empty hash (trust on first use) unless locked.</summary>
    public bool CheckDownload(Manifest download, bool throwIfChanged = true)
    {
        // The entry names its source (the dataset's, or split.testSource's); generated data has none.
        if (download.Params?["source"]?.GetValue<string>() is not { } name) return true;
        var lockFile = DataLock.Read(path);
        var pinned = lockFile.Get(name, path);
        var file = download.Outputs[DownloadedFile(download)];
        if (pinned.Sha256 == "")
        {
            Fill(name, file);
            return true;
        }
        if (pinned.Sha256 == file.Sha256) return true;
        if (throwIfChanged)
            throw new LmevException($"{path}: source '{name}' expects sha256 {pinned.Sha256} but the cached download has {file.Sha256}; run `lmev download --experiment {experiment.Name}`");
        return false;
    }

    /// <summary>The file a Download entry brought (<c>source.&lt;format&gt;</c>).</summary>
    public static string DownloadedFile(Manifest download) => download.Outputs.Keys.Single(k => k.StartsWith("source.", StringComparison.Ordinal));

    /// <summary>The lock entry a Download unit brings (the dataset, or with <paramref name="testSource"/> split.testSource's); null for generated demo data.</summary>
    public (string Name, LockedSource Source)? PinnedSource(bool testSource)
    {
        if (!testSource && experiment.Dataset.Generate is not null) return null;
        var name = testSource ? experiment.Split.TestSource! : experiment.Dataset.Source!;
        return (name, DataLock.Read(path).Get(name, path));
    }

    /// <summary>How a user knows the file a Download unit brought: the path or URL they gave, and its lock entry; null for generated data.</summary>
    public string? SourceShown(bool testSource) =>
        PinnedSource(testSource) is { } pinned ? $"{pinned.Source.Url} ({DataLock.FileName} '{pinned.Name}')" : null;

    /// <summary>
    /// Download's first check for a source on disk: the user's file is re-hashed when its size or modification time
    /// changed (the hash index), and bytes that neither the cached entry nor the lock pin are an error with the two
    /// ways out. Bytes the lock now pins (after `lmev lock accept`) are left to the lock's own check, which refetches.
    /// </summary>
    public string? LocalSourceEdited(bool testSource, Manifest cached, SourceFetcher fetcher, FileHashIndex hashes)
    {
        if (PinnedSource(testSource) is not { } pinnedSource) return null;
        var (name, source) = pinnedSource;
        if (SourceFetcher.IsRemote(source.Url, out _)) return null;
        var file = fetcher.LocalPath(source.Url);
        if (!File.Exists(file)) return null; // gone: the cached copy still holds the pinned bytes
        var sha = hashes.Sha256(file);
        var pinned = source.Sha256.Length > 0 ? source.Sha256 : cached.Outputs[DownloadedFile(cached)].Sha256;
        if (sha.Equals(pinned, StringComparison.OrdinalIgnoreCase)) return null;
        throw new LmevException($"{file}: changed since {DataLock.FileName} pinned it as '{name}': pinned sha256 {pinned}, the file now has {sha}. " +
            $"Either restore the file, or accept its new bytes with `lmev lock accept {name}` (then commit {DataLock.FileName}); nothing was run.");
    }

    /// <summary>Trust on first use: an empty sha256 in the lock takes the hash of what was fetched, unless the lock is frozen.</summary>
    public void Fill(string name, FileRecord file)
    {
        var lockFile = DataLock.Read(path);
        var pinned = lockFile.Get(name, path);
        if (pinned.Sha256 != "") return;
        if (readOnly)
        {
            log($"{DataLock.FileName}: '{name}' has no sha256 yet; the next step that runs fills it with {file.Sha256} (trust on first use)");
            return;
        }
        if (locked)
            throw new LmevException($"{path}: source '{name}' has no sha256 and --locked refuses to change the lock; run once without --locked and commit {DataLock.FileName}");
        lockFile.Sources[name] = pinned with { Sha256 = file.Sha256, Size = file.Size };
        lockFile.Write(path);
        log($"{DataLock.FileName}: '{name}' had no sha256; filled with {file.Sha256} ({file.Size:N0} bytes), trust on first use — commit {DataLock.FileName}");
    }
}
