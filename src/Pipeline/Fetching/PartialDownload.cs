using System.Text.Json;
using Lmev.Pipeline;

namespace Lmev.Pipeline.Fetching;

/// <summary>
/// A download in progress, kept between attempts and between processes: <c>NAME.part</c> holds the
/// bytes received so far and <c>NAME.part.json</c> the URL and the server's validator (ETag or
/// Last-Modified), so that a resumed request asks for the rest of the very same file (RFC 9110 If-Range).
/// </summary>
internal sealed class PartialDownload
{
    private sealed record Sidecar(string Url, string? Validator);

    private readonly string _url;
    private readonly string _sidecarPath;
    private readonly string _lockPath;

    public PartialDownload(string directory, string name, string url)
    {
        if (name.Length == 0 || name.IndexOfAny(['/', '\\']) >= 0 || name.StartsWith('.'))
            throw new ArgumentException($"'{name}' cannot name a file", nameof(name));
        Directory.CreateDirectory(directory);
        _url = url;
        PartPath = Path.Combine(directory, name + ".part");
        _sidecarPath = PartPath + ".json";
        _lockPath = PartPath + ".lock";
    }

    public string PartPath { get; }

    /// <summary>The validator the bytes on disk were served under; null when unknown.</summary>
    public string? Validator { get; private set; }

    public long Length => File.Exists(PartPath) ? new FileInfo(PartPath).Length : 0;

    /// <summary>
    /// Holds an exclusive lock on this download until disposed, so that two processes never append
    /// to the same partial file (.NET takes an advisory flock for FileShare.None on Unix).
    /// </summary>
    public IDisposable Claim(string name)
    {
        try
        {
            return new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new LmevException($"{_lockPath}: another process is downloading '{name}'; wait for it to finish", e);
        }
    }

    /// <summary>Keeps the bytes on disk only if they were fetched from the same URL; otherwise starts over.</summary>
    public void Load()
    {
        Sidecar? sidecar = null;
        try
        {
            if (File.Exists(_sidecarPath)) sidecar = JsonSerializer.Deserialize<Sidecar>(File.ReadAllText(_sidecarPath), CanonicalJson.Options);
        }
        catch (JsonException)
        {
            // a damaged sidecar only costs a fresh download
        }
        if (sidecar?.Url == _url) Validator = sidecar.Validator;
        else Delete();
    }

    /// <summary>Empties the partial file and records what it is about to hold, before any byte arrives.</summary>
    public void Restart(string? validator)
    {
        Delete();
        Validator = validator;
        AtomicFile.WriteAllText(_sidecarPath, JsonSerializer.Serialize(new Sidecar(_url, validator), CanonicalJson.Options));
        File.Create(PartPath).Dispose();
    }

    public FileStream OpenForAppend() =>
        new(PartPath, FileMode.Append, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);

    public FileStream OpenForOverwrite() =>
        new(PartPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);

    /// <summary>Forgets the download: the partial file and its sidecar (the lock file stays, empty).</summary>
    public void Delete()
    {
        File.Delete(PartPath);
        File.Delete(_sidecarPath);
        Validator = null;
    }
}
