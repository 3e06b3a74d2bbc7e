using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Lmev.Pipeline;

/// <summary>What kind of I/O failure an exception is.</summary>
public enum IoFailureKind
{
    /// <summary>ENOSPC: the filesystem is full.</summary>
    NoSpace,
    /// <summary>EDQUOT: the user's quota on the filesystem is used up.</summary>
    Quota,
    /// <summary>EROFS: the filesystem is mounted read-only.</summary>
    ReadOnly,
    /// <summary>EACCES or EPERM (.NET: <see cref="UnauthorizedAccessException"/>).</summary>
    PermissionDenied,
    /// <summary>ENOENT (.NET: <see cref="FileNotFoundException"/>, <see cref="DirectoryNotFoundException"/>): a file gone, e.g. deleted mid-run.</summary>
    Missing,
    /// <summary>Any other error the OS reported with an errno (EIO, ...).</summary>
    Other,
}

/// <summary>
/// An operating-system I/O error, classified: its kind, errno, the path it concerns and (for a full disk) what was needed
/// and what is free, with the step it stopped and what that left behind. <see cref="Describe"/> is the one line a user sees.
/// </summary>
/// <remarks>
/// What .NET gives (measured on Linux, .NET 10): an <see cref="IOException"/> from a failed system call carries the raw
/// errno in <see cref="Exception.HResult"/> (ENOSPC 28, EROFS 30, EDQUOT 122) and, when the call had one, the path in its
/// message as <c>: '/path'</c> (a FileStream write has it; File.Copy and a directory rename do not). EACCES and EPERM become
/// <see cref="UnauthorizedAccessException"/> (HResult 0x80070005; the errno, where kept, in an inner IOException); ENOENT
/// becomes FileNotFound/DirectoryNotFound (HResult 0x80070002/3). A file created with a preallocation size (File.WriteAllText
/// of a large string) that does not fit throws a plain IOException (HResult 0x80131620) saying "the disk was full".
/// </remarks>
public sealed record IoFailure(IoFailureKind Kind, int? Errno, string? Path, string OsMessage)
{
    /// <summary>The step and unit that was running ("model [r16]"), or null outside a step.</summary>
    public string? Step { get; init; }

    /// <summary>For a full disk: at least how many bytes the write needed, and how that is known (<see cref="NeededBasis"/>).</summary>
    public long? Needed { get; init; }

    public string? NeededBasis { get; init; }

    /// <summary>What the failure left behind (nothing published, temporary files removed), and the way out.</summary>
    public string? Consequence { get; init; }

    private const int COR_E_IO = unchecked((int)0x80131620);
    private static readonly Regex QuotedPath = new("'([^']+)'", RegexOptions.CultureInvariant);

    /// <summary>The I/O failure <paramref name="e"/> is, or null when it is not one (a bug, a user's mistake).</summary>
    public static IoFailure? Classify(Exception e)
    {
        switch (e)
        {
            case IoFailureException known:
                return known.Failure;
            case LmevException { InnerException: { } inner }:
                // A message that wrapped a full or read-only disk (an archive that could not be extracted) is still one.
                return Classify(inner) is { Kind: IoFailureKind.NoSpace or IoFailureKind.Quota or IoFailureKind.ReadOnly } wrapped ? wrapped : null;
            case UnauthorizedAccessException:
            {
                var errno = e.InnerException is IOException { HResult: > 0 and < 4096 } io ? io.HResult : (int?)null;
                return new IoFailure(errno == Errors.EROFS ? IoFailureKind.ReadOnly : IoFailureKind.PermissionDenied, errno, PathIn(e), e.Message);
            }
            case FileNotFoundException f:
                return new IoFailure(IoFailureKind.Missing, Errors.ENOENT, f.FileName ?? PathIn(e), e.Message);
            case DirectoryNotFoundException:
                return new IoFailure(IoFailureKind.Missing, Errors.ENOENT, PathIn(e), e.Message);
            case IOException when e.GetType() == typeof(IOException) || e is PathTooLongException or DriveNotFoundException:
            {
                if (e.HResult == COR_E_IO && e.Message.Contains("disk was full", StringComparison.OrdinalIgnoreCase))
                    return new IoFailure(IoFailureKind.NoSpace, Errors.ENOSPC, PathIn(e), e.Message);
                var errno = ErrnoOf(e.HResult);
                if (errno is null) return null; // no errno: not an error the OS reported (a lock held by another process, ...)
                return new IoFailure(KindOf(errno.Value), errno, PathIn(e), e.Message);
            }
            default:
                return null;
        }
    }

    /// <summary>Runs <paramref name="action"/>; an I/O failure in it becomes an <see cref="IoFailureException"/> naming <paramref name="step"/>.</summary>
    public static void Guard(string step, string consequence, Action action, string? path = null)
    {
        try { action(); }
        catch (Exception e) when (Classify(e) is { } failure)
        {
            throw failure.In(step, consequence, path).ToException(e);
        }
    }

    /// <summary>This failure as it stopped <paramref name="step"/>, with what that left behind; <paramref name="path"/> when the OS named none.</summary>
    public IoFailure In(string step, string consequence, string? path = null) =>
        this with { Step = Step ?? step, Consequence = Consequence is null ? consequence : $"{consequence}; {Consequence}", Path = Path ?? path };

    /// <summary>Adds what a writer inside a step left behind (a partial download kept to resume), before the step says its part.</summary>
    public IoFailure Left(string consequence) => this with { Consequence = Consequence is null ? consequence : $"{Consequence}; {consequence}" };

    /// <summary>For a full disk: the bytes needed (<paramref name="atLeast"/>: a lower bound), unless known already (a download's pinned size).</summary>
    public IoFailure WithNeeded(long bytes, string basis, bool atLeast = false) =>
        Kind is IoFailureKind.NoSpace or IoFailureKind.Quota && Needed is null ? this with { Needed = bytes, NeededBasis = basis, AtLeast = atLeast } : this;

    /// <summary>
    /// For a full disk, while what a step wrote is still there: it needed more than it wrote (a lower bound), and the free
    /// space is measured now, when the disk ran out (removing the temporary files frees what it wrote again).
    /// </summary>
    public IoFailure WithWritten(long written) =>
        Kind is not (IoFailureKind.NoSpace or IoFailureKind.Quota) ? this : (Needed is null ? WithNeeded(written, "written so far", atLeast: true) : this).Measured();

    /// <summary>The free space on the path's filesystem, measured once: when the write failed, where the caller says so.</summary>
    public (long Bytes, string Mount)? Free { get; init; }

    public IoFailure Measured() => Free is null && Kind is IoFailureKind.NoSpace or IoFailureKind.Quota ? this with { Free = FreeSpace(Path) } : this;

    /// <summary>Whether <see cref="Needed"/> is a lower bound.</summary>
    public bool AtLeast { get; init; }

    public IoFailureException ToException(Exception cause) => new(this, cause is IoFailureException known ? known.InnerException ?? cause : cause);

    /// <summary>One line: the step, what went wrong in words, the path, for space what was needed and is free, and what was left.</summary>
    public string Describe()
    {
        var where = Path ?? "(the OS named no file)";
        var what = Kind switch
        {
            IoFailureKind.NoSpace => $"no space left on device writing {where}",
            IoFailureKind.Quota => $"disk quota exceeded writing {where}",
            IoFailureKind.ReadOnly => $"read-only file system: cannot write {where}",
            IoFailureKind.PermissionDenied => $"permission denied on {where}",
            IoFailureKind.Missing => $"no such file or directory: {where} (deleted while lmev ran?)",
            _ => $"I/O error on {where}: {Words()}",
        };
        var space = "";
        if (Kind is IoFailureKind.NoSpace or IoFailureKind.Quota)
        {
            var free = Free ?? FreeSpace(Path);
            var needed = Needed is { } n ? $"needs {(AtLeast ? "more than " : "")}{Size(n)} ({NeededBasis}), " : "";
            space = free is { } f ? $": {needed}{Size(f.Bytes)} free on {f.Mount}" : needed.Length > 0 ? $": {needed.TrimEnd(',', ' ')}" : "";
        }
        var way = Kind switch
        {
            IoFailureKind.NoSpace or IoFailureKind.Quota => "free some space (or point --cache at a larger disk) and run again",
            IoFailureKind.ReadOnly => "remount it read-write or point --cache at a writable folder, and run again",
            IoFailureKind.PermissionDenied => "give this user access to it (or point --cache at a folder it may write), and run again",
            _ => "run again",
        };
        return $"{(Step is null ? "" : $"{Step}: ")}{what}{space}; {(Consequence is null ? "" : $"{Consequence}; ")}{way}";
    }

    /// <summary>The OS's words for the errno, as strerror says them ("No space left on device"), else .NET's message.</summary>
    private string Words() => Errno is { } errno && !OperatingSystem.IsWindows() ? Marshal.GetPInvokeErrorMessage(errno) : OsMessage;

    /// <summary>Free bytes for an unprivileged user (statvfs f_bavail) on the filesystem holding <paramref name="path"/>, and its mount point.</summary>
    public static (long Bytes, string Mount)? FreeSpace(string? path)
    {
        if (path is null) return null;
        try
        {
            var dir = System.IO.Path.GetFullPath(path);
            while (!Directory.Exists(dir) && System.IO.Path.GetDirectoryName(dir) is { } parent) dir = parent;
            var free = new DriveInfo(dir).AvailableFreeSpace;
            var mount = DriveInfo.GetDrives().Select(d => d.RootDirectory.FullName)
                .Where(m => dir == m.TrimEnd('/') || dir.StartsWith(m.EndsWith('/') ? m : m + "/", StringComparison.Ordinal))
                .MaxBy(m => m.Length) ?? dir;
            return (free, mount.Length > 1 ? mount.TrimEnd('/') : mount);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return null; }
    }

    /// <summary>Bytes under <paramref name="folder"/> (0 when it is gone): what a failed stage had written when the disk filled.</summary>
    public static long BytesUnder(string? folder)
    {
        try
        {
            return folder is not null && Directory.Exists(folder)
                ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1 << 20 => $"{bytes / 1024.0:F1} KiB",
        < 1L << 30 => $"{bytes / 1048576.0:F1} MiB",
        _ => $"{bytes / 1073741824.0:F2} GiB",
    };

    private static string? PathIn(Exception e) =>
        QuotedPath.Matches(e.Message).Select(m => m.Groups[1].Value).FirstOrDefault(System.IO.Path.IsPathRooted);

    /// <summary>The errno an IOException's HResult holds on Unix (a small positive number), or the Windows error it maps to.</summary>
    private static int? ErrnoOf(int hresult)
    {
        if (!OperatingSystem.IsWindows()) return hresult is > 0 and < 4096 ? hresult : null;
        return (hresult & 0xFFFF) switch
        {
            112 or 39 when (hresult & 0xFFFF0000) == 0x80070000 => Errors.ENOSPC, // ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL
            19 when (hresult & 0xFFFF0000) == 0x80070000 => Errors.EROFS, // ERROR_WRITE_PROTECT
            _ when (hresult & 0xFFFF0000) == 0x80070000 => Errors.EIO,
            _ => null,
        };
    }

    private static IoFailureKind KindOf(int errno) =>
        errno == Errors.ENOSPC ? IoFailureKind.NoSpace
        : errno == Errors.EDQUOT ? IoFailureKind.Quota
        : errno == Errors.EROFS ? IoFailureKind.ReadOnly
        : errno == Errors.EACCES || errno == Errors.EPERM ? IoFailureKind.PermissionDenied
        : errno == Errors.ENOENT ? IoFailureKind.Missing
        : IoFailureKind.Other;

    /// <summary>The errno values this classification knows (Linux numbering; EDQUOT differs on macOS and BSD).</summary>
    public static class Errors
    {
        public const int EPERM = 1, ENOENT = 2, EIO = 5, EACCES = 13, ENOSPC = 28, EROFS = 30;
        public static readonly int EDQUOT = OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 69 : 122;
    }
}

/// <summary>A step stopped by an I/O failure: its message is <see cref="IoFailure.Describe"/>, one line; the CLI exits 6.</summary>
public sealed class IoFailureException(IoFailure failure, Exception cause) : Exception(failure.Describe(), cause)
{
    public IoFailure Failure { get; } = failure;
}
