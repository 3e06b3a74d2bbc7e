using System.Text.RegularExpressions;

namespace Lmev.Pipeline.Fetching;

/// <summary>
/// The ways to a model when its URL does not give it (a 403, a sign-in page): TF Hub's models now live on Kaggle Models,
/// whose API serves a model's archive directly, and any copy can be pointed at by path.
/// </summary>
internal static partial class ModelRoutes
{
    /// <summary>
    /// Kaggle's direct archive URL for a TF Hub NNLM handle (<c>…/google/nnlm-es-dim50-with-normalization/2</c> →
    /// <c>https://www.kaggle.com/api/v1/models/google/nnlm/tensorFlow2/es-dim50-with-normalization/2/download</c>), or null.
    /// </summary>
    public static string? KaggleArchive(string url)
    {
        var m = HubHandle().Match(url);
        return m.Success ? $"https://www.kaggle.com/api/v1/models/google/nnlm/tensorFlow2/{m.Groups["variation"].Value}/{m.Groups["version"].Value}/download" : null;
    }

    /// <summary>What to do next, for the message of a download that answered 403 or a web page.</summary>
    public static string WaysForward(string name, string url)
    {
        var kaggle = KaggleArchive(url);
        var route = kaggle is null ? "" :
            $"Ways forward: (1) Kaggle Models serves this model's archive directly: {kaggle} — put it as the url of '{name}' in {DataLock.FileName} " +
            "(keep its sha256 empty to fill it on first use; a 403 there too asks for Kaggle credentials: download it in a browser signed in to Kaggle instead); or (2) ";
        return route + (kaggle is null ? "" : "a copy by path: ") +
            SourceFetcher.WaysForward(name) + ". Check a copy with `lmev inspect-model <file or folder>`: its table must have the shape the lock pins (\"rows\", \"dim\").";
    }

    [GeneratedRegex(@"/google/nnlm-(?<variation>[a-z]{2}-dim\d+(?:-with-normalization)?)/(?<version>\d+)(?:[/?#]|$)", RegexOptions.CultureInvariant)]
    private static partial Regex HubHandle();
}
