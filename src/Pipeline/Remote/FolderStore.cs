namespace Lmev.Pipeline.Remote;

/// <summary>
/// A remote in a folder (<c>file:///srv/lmev-cache</c> or a path): a shared disk, or the tree a static web server serves as an
/// https remote. Pushing to it writes each object beside its place and renames it in, so a reader never sees half a file.
/// </summary>
public sealed class FolderStore(string root, string url) : IRemoteStore
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Url { get; } = url;

    public bool Writable => true;

    private string PathOf(string key) => Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));

    public Task<RemoteObject?> OpenAsync(string key, long offset, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return Task.FromResult<RemoteObject?>(null);
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            stream.Seek(offset, SeekOrigin.Begin);
            return Task.FromResult<RemoteObject?>(new RemoteObject(stream, offset, stream.Length));
        }
        catch (FileNotFoundException) { return Task.FromResult<RemoteObject?>(null); }
        catch (DirectoryNotFoundException) { return Task.FromResult<RemoteObject?>(null); }
    }

    public Task PutAsync(string key, string file, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            File.Copy(file, tmp);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(tmp, path, overwrite: true); // rename(2): a reader sees the old object or the new one
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
        return Task.CompletedTask;
    }

    public void Dispose() { }
}
