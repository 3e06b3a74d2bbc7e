namespace Lmev.Pipeline;

/// <summary>
/// A temporary folder in <c>cache/.tmp/</c> (or beside a folder people open, while it is replaced) owned by this process. Beside it, <c>&lt;name&gt;.lock</c>
/// is created first and held with an exclusive lock (flock on Linux) for the folder's whole life;
/// the kernel drops that lock when the process dies, however it dies. So another process can tell
/// an abandoned folder (its lock can be taken) from one in use, with no window in between.
/// On dispose the folder is deleted if it is still there (it is gone once published by rename),
/// then the lock file.
/// <para>
/// Opening a file and locking it are two system calls: a cleaner could lock a fresh lock file between them, remove it, and
/// leave its owner holding the lock of a file no longer there — and the next cleaner, seeing a folder without a lock file,
/// removed the folder under its owner. So the lock is taken on a file of a pending name (<see cref="PendingMark"/>) and
/// renamed into place while held: rename(2) keeps the inode and its lock, and a rename that finds its file gone says that a
/// cleaner got there first, and another is taken.
/// </para>
/// </summary>
public sealed class OwnedFolder : IDisposable
{
    public const string LockSuffix = ".lock";

    /// <summary>Marks a lock file being taken: <c>&lt;name&gt;.lock~&lt;id&gt;</c>, renamed to <c>&lt;name&gt;.lock</c> once locked.</summary>
    public const string PendingMark = ".lock~";
    private readonly FileStream _lock;

    private OwnedFolder(string path, FileStream @lock)
    {
        Path = path;
        _lock = @lock;
    }

    public string Path { get; }

    /// <param name="create">False for a folder that a rename will bring (trash of gc and --force).</param>
    public static OwnedFolder Create(string parent, string name, bool create = true)
    {
        Directory.CreateDirectory(parent);
        var path = System.IO.Path.Combine(parent, name);
        for (var attempt = 1; ; attempt++)
        {
            var pending = $"{path}{PendingMark}{Guid.NewGuid():N}";
            FileStream? @lock = null;
            try
            {
                @lock = new FileStream(pending, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                File.Move(pending, path + LockSuffix); // held while renamed: no cleaner can lock it under its final name
            }
            catch (IOException) when (attempt < 10 && !File.Exists(path + LockSuffix))
            {
                // A cleaner locked the pending file first (our lock failed) or removed it (our rename found nothing): take another.
                @lock?.Dispose();
                try { File.Delete(pending); } catch (IOException) { }
                continue;
            }
            catch
            {
                @lock?.Dispose();
                throw;
            }
            if (create) Directory.CreateDirectory(path);
            return new OwnedFolder(path, @lock);
        }
    }

    /// <summary>Deletes the folder at <paramref name="path"/> and its lock file if no live process owns them.</summary>
    public static bool TryRemoveAbandoned(string path)
    {
        try
        {
            var lockPath = path + LockSuffix;
            FileStream? held = null;
            if (File.Exists(lockPath))
                held = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None); // throws while the owner lives
            using (held)
            {
                var removed = false;
                if (Directory.Exists(path)) { Directory.Delete(path, recursive: true); removed = true; }
                else if (File.Exists(path)) { File.Delete(path); removed = true; }
                if (held is not null) File.Delete(lockPath);
                return removed;
            }
        }
        catch (IOException) { return false; } // owned by a live process, or removed by another cleaner meanwhile
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// Removes the folders (and files) in <paramref name="parent"/> whose names start with <paramref name="prefix"/> and
    /// that no live process owns, with their lock files, and lock files whose folder is already gone; returns how many
    /// folders or files it removed.
    /// </summary>
    public static int RemoveAbandoned(string parent, string prefix = "")
    {
        if (!Directory.Exists(parent)) return 0;
        var removed = 0;
        bool Mine(string p) => System.IO.Path.GetFileName(p).StartsWith(prefix, StringComparison.Ordinal);
        static bool Pending(string p) => System.IO.Path.GetFileName(p).Contains(PendingMark, StringComparison.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(parent).Where(p => Mine(p) && !Pending(p) && !p.EndsWith(LockSuffix, StringComparison.Ordinal)).ToList())
            if (TryRemoveAbandoned(path)) removed++;
        foreach (var lockFile in Directory.EnumerateFiles(parent, "*" + LockSuffix).Where(Mine).ToList())
            TryRemoveAbandoned(lockFile[..^LockSuffix.Length]); // a lock whose folder is already gone
        foreach (var pending in Directory.EnumerateFiles(parent).Where(p => Mine(p) && Pending(p)).ToList())
            RemoveIfUnlocked(pending); // a lock being taken when its process died
        return removed;
    }

    /// <summary>Deletes a pending lock file that no live process holds.</summary>
    private static void RemoveIfUnlocked(string file)
    {
        try
        {
            using var held = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None); // throws while held
            File.Delete(file);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
        finally
        {
            _lock.Dispose();
            File.Delete(Path + LockSuffix);
        }
    }
}
