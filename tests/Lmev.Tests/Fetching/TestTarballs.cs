using System.Formats.Tar;
using System.IO.Compression;

namespace Lmev.Tests.Fetching;

/// <summary>Small .tar.gz archives written with TarWriter, good and hostile, for the fetching tests.</summary>
internal static class TestTarballs
{
    public static byte[] Build(params TarEntry[] entries)
    {
        var bytes = new MemoryStream();
        using (var gzip = new GZipStream(bytes, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var entry in entries) tar.WriteEntry(entry);
        return bytes.ToArray();
    }

    public static PaxTarEntry File(string name, byte[] content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };

    public static PaxTarEntry File(string name, string content) => File(name, System.Text.Encoding.UTF8.GetBytes(content));

    public static PaxTarEntry Folder(string name) => new(TarEntryType.Directory, name);

    public static PaxTarEntry Link(TarEntryType type, string name, string target) => new(type, name) { LinkName = target };

    /// <summary>A SavedModel's layout, with "./" names as TF Hub's tarballs have.</summary>
    public static byte[] Model(string? topFolder = null)
    {
        var prefix = topFolder is null ? "./" : topFolder + "/";
        return Build(
            Folder(prefix),
            File(prefix + "saved_model.pb", "graph"),
            Folder(prefix + "variables/"),
            File(prefix + "variables/variables.index", "index"),
            File(prefix + "variables/variables.data-00000-of-00001", "data"));
    }

    public static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
