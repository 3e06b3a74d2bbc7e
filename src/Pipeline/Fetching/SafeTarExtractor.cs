namespace Lmev.Pipeline.Fetching;

/// <summary>
/// Extracts a <c>.tar.gz</c> that came from elsewhere (a model from TF Hub) without trusting it:
/// only regular files and folders, every name inside the destination, and a bound on the bytes
/// written, against zip-slip (CVE-2018-1002200-style <c>../</c> names), links that point outside,
/// device files, and decompression bombs. Owners, modes and times in the archive are ignored:
/// files are written with the process's defaults, as nothing in a model needs to be executable.
/// The archive is extracted into a temporary sibling of the destination, which is renamed into
/// place only when every entry was written, and deleted otherwise: on any error the destination
/// is as it was.
/// </summary>
public static class SafeTarExtractor
{
    /// <summary>The default bound on unpacked bytes: 20 × the archive's size, and at least this much.</summary>
    public const long MinDefaultBound = 64L << 20;

    public static long DefaultBound(long compressedSize) => Math.Max(20 * compressedSize, MinDefaultBound);

    /// <param name="archivePath">A gzip-compressed tar.</param>
    /// <param name="destinationDirectory">Must not exist, or be an empty folder.</param>
    /// <param name="displayName">What the archive is, for messages, e.g. "'nnlm-es' from https://…".</param>
    /// <param name="maxUnpackedBytes">Refuse to write more file bytes than this; default <see cref="DefaultBound"/>.</param>
    public static void Extract(string archivePath, string destinationDirectory, string displayName, long? maxUnpackedBytes = null)
    {
        var destination = Path.GetFullPath(destinationDirectory).TrimEnd(Path.DirectorySeparatorChar);
        if (File.Exists(destination) || Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
            throw new LmevException($"{destination}: already exists and is not empty; extracting {archivePath} ({displayName}) " +
                "never merges into existing files. Remove it, or extract somewhere else.");
        var bound = maxUnpackedBytes ?? DefaultBound(new FileInfo(archivePath).Length);
        var parent = Path.GetDirectoryName(destination)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(destination)}.extracting-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(staging);
            new TarGzReader(archivePath, displayName, staging, bound).ExtractAll();
            if (Directory.Exists(destination)) Directory.Delete(destination); // empty, checked above
            Directory.Move(staging, destination);
        }
        finally
        {
            // Never holds a link (none is ever written), so a recursive delete stays inside it.
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }
}
