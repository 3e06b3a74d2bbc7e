using System.Net;
using System.Net.Http.Headers;

namespace Lmev.Pipeline.Remote;

/// <summary>
/// A read-only remote served by any web server (a folder a <see cref="FolderStore"/> push filled, behind nginx, a bucket's website
/// endpoint): <c>GET &lt;url&gt;/&lt;stage&gt;/&lt;key&gt;/&lt;file&gt;</c>, resumed with <c>Range: bytes=N-</c>. https, or http on the
/// loopback only: the bytes are verified against their manifest, but the manifest itself comes from the server, so the channel must
/// be one nobody on the way can rewrite.
/// </summary>
public sealed class HttpStore : IRemoteStore
{
    private readonly Uri _base;
    private readonly HttpClient _client;

    public HttpStore(Uri url, TimeSpan timeout)
    {
        _base = new Uri(url.AbsoluteUri.TrimEnd('/') + "/");
        Url = url.AbsoluteUri.TrimEnd('/');
        // HttpClient follows redirects itself here (never from https down to http): the bytes are checked against the manifest.
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = timeout,
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
        };
        _client = new HttpClient(handler) { Timeout = timeout };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("lmev", "0.1"));
    }

    public string Url { get; }

    public bool Writable => false;

    public async Task<RemoteObject?> OpenAsync(string key, long offset, CancellationToken cancellationToken)
    {
        var url = new Uri(_base, key);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        HttpResponseMessage response;
        try { response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken); }
        catch (HttpRequestException e) { throw new RemoteTransientException($"GET {url}: {e.Message}", e); }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested) { throw new RemoteTransientException($"GET {url}: no response within {_client.Timeout.TotalSeconds:0} s", e); }
        var status = (int)response.StatusCode;
        switch (status)
        {
            case 200:
                return new RemoteObject(await response.Content.ReadAsStreamAsync(cancellationToken), 0, response.Content.Headers.ContentLength);
            case 206 when response.Content.Headers.ContentRange is { From: var from } range && from == offset:
                return new RemoteObject(await response.Content.ReadAsStreamAsync(cancellationToken), offset, range.Length);
            case 404 or 410:
                response.Dispose();
                return null;
            case >= 500 or 408 or 429 or 206 or 416:
                response.Dispose();
                throw new RemoteTransientException($"GET {url} answered {status} {response.ReasonPhrase}");
            default:
                response.Dispose();
                throw new LmevException($"remote {Url}: GET {url} answered {status} {response.ReasonPhrase}, which waiting will not change; " +
                    "an https remote is read by anyone who has its URL: check the URL (LMEV_REMOTE, --remote or lmev.json) and that the server serves that folder");
        }
    }

    public Task PutAsync(string key, string file, CancellationToken cancellationToken) =>
        throw new LmevException($"remote {Url} is read-only (an https remote is served by a web server); push to the store behind it instead " +
            "(the s3:// bucket, or the folder the server serves)");

    public void Dispose() => _client.Dispose();
}
