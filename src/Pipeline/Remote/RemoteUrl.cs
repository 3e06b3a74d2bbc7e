using System.Net;

namespace Lmev.Pipeline.Remote;

/// <summary>
/// The forms a remote's URL takes, and the store each opens:
/// <list type="bullet">
/// <item><c>s3://bucket[/prefix][?endpoint=URL&amp;region=R&amp;path-style=true]</c>: any S3-compatible store (<see cref="S3Store"/>);
/// <c>endpoint</c> for a store other than AWS (MinIO, R2, Ceph), <c>path-style</c> for one that wants <c>endpoint/bucket/key</c>;</item>
/// <item><c>https://host/path</c>: read-only, the layout a static web server serves (<see cref="HttpStore"/>); <c>http://</c> on the
/// loopback only;</item>
/// <item><c>file:///path</c>, or a path (relative to the project folder): a folder (<see cref="FolderStore"/>).</item>
/// </list>
/// A URL never carries credentials: one with a user or password is refused.
/// </summary>
public static class RemoteUrl
{
    public const string Forms = "s3://bucket/prefix (with ?endpoint=…&region=…&path-style=true for a store other than AWS), https://host/path (read-only), " +
                                "file:///path or a folder path";

    /// <summary>Opens the store <paramref name="url"/> names; <paramref name="projectRoot"/> anchors a relative folder path.</summary>
    public static IRemoteStore Open(string url, string projectRoot, TimeSpan timeout, string source)
    {
        string Refuse(string why) => throw new LmevException($"remote '{url}' ({source}): {why}; expected {Forms}");
        if (url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var s3) || s3.Host.Length == 0) Refuse("no bucket");
            if (s3!.UserInfo.Length > 0) Refuse("credentials are never part of the URL; give them the AWS way (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)");
            var query = Query(s3.Query, Refuse);
            var endpoint = query.GetValueOrDefault("endpoint");
            if (endpoint is not null && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var e) && e.Scheme is "http" or "https" && e.UserInfo.Length == 0))
                Refuse($"endpoint '{endpoint}' is not an http(s) URL without credentials");
            var pathStyle = query.GetValueOrDefault("path-style") switch
            {
                null or "false" => false,
                "true" => true,
                var other => (bool)(object)Refuse($"path-style={other}: expected true or false"),
            };
            // The URL as messages give it, without the query's endpoint details repeated.
            var shown = $"s3://{s3.Host}{s3.AbsolutePath.TrimEnd('/')}";
            return new S3Store(shown + (endpoint is null ? "" : $" (endpoint {endpoint})"), s3.Host, Uri.UnescapeDataString(s3.AbsolutePath), endpoint,
                query.GetValueOrDefault("region"), pathStyle, timeout);
        }
        if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var web)) Refuse("not a URL");
            if (web!.UserInfo.Length > 0) Refuse("credentials are never part of the URL; an https remote is read by anyone who has its URL");
            if (web.Query.Length > 0) Refuse("an https remote takes no query");
            if (web.Scheme == "http" && !IsLoopback(web.Host))
                Refuse("plain http only on the loopback: the manifests that every byte is checked against come from the server, so they must not be rewritable on the way; use https");
            return new HttpStore(web, timeout);
        }
        if (url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var file) || !file.IsFile || file.Host.Length > 0) Refuse("expected file:///absolute/path");
            return new FolderStore(file!.LocalPath, url);
        }
        if (url.Contains("://", StringComparison.Ordinal)) Refuse("an unknown scheme");
        var folder = Path.GetFullPath(Path.Combine(projectRoot, url));
        return new FolderStore(folder, folder);
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);

    private static Dictionary<string, string> Query(string query, Func<string, string> refuse)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var (name, value) = eq < 0 ? (part, "") : (part[..eq], Uri.UnescapeDataString(part[(eq + 1)..]));
            if (name is not ("endpoint" or "region" or "path-style")) refuse($"unknown parameter '{name}' (known: endpoint, region, path-style)");
            pairs[name] = value;
        }
        return pairs;
    }
}
