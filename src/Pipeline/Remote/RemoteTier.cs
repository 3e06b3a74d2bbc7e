using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lmev.Pipeline.Fetching;
using Lmev.Pipeline.Transfer;

namespace Lmev.Pipeline.Remote;

/// <summary>
/// The stage cache's remote tier: entries kept in a store (<see cref="IRemoteStore"/>) in the local cache's own layout,
/// <c>&lt;stage&gt;/&lt;key&gt;/manifest.json</c>, the outputs, and <c>.partial.json</c> (the outputs pushed without their files), so
/// that a local cache folder served as it is would do. Content-addressed like the local cache: a key is computed, never listed.
/// <list type="bullet">
/// <item>A pull stages the entry in the cache's <c>.tmp/</c>, checks every file against the sealed manifest (its seal, its key
/// recomputed, names that stay in their folder, each file's SHA-256 and size) through <see cref="StagedEntry"/>, as an import does,
/// and publishes it with one rename; a damaged or incomplete entry is refused, naming what is wrong, and nothing of it is kept.</item>
/// <item>A push sends the files first, then <c>.partial.json</c>, and the manifest last, so an entry is visible only when whole; a key
/// whose manifest is already there (the same parameters, inputs and outputs) is left as is.</item>
/// <item>Every request is retried with back-off on what may pass (5xx, a dropped connection, silence), and a download resumes from the
/// bytes it has.</item>
/// </list>
/// </summary>
public sealed class RemoteTier(IRemoteStore store, Action<string> log, FetchOptions? options = null) : IDisposable
{
    private readonly FetchOptions _options = options ?? new FetchOptions();

    /// <summary>The remote's first failure that is not an entry's (refused credentials, unreachable): every later request fails with it at once.</summary>
    private LmevException? _broken;

    public string Url => store.Url;

    public IRemoteStore Store => store;

    /// <summary>What this tier has pulled and published so far (upstream entries a lookup needed included): entries, files, bytes.</summary>
    public (int Entries, int Files, long Bytes) Pulled { get; private set; }

    private Provenance From => new("the remote", $"the remote entry at {Url}",
        PartialEntry.FileName, "Push it again from a cache that holds it whole (`lmev cache push`), or remove it from the remote");

    private static string ObjectKey(string stage, string key, string file) => $"{stage}/{key}/{file}";

    /// <summary>What a pull brought: the published entry (null when the remote has no such entry), its files and bytes, its time.</summary>
    public sealed record PullOutcome(Manifest Entry, bool Published, int Files, long Bytes, TimeSpan Time);

    /// <summary>What a push did: <see cref="AlreadyThere"/> when the remote held the entry, else the objects and bytes sent.</summary>
    public sealed record PushOutcome(bool AlreadyThere, int Files, long Bytes, string? Note = null);

    /// <summary>A remote entry refused: damaged, incomplete, or naming files outside its folder. Nothing of it was published.</summary>
    public sealed class RefusedEntry(string message, Exception? inner = null) : LmevException(message, inner);

    /// <summary>The remote's manifest of an entry, checked (seal, stage and key, the key recomputed, plain output names), without writing anything; null when absent.</summary>
    public Manifest? Peek(string stage, string key)
    {
        var text = ReadText(ObjectKey(stage, key, Manifest.FileName));
        return text is null ? null : Checked(stage, key, text);
    }

    private Manifest Checked(string stage, string key, string text)
    {
        var where = $"{Url}/{ObjectKey(stage, key, Manifest.FileName)}";
        Manifest m;
        try { m = Manifest.Parse(text, where, From.Remedy); }
        catch (LmevException e) { throw new RefusedEntry(e.Message, e); }
        if (m.Stage != stage || m.Key != key) throw new RefusedEntry($"{where}: it is the manifest of {m.Stage} {m.Key}; {From.Whole} was altered. {From.Remedy}");
        if (StageCache.Key(m) is var recomputed && recomputed != key)
            throw new RefusedEntry($"{where}: its parameters and inputs hash to key {recomputed}, not {key}; the manifest was altered. {From.Remedy}");
        if (m.Outputs.Keys.FirstOrDefault(f => !StagedEntry.IsPlainFileName(f)) is { } escaping)
            throw new RefusedEntry($"{where}: it lists an output named '{escaping}', which is not a plain file name (it would be written outside its " +
                $"entry's folder); {From.Whole} was altered. {From.Remedy}");
        return m;
    }

    /// <summary>
    /// Brings the entry <paramref name="stage"/>/<paramref name="key"/> into <paramref name="cache"/>, every file verified before it is
    /// published; null when the remote has no such entry. Throws <see cref="RefusedEntry"/> for a damaged or incomplete entry, and
    /// <see cref="LmevException"/> when the remote cannot be read (refused credentials, unreachable after every attempt).
    /// </summary>
    public PullOutcome? Pull(StageCache cache, string stage, string key)
    {
        var clock = Stopwatch.StartNew();
        var manifestText = ReadText(ObjectKey(stage, key, Manifest.FileName));
        if (manifestText is null) return null;
        var remote = Checked(stage, key, manifestText); // names checked before any path is made of them
        var where = $"{Url}/{stage}/{key}";
        using var staged = new StagedEntry(cache, stage, key, Url);
        var manifestBytes = Encoding.UTF8.GetBytes(manifestText);
        staged.Files[Manifest.FileName] = StagedEntry.Write(new MemoryStream(manifestBytes), Path.Combine(staged.Folder.Path, Manifest.FileName));
        if (ReadText(ObjectKey(stage, key, PartialEntry.FileName)) is { } partial)
        {
            try { staged.DeclaredAbsent.UnionWith(JsonSerializer.Deserialize<PartialList>(partial, JsonFile.Strict)?.Absent ?? []); }
            catch (JsonException e) { throw new RefusedEntry($"{where}/{PartialEntry.FileName}: not a list of absent outputs ({e.Message}); {From.Whole} is damaged. {From.Remedy}", e); }
        }
        var (files, bytes) = (0, manifestBytes.LongLength);
        foreach (var (file, record) in remote.Outputs)
        {
            if (staged.DeclaredAbsent.Contains(file)) continue;
            var path = Path.Combine(staged.Folder.Path, file);
            FileRecord? written;
            using (var target = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                written = Fetch(ObjectKey(stage, key, file), target, record.Size, where);
            if (written is null) continue; // missing: Verify names it
            staged.Files[file] = written;
            files++;
            bytes += written.Size;
        }
        try { staged.Verify(where, From); }
        catch (LmevException e) { throw new RefusedEntry(e.Message, e); }
        var published = staged.PublishTo(cache);
        Pulled = (Pulled.Entries + 1, Pulled.Files + files, Pulled.Bytes + bytes);
        return new PullOutcome(Manifest.Read(cache.EntryDirectory(stage, key)), published, files, bytes, clock.Elapsed);
    }

    private sealed record PartialList(IReadOnlyList<string> Absent);

    /// <summary>
    /// Sends <paramref name="entry"/> without the outputs in <paramref name="omit"/> (nor those its local copy lacks): its files, checked
    /// against its manifest first, then <c>.partial.json</c>, then the manifest. A key the remote holds is left as is.
    /// </summary>
    public PushOutcome Push(Manifest entry, IReadOnlySet<string> omit)
    {
        if (!store.Writable)
            throw new LmevException($"remote {Url} is read-only (a web server serves it); push to the store behind it instead (its s3:// bucket, or the folder the server serves)");
        var label = $"{entry.Stage} {entry.Key}{(entry.Unit == "" ? "" : $" [{entry.Unit}]")}";
        Manifest? there = null;
        try { there = Peek(entry.Stage, entry.Key); }
        catch (RefusedEntry e) { log($"{label}: the remote's copy is damaged ({e.Message}); pushing it again"); }
        if (there is not null)
            return new PushOutcome(true, 0, 0, SameEntry(there, entry) ? null
                : "the remote holds this key with other outputs (a stage that is not deterministic on this device?); left as is");
        if (CacheVerification.Verify(entry) is { } damaged)
            throw new LmevException($"{label}: the local entry {entry.Directory} is damaged ({string.Join("; ", damaged.Problems)}); nothing was pushed. " +
                "Run `lmev verify --repair` (it removes damaged entries) and run again");
        var sent = entry.PresentOutputs.Where(f => !omit.Contains(f)).ToList();
        var (files, bytes) = (0, 0L);
        foreach (var file in sent)
        {
            var path = Path.Combine(entry.Directory, file);
            Put(ObjectKey(entry.Stage, entry.Key, file), path);
            files++;
            bytes += new FileInfo(path).Length;
        }
        // Always sent, empty or not: a complete entry pushed over an interrupted partial one must not keep its old list.
        var absent = entry.Outputs.Keys.Except(sent).Order(StringComparer.Ordinal).ToList();
        var list = Path.Combine(Path.GetTempPath(), $"lmev-partial-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(list, JsonSerializer.Serialize(new PartialList(absent), CanonicalJson.Indented) + "\n");
            Put(ObjectKey(entry.Stage, entry.Key, PartialEntry.FileName), list);
            bytes += new FileInfo(list).Length;
        }
        finally { File.Delete(list); }
        var manifest = Path.Combine(entry.Directory, Manifest.FileName);
        Put(ObjectKey(entry.Stage, entry.Key, Manifest.FileName), manifest); // last: the entry is visible only now, whole
        return new PushOutcome(false, files + 2, bytes + new FileInfo(manifest).Length);
    }

    /// <summary>Two manifests of one key are the same entry when parameters, inputs and every output's hash agree (times and host aside).</summary>
    private static bool SameEntry(Manifest a, Manifest b) =>
        a.Stage == b.Stage && a.Key == b.Key && a.Version == b.Version && System.Text.Json.Nodes.JsonNode.DeepEquals(a.Params, b.Params)
        && a.Inputs.SequenceEqual(b.Inputs) && a.Outputs.SequenceEqual(b.Outputs);

    // ---- requests, retried ----

    /// <summary>A small object (a manifest, a list) as text, read into memory (so that `status` writes nothing); null when absent.</summary>
    private string? ReadText(string objectKey)
    {
        using var buffer = new MemoryStream();
        // A manifest is small; a server that sends more than this is not serving one.
        return Fetch(objectKey, buffer, null, Url, limit: 64L << 20) is null ? null : Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// Downloads an object into <paramref name="file"/>, hashing it on the way; null when the remote has no such object. A failed attempt
    /// is retried with back-off, resuming from the bytes already written (from 0 when the store cannot). More bytes than
    /// <paramref name="expected"/> (or <paramref name="limit"/>) stop it: the entry is refused rather than the disk filled.
    /// </summary>
    private FileRecord? Fetch(string objectKey, Stream file, long? expected, string where, long? limit = null)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            var written = 0L;
            var buffer = new byte[1 << 20];
            var attempts = Math.Max(1, _options.MaxAttempts);
            var cause = "";
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                try
                {
                    using var obj = Open(objectKey, written);
                    if (obj is null)
                    {
                        if (written == 0) return null;
                        throw new RemoteTransientException($"{objectKey} vanished after byte {written}");
                    }
                    if (obj.Offset != written)
                    {
                        // The server sent the object from byte 0: start over.
                        (written, hash) = (0, Restart(hash));
                        file.SetLength(0);
                        file.Position = 0;
                    }
                    var max = expected ?? limit ?? long.MaxValue;
                    if (obj.Length is { } total && expected is { } size && total != size)
                        throw new RefusedEntry($"{where}: {objectKey} is {total:N0} bytes on the remote, but its manifest records {size:N0}; {From.Whole} was altered or damaged. {From.Remedy}");
                    while (true)
                    {
                        int n;
                        using (var silence = new CancellationTokenSource(_options.EffectiveTimeout))
                        {
                            try { n = obj.Body.ReadAsync(buffer, silence.Token).AsTask().GetAwaiter().GetResult(); }
                            catch (OperationCanceledException e) { throw new RemoteTransientException($"no data for {_options.EffectiveTimeout.TotalSeconds:0.###} s after byte {written}", e); }
                            catch (Exception e) when (e is IOException or HttpRequestException) { throw new RemoteTransientException($"connection lost after byte {written}: {e.Message}", e); }
                        }
                        if (n == 0) break;
                        if (written + n > max)
                            throw new RefusedEntry($"{where}: {objectKey} has more than the {max:N0} bytes {(expected is null ? "a manifest may have" : "its manifest records")}; " +
                                $"{From.Whole} was altered or damaged. {From.Remedy}");
                        file.Write(buffer, 0, n); // before the next read: what arrived survives a dropped connection
                        hash.AppendData(buffer, 0, n);
                        written += n;
                    }
                    if (obj.Length is { } whole && written != whole) throw new RemoteTransientException($"connection closed after byte {written} of {whole}");
                    file.Flush();
                    return new FileRecord(Convert.ToHexStringLower(hash.GetHashAndReset()), written);
                }
                catch (RemoteTransientException e) { cause = e.Message; }
                if (attempt == attempts) break;
                var wait = _options.Backoff(attempt);
                log($"remote {Url}: GET {objectKey}: attempt {attempt}/{attempts} failed ({cause}); retrying in {wait.TotalSeconds:0.###} s" +
                    (written > 0 ? $" from byte {written}" : ""));
                Thread.Sleep(wait);
            }
            throw _broken = new LmevException($"remote {Url}: GET {objectKey} failed after {attempts} attempts; last cause: {cause}. Nothing of it was published. " +
                $"Run again later, or without the remote ({RemoteSettings.UrlVariable}= , or --remote \"\") to compute locally");
        }
        finally { hash.Dispose(); }
    }

    private static IncrementalHash Restart(IncrementalHash old)
    {
        old.Dispose();
        return IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }

    private RemoteObject? Open(string objectKey, long offset)
    {
        if (_broken is not null) throw new LmevException(_broken.Message, _broken);
        try { return store.OpenAsync(objectKey, offset, CancellationToken.None).GetAwaiter().GetResult(); }
        catch (LmevException e) { throw _broken = e; }
    }

    private void Put(string objectKey, string path)
    {
        var attempts = Math.Max(1, _options.MaxAttempts);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                store.PutAsync(objectKey, path, CancellationToken.None).GetAwaiter().GetResult();
                return;
            }
            catch (RemoteTransientException e) when (attempt < attempts)
            {
                var wait = _options.Backoff(attempt);
                log($"remote {Url}: PUT {objectKey}: attempt {attempt}/{attempts} failed ({e.Message}); retrying in {wait.TotalSeconds:0.###} s");
                Thread.Sleep(wait);
            }
            catch (RemoteTransientException e)
            {
                throw new LmevException($"remote {Url}: PUT {objectKey} failed after {attempts} attempts; last cause: {e.Message}. The entry's manifest was " +
                    "not sent, so readers do not see it; run the push again");
            }
        }
    }

    public void Dispose() => store.Dispose();
}
