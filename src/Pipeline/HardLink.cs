using System.Runtime.InteropServices;

namespace Lmev.Pipeline;

/// <summary>
/// Hard links and file identity on Linux. Hand-written P/Invoke because .NET 10 has no hard-link API
/// (<c>File.CreateHardLink</c> arrives in .NET 11, dotnet/runtime#69030) and no way to read an inode.
/// Anywhere else (Windows, a libc without these calls) linking reports failure and identity is unknown,
/// so callers copy and hash instead.
/// </summary>
public static class HardLink
{
    /// <summary>
    /// Makes <paramref name="link"/> a second name of <paramref name="existing"/> (<c>link(2)</c>); false, with the reason
    /// (e.g. "EXDEV", another filesystem), when the filesystem cannot: the caller copies instead.
    /// </summary>
    public static bool TryCreate(string existing, string link, out string? why)
    {
        why = null;
        if (!OperatingSystem.IsLinux()) { why = "not Linux"; return false; }
        try
        {
            if (NativeLink(existing, link) == 0) return true;
            why = ErrnoName(Marshal.GetLastPInvokeError());
        }
        catch (EntryPointNotFoundException) { why = "no link() in libc"; }
        catch (DllNotFoundException) { why = "no libc"; }
        return false;
    }

    /// <summary>The file's device, inode and link count (<c>statx(2)</c>); null where they cannot be read.</summary>
    public static (ulong Device, ulong Inode, uint Links)? Identity(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        // struct statx has one layout on every architecture (256 bytes): read the fields at their offsets.
        var buffer = new byte[256];
        try
        {
            if (NativeStatx(AtFdCwd, path, 0, StatxNlink | StatxIno, buffer) != 0) return null;
        }
        catch (EntryPointNotFoundException) { return null; }
        catch (DllNotFoundException) { return null; }
        var mask = BitConverter.ToUInt32(buffer, 0);
        if ((mask & (StatxNlink | StatxIno)) != (StatxNlink | StatxIno)) return null;
        var links = BitConverter.ToUInt32(buffer, 16);
        var inode = BitConverter.ToUInt64(buffer, 32);
        var device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140); // stx_dev_major, stx_dev_minor
        return (device, inode, links);
    }

    /// <summary>True when both paths name one file (a hard link), false when they do not, null when that cannot be told.</summary>
    public static bool? SameFile(string a, string b) =>
        Identity(a) is { } x && Identity(b) is { } y ? x.Device == y.Device && x.Inode == y.Inode : null;

    private const int AtFdCwd = -100;
    private const uint StatxNlink = 0x4;
    private const uint StatxIno = 0x100;

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int NativeLink([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int NativeStatx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    private static string ErrnoName(int errno) => errno switch
    {
        1 => "EPERM (the filesystem or its settings refuse links)",
        13 => "EACCES",
        17 => "EEXIST",
        18 => "EXDEV (another filesystem)",
        30 => "EROFS",
        31 => "EMLINK (too many links)",
        38 => "ENOSYS",
        95 => "EOPNOTSUPP (the filesystem has no hard links)",
        _ => $"errno {errno}",
    };
}
