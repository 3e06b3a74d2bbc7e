using System.Net;
using System.Net.Http.Headers;
using Lmev.Pipeline;

namespace Lmev.Pipeline.Fetching;

/// <summary>
/// Downloads one URL into a <see cref="PartialDownload"/>: retries transient failures with
/// exponential back-off, and every attempt resumes from the bytes already on disk
/// (<c>Range: bytes=N-</c> with <c>If-Range</c>, RFC 9110 §14). Leaves the whole file in the
/// partial file; verifying it is the caller's job. Redirects are followed by hand (see
/// <see cref="RedirectPolicy"/>); once a request has been redirected, later attempts go straight to
/// the final URL, so a resumed request asks the server that holds the file.
/// </summary>
internal sealed class HttpDownload(string name, Uri url, PartialDownload partial, Action<string> log, FetchOptions options)
{
    /// <summary>A failure that waiting may cure: the next attempt resumes where this one stopped.</summary>
    private sealed class TransientFailure(string cause, TimeSpan? retryAfter = null) : Exception(cause)
    {
        public TimeSpan? RetryAfter { get; } = retryAfter;
    }

    /// <summary>The URL the bytes came from after redirects; the lock's URL until a request was redirected.</summary>
    public Uri FinalUrl => _finalUrl ?? url;

    private Uri? _finalUrl;

    /// <summary>The URL for messages: the lock's, and the one it was redirected to, if any.</summary>
    private string Where => FinalUrl == url ? url.ToString() : $"{url} (redirected to {FinalUrl})";

    public async Task RunAsync(long expectedSize, CancellationToken cancellationToken)
    {
        partial.Load();
        using var client = CreateClient();
        using var progress = new ProgressBar($"download {name}", expectedSize, "B");
        var lastCause = "";
        var attempts = Math.Max(1, options.MaxAttempts);
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                await AttemptAsync(client, progress, cancellationToken);
                return;
            }
            catch (TransientFailure e)
            {
                (lastCause, retryAfter) = (e.Message, e.RetryAfter);
            }
            catch (HttpRequestException e) when (IsUnknownHost(e))
            {
                // The resolver's definite answer (no network, or no such host): waiting will not change it.
                throw new LmevException($"download '{name}': cannot reach {Where}: {e.Message}. {SourceFetcher.WaysForward(name)}.", e);
            }
            catch (HttpRequestException e) when (IsTransient(e))
            {
                lastCause = e.Message; // e.g. "Connection refused (host:port)"
            }
            catch (HttpRequestException e)
            {
                throw new LmevException($"download '{name}': GET {Where} failed: {e.Message}; {SourceFetcher.Offline}.", e);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastCause = $"no response within {options.EffectiveTimeout.TotalSeconds:0.###} s";
            }
            if (attempt == attempts) break;
            var wait = options.Backoff(attempt);
            if (retryAfter is { } asked && asked <= FetchOptions.MaxRetryAfter && asked > wait) wait = asked;
            log($"download {name}: attempt {attempt}/{attempts} failed ({lastCause}); retrying in {wait.TotalSeconds:0.###} s" +
                (partial.Length > 0 ? $" from byte {partial.Length}" : ""));
            await Task.Delay(wait, cancellationToken);
        }
        throw new LmevException($"download '{name}': {Where} failed after {attempts} attempt{(attempts == 1 ? "" : "s")}; " +
            $"last cause: {lastCause}. Check the network (or proxy) and run again to resume. {SourceFetcher.WaysForward(name)}.");
    }

    private HttpClient CreateClient()
    {
        // No automatic decompression: the lock pins the bytes as served (a .gz stays a .gz).
        // No automatic redirects: RedirectPolicy checks each one and FinalUrl records where they led.
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.EffectiveTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
        };
        // HttpClient.Timeout covers the request up to the response headers; body reads get their own.
        var client = new HttpClient(handler) { Timeout = options.EffectiveTimeout };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("lmev", "0.1"));
        return client;
    }

    private async Task AttemptAsync(HttpClient client, ProgressBar progress, CancellationToken cancellationToken)
    {
        var offset = partial.Length;
        using var response = await SendFollowingRedirectsAsync(client, offset, cancellationToken);
        var status = (int)response.StatusCode;
        var contentRange = response.Content.Headers.ContentRange;
        long? total;
        switch (status)
        {
            case 200:
                partial.Restart(Validator(response)); // the whole file from byte 0, or a different file
                offset = 0;
                total = response.Content.Headers.ContentLength;
                break;
            case 206 when contentRange?.From == offset:
                total = contentRange.Length;
                break;
            case 206:
                partial.Delete();
                throw new TransientFailure($"asked for bytes from {offset}, the server sent {contentRange}; starting over");
            case 416 when offset > 0 && contentRange?.Length == offset:
                return; // every byte is already here: an earlier process stopped before verifying
            case 416:
                partial.Delete();
                throw new TransientFailure($"the server has no byte {offset} ({contentRange}); starting over");
            case >= 500 or 408 or 429:
                throw new TransientFailure($"{status} {response.ReasonPhrase}", RetryAfter(response));
            case 401 or 403 or 404 or 410:
                // tfhub.dev's models moved to Kaggle Models, whose redirects and signed storage URLs have answered 403.
                throw new LmevException($"download '{name}': GET {url} answered {status} {response.ReasonPhrase} at {FinalUrl}" +
                    $"{(FinalUrl == url ? "" : " (where it was redirected)")}, which waiting will not change. {ModelRoutes.WaysForward(name, url.ToString())}");
            default:
                throw new LmevException($"download '{name}': GET {Where} answered {status} {response.ReasonPhrase}, which waiting will not change. " +
                    $"Check the url of '{name}' in {DataLock.FileName}; {SourceFetcher.Offline}.");
        }
        if (total is { } t) progress.Total = t;
        progress.Report(offset);

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var file = offset == 0 ? partial.OpenForOverwrite() : partial.OpenForAppend();
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var buffer = new byte[1 << 16];
        var done = offset;
        while (true)
        {
            silence.CancelAfter(options.EffectiveTimeout); // restarted before every read: a timeout on silence, not on size
            int n;
            try
            {
                n = await body.ReadAsync(buffer, silence.Token);
            }
            catch (IOException e)
            {
                throw new TransientFailure($"connection lost after byte {done}: {e.Message}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TransientFailure($"the server stalled: no data for {options.EffectiveTimeout.TotalSeconds:0.###} s after byte {done}");
            }
            if (n == 0) break;
            // Written before the next read, so whatever arrived survives a dropped connection.
            await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            done += n;
            progress.Report(done);
        }
        if (total is { } expected && done != expected)
            throw new TransientFailure($"connection closed after byte {done} of {expected}");
    }

    /// <summary>
    /// Sends the GET (with Range and If-Range when resuming) to <see cref="FinalUrl"/> and follows
    /// redirects, sending the same headers to each new URL; returns the first response that is not a redirect.
    /// </summary>
    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpClient client, long offset, CancellationToken cancellationToken)
    {
        var chain = new List<Uri> { FinalUrl };
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, chain[^1]);
            if (offset > 0)
            {
                request.Headers.Range = new RangeHeaderValue(offset, null);
                // Without a validator the lock's hash is what catches a file that changed meanwhile.
                if (partial.Validator is { } validator) request.Headers.TryAddWithoutValidation("If-Range", validator);
            }
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (!RedirectPolicy.IsRedirect(status))
            {
                if (chain.Count > 1) log($"download {name}: redirected {RedirectPolicy.Describe(chain)}");
                _finalUrl = chain[^1];
                return response;
            }
            var location = response.Headers.Location;
            response.Dispose();
            chain.Add(RedirectPolicy.Next(name, chain, status, location));
        }
    }

    /// <summary>A strong ETag, or else Last-Modified: what If-Range may carry (a weak ETag may not).</summary>
    private static string? Validator(HttpResponseMessage response) =>
        response.Headers.ETag is { IsWeak: false } etag ? etag.ToString()
            : response.Content.Headers.LastModified?.ToString("R");

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };

    /// <summary>"Name or service not known" (EAI_NONAME), unlike "Temporary failure in name resolution" (EAI_AGAIN), which is retried.</summary>
    private static bool IsUnknownHost(HttpRequestException e) =>
        e.HttpRequestError == HttpRequestError.NameResolutionError &&
        e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.HostNotFound };

    /// <summary>Network trouble is worth another attempt; a TLS or protocol-version failure is not.</summary>
    private static bool IsTransient(HttpRequestException e) => e.HttpRequestError is
        HttpRequestError.Unknown or HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or
        HttpRequestError.HttpProtocolError or HttpRequestError.ResponseEnded or HttpRequestError.ProxyTunnelError;
}
