namespace Lmev.Pipeline;

/// <summary>
/// Published cache entries, and the published copies in saved_models/ and report/, are mode 0444 (r--r--r--).
/// What that buys: a user who is not root cannot edit a cache file by mistake, through the entry or through a
/// hard link of it in saved_models/ (an editor says the file is read-only, a program that opens it for writing gets
/// EACCES), so a published entry changes only by being replaced whole. What it does not buy: root ignores file
/// modes (the CI runners and this project's tests run as root), and the file's owner can chmod it back; bytes
/// changed that way are what `lmev verify` finds. Removing an entry is unaffected: deleting or renaming a file
/// needs write permission on its folder, not on the file, so gc, verify --repair and --force work as before.
/// </summary>
public static class ReadOnlyFiles
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode AnyWrite = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>Makes every file in <paramref name="folder"/> (not its subfolders) read-only; called before the folder is published.</summary>
    public static void Seal(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder)) Apply(file);
    }

    /// <summary>Makes one file read-only (a no-op off Unix, and where it is already).</summary>
    public static void Apply(string file)
    {
        if (OperatingSystem.IsWindows()) return;
        if ((File.GetUnixFileMode(file) & AnyWrite) != 0) File.SetUnixFileMode(file, Mode);
    }

    /// <summary>True when nobody but root (or an owner who changes the mode back) can write the file.</summary>
    public static bool IsReadOnly(string file) => OperatingSystem.IsWindows() || (File.GetUnixFileMode(file) & AnyWrite) == 0;
}
