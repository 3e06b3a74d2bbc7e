namespace Lmev.Tests.Support;

/// <summary>
/// A small tmpfs mounted over a folder for the length of a test (root only): a disk that can be filled to the byte, or
/// remounted read-only. Unmounted on dispose.
/// </summary>
public sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    /// <summary>Bytes an unprivileged writer may still use (statvfs f_bavail; tmpfs reserves none for root).</summary>
    public long Free => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> over <paramref name="path"/>, or says why it cannot (not root, mount refused).</summary>
    public static (Tmpfs? Disk, string? Why) TryMount(string path, long bytes)
    {
        if (!Environment.IsPrivilegedProcess) return (null, "not root: mounting a tmpfs needs root (CI runs the tests as root)");
        Directory.CreateDirectory(path);
        var (code, output) = Os.Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path);
        return code == 0 ? (new Tmpfs(path), null) : (null, $"mount -t tmpfs failed (exit {code}): {output.Trim()}");
    }

    /// <summary>Fills the disk with one file until <paramref name="leave"/> bytes are free (to the page); returns the file.</summary>
    public string Fill(long leave)
    {
        var filler = System.IO.Path.Combine(Path, "filler.bin");
        var buffer = new byte[1 << 16];
        Array.Fill(buffer, (byte)0xA5); // written, not sparse: a tmpfs page is only taken when written
        try
        {
            using var file = new FileStream(filler, FileMode.Append, FileAccess.Write, FileShare.None, 1 << 16);
            for (var free = Free; free - leave > 0;)
            {
                file.Write(buffer, 0, (int)Math.Min(buffer.Length, free - leave));
                file.Flush();
                if (Free == free) break; // a write into a page already taken: as close as it gets
                free = Free;
            }
        }
        catch (IOException) { } // the last page did not fit: the disk is as full as it gets
        return filler;
    }

    public void Remount(bool readOnly)
    {
        var (code, output) = Os.Run("mount", "-o", readOnly ? "remount,ro" : "remount,rw", Path);
        if (code != 0) throw new InvalidOperationException($"remount {Path}: {output}");
    }

    public void Dispose()
    {
        if (Os.Run("umount", Path).Code != 0) Os.Run("umount", "-l", Path);
    }
}
