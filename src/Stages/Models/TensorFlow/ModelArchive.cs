using Lmev.Pipeline.Fetching;
using Lmev.Pipeline;
namespace Lmev.Models.TensorFlow;

/// <summary>
/// Turns a model's lock entry into a folder of TensorFlow SavedModel / TF Hub files. Three kinds of
/// source: an http(s) <c>tar.gz</c> (TF Hub's <c>?tf-hub-format=compressed</c>), fetched, verified,
/// extracted and deleted; a local <c>tar.gz</c>, verified and extracted where it lies, with no copy;
/// a local folder (format <c>dir</c>, or any path that is a folder), verified by its tree hash
/// (<see cref="Hashing.Sha256OfTree"/>) and used in place.
/// </summary>
public static class ModelArchive
{
    public const string FolderFormat = "dir";
    public const string ArchiveFormat = "tar.gz";

    /// <summary>Where a fetched archive is kept until it is extracted, inside the work folder.</summary>
    public const string ArchiveFile = "model.tar.gz";

    /// <summary>Where an archive is extracted, inside the work folder.</summary>
    public const string ExtractedFolder = "extracted";

    /// <summary>The files that mark a model folder: a SavedModel, or a TF1 Hub module.</summary>
    public static readonly string[] Markers = ["saved_model.pb", "tfhub_module.pb"];

    /// <param name="name">The lock entry's name, for messages and the partial download.</param>
    /// <param name="workDirectory">A folder this call may write into (a stage's output folder); it must not hold <see cref="ArchiveFile"/> or <see cref="ExtractedFolder"/> yet.</param>
    public static PreparedModel Prepare(string name, LockedSource source, SourceFetcher fetcher, string workDirectory, string partialDirectory)
    {
        if (SourceFetcher.IsRemote(source.Url, out _))
        {
            RequireArchiveFormat(name, source);
            var archive = Path.Combine(workDirectory, ArchiveFile);
            var fetched = fetcher.Fetch(name, source, archive, partialDirectory);
            try
            {
                var extracted = Extract(name, source, archive, workDirectory);
                return new PreparedModel(ModelFolder(name, source, extracted), fetched.Verified, fetched.FinalUrl, fetched.Filled);
            }
            finally
            {
                File.Delete(archive); // verified and extracted, or unusable: either way not needed again
            }
        }
        var path = fetcher.LocalPath(source.Url);
        if (source.Format == FolderFormat || Directory.Exists(path))
        {
            var folder = fetcher.VerifyFolder(name, source, path);
            return new PreparedModel(ModelFolder(name, source, path), folder.Verified, null, folder.Filled);
        }
        RequireArchiveFormat(name, source);
        var local = fetcher.VerifyLocalFile(name, source, path, "Nothing was extracted.");
        var unpacked = Extract(name, source, path, workDirectory);
        return new PreparedModel(ModelFolder(name, source, unpacked), local.Verified, null, local.Filled);
    }

    private static string Extract(string name, LockedSource source, string archive, string workDirectory)
    {
        var extracted = Path.Combine(workDirectory, ExtractedFolder);
        SafeTarExtractor.Extract(archive, extracted, $"'{name}' from {source.Url}");
        return extracted;
    }

    private static void RequireArchiveFormat(string name, LockedSource source)
    {
        if (source.Format != ArchiveFormat)
            throw new LmevException($"{DataLock.FileName}: model '{name}' has format '{source.Format}'; expected '{ArchiveFormat}' for an archive " +
                $"(a URL or a file) or '{FolderFormat}' for a local folder. Fix its format in {DataLock.FileName}.");
    }

    /// <summary>
    /// The folder itself when it holds a marker file; else its single sub-folder when that one does
    /// (archives made with <c>tar czf model.tar.gz model/</c>).
    /// </summary>
    private static string ModelFolder(string name, LockedSource source, string folder) =>
        ModelFolder(folder, $"model '{name}' from {source.Url}", $"check the source in {DataLock.FileName}");

    /// <param name="described">What the folder is, for the error (e.g. the lock entry and its URL).</param>
    /// <param name="advice">What to do when it holds no model.</param>
    public static string ModelFolder(string folder, string described, string advice)
    {
        if (HasMarker(folder)) return folder;
        var entries = Directory.GetFileSystemEntries(folder);
        if (entries is [var only] && Directory.Exists(only) && HasMarker(only)) return only;
        var found = entries.Length == 0 ? "nothing" : string.Join(", ", entries.Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(10));
        throw new LmevException($"{described}: {folder} holds no {string.Join(" or ", Markers)} " +
            $"(nor does a single folder inside it); found {found}. Expected a TensorFlow SavedModel or TF Hub module: {advice}.");
    }

    private static bool HasMarker(string folder) => Markers.Any(m => File.Exists(Path.Combine(folder, m)));
}
