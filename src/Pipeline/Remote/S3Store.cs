using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Lmev.Pipeline.Remote;

/// <summary>
/// A remote in an S3 bucket, through the AWS SDK for .NET: <c>s3://bucket/prefix</c>, on AWS or any S3-compatible store (MinIO, R2,
/// Ceph, s3rver) named by the URL's <c>endpoint</c>, with <c>region</c> and <c>path-style</c> addressing (see <see cref="RemoteUrl"/>).
/// Credentials come from the AWS SDK's standard chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws, a role)
/// and are never read from the project or written anywhere: an error names the remote and the store's error code, never a key.
/// The SDK's own retries are off: <see cref="RemoteTier"/> retries and resumes every store alike, and says so. Reads go through
/// URLs the SDK signs (SigV4 in the query, for minutes) and HttpClient streams, as the https store reads: the SDK's own response
/// pipeline costs a second of start-up and a hash of every byte, which the manifest's SHA-256 makes redundant (bench/remote).
/// A signed URL is never printed (it names the access key).
/// </summary>
public sealed partial class S3Store : IRemoteStore
{
    /// <summary>Made at the first request, so that naming a remote (status without one, a test of the URL forms) asks the AWS chain nothing.</summary>
    private readonly Lazy<AmazonS3Client> _lazyClient;
    private readonly string _bucket;
    private readonly string _prefix;

    /// <param name="credentials">Null: the AWS SDK's standard chain, as lmev always uses it; tests give their server's keys.</param>
    private readonly HttpClient _http;
    private readonly Protocol _protocol;

    [System.Text.RegularExpressions.GeneratedRegex("<Code>([^<]*)</Code>")]
    private static partial System.Text.RegularExpressions.Regex ErrorCode();

    public S3Store(string url, string bucket, string prefix, string? endpoint, string? region, bool pathStyle, TimeSpan timeout, AWSCredentials? credentials = null)
    {
        Url = url;
        _protocol = endpoint is not null && endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTP : Protocol.HTTPS;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = timeout, AutomaticDecompression = DecompressionMethods.None, AllowAutoRedirect = false })
            { Timeout = timeout };
        _bucket = bucket;
        _prefix = prefix.Trim('/');
        var config = new AmazonS3Config
        {
            ForcePathStyle = pathStyle,
            MaxErrorRetry = 0,
            Timeout = timeout,
            // Checksums only where the API requires them: S3-compatible stores do not all read the SDK's aws-chunked trailers, and
            // every byte is checked against its manifest's SHA-256 anyway.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        var regionName = region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = regionName ?? "us-east-1";
        }
        // Without one, us-east-1, where S3 answers for a bucket in any region (region= in the URL, or AWS_REGION, names it).
        else config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(regionName ?? "us-east-1");
        _lazyClient = new(() => credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config));
    }

    public string Url { get; }

    public bool Writable => true;

    private AmazonS3Client Client => _lazyClient.Value;

    private string ObjectKey(string key) => _prefix.Length == 0 ? key : $"{_prefix}/{key}";

    public async Task<RemoteObject?> OpenAsync(string key, long offset, CancellationToken cancellationToken)
    {
        var what = $"GET {ObjectKey(key)}";
        string signed;
        try
        {
            signed = Client.GetPreSignedURL(new GetPreSignedUrlRequest
            {
                BucketName = _bucket, Key = ObjectKey(key), Verb = HttpVerb.GET, Expires = DateTime.UtcNow.AddMinutes(30), Protocol = _protocol,
            });
        }
        catch (Exception e) when (Classify(e, what) is { } failure) { throw failure; }
        using var request = new HttpRequestMessage(HttpMethod.Get, signed);
        if (offset > 0) request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(offset, null);
        HttpResponseMessage response;
        try { response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken); }
        catch (HttpRequestException e) { throw new RemoteTransientException($"{what}: {e.Message}", e); }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested) { throw new RemoteTransientException($"{what}: no response within {_http.Timeout.TotalSeconds:0} s", e); }
        var status = (int)response.StatusCode;
        if (status == 200) return new RemoteObject(await response.Content.ReadAsStreamAsync(cancellationToken), 0, response.Content.Headers.ContentLength);
        if (status == 206 && response.Content.Headers.ContentRange is { From: var from } range && from == offset)
            return new RemoteObject(await response.Content.ReadAsStreamAsync(cancellationToken), offset, range.Length);
        using (response)
        {
            // S3's error document names the error; its message is left out, as it may quote the request.
            string body;
            try { body = await response.Content.ReadAsStringAsync(cancellationToken); }
            catch (HttpRequestException) { body = ""; }
            var code = ErrorCode().Match(body) is { Success: true } m ? m.Groups[1].Value : "";
            switch (status)
            {
                case 404 when code is "NoSuchKey" or "NotFound" or "":
                    return null;
                case 404:
                    throw new LmevException($"remote {Url}: {what} answered 404 {code}: bucket '{_bucket}' does not exist at this endpoint; check the URL " +
                        "(LMEV_REMOTE, --remote or lmev.json) and its endpoint");
                case 401 or 403:
                    throw Refused(what, $"{status} {code}");
                case >= 500 or 408 or 429 or 206 or 416:
                    throw new RemoteTransientException($"{what} answered {status} {code}".TrimEnd());
                default:
                    throw new LmevException($"remote {Url}: {what} answered {status} {code}, which waiting will not change".Replace("  ", " "));
            }
        }
    }

    private LmevException Refused(string what, string answer) =>
        new($"remote {Url}: {what} was refused ({answer}): the credentials from the AWS chain " +
            "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/credentials) are wrong or may not do this; " +
            "nothing was taken from or put into the remote");

    public async Task PutAsync(string key, string file, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest { BucketName = _bucket, Key = ObjectKey(key), FilePath = file, UseChunkEncoding = false };
        try { await Client.PutObjectAsync(request, cancellationToken); }
        catch (Exception e) when (Classify(e, $"PUT {ObjectKey(key)}") is { } failure) { throw failure; }
    }

    /// <summary>
    /// What a failure is: a <see cref="RemoteTransientException"/> to retry, or an <see cref="LmevException"/> that names the remote
    /// and what to do; null for what is not the store's (a bug, left as it is). Credentials are never part of the text: for a refusal,
    /// the store's error code is said, not its message.
    /// </summary>
    private Exception? Classify(Exception e, string what)
    {
        switch (e)
        {
            case AmazonS3Exception { StatusCode: HttpStatusCode.NotFound } s:
                return new LmevException($"remote {Url}: {what} answered 404 {s.ErrorCode}: bucket '{_bucket}' does not exist at this endpoint; check the URL " +
                    "(LMEV_REMOTE, --remote or lmev.json) and its endpoint", e);
            case AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } s:
                return Refused(what, $"{(int)s.StatusCode} {s.ErrorCode}");
            case AmazonS3Exception s when (int)s.StatusCode >= 500 || s.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
                                           or HttpStatusCode.RequestedRangeNotSatisfiable || s.StatusCode == 0:
                return new RemoteTransientException($"{what} answered {(int)s.StatusCode} {s.ErrorCode}", e);
            case AmazonS3Exception s:
                return new LmevException($"remote {Url}: {what} answered {(int)s.StatusCode} {s.ErrorCode}, which waiting will not change", e);
            case AmazonServiceException s when (int)s.StatusCode >= 500 || s.StatusCode == 0:
                return new RemoteTransientException($"{what}: {s.Message}", e);
            case HttpRequestException or IOException or TimeoutException:
                return new RemoteTransientException($"{what}: {e.Message}", e);
            case TaskCanceledException or OperationCanceledException:
                return new RemoteTransientException($"{what}: no response in time", e);
            case AmazonClientException c when c.InnerException is HttpRequestException or IOException or System.Net.Sockets.SocketException:
                return new RemoteTransientException($"{what}: {c.InnerException.Message}", e);
            case AmazonClientException:
                // Most often: no credentials anywhere in the chain. The SDK's message lists where it looked, never a secret.
                return new LmevException($"remote {Url}: {what} could not be sent ({e.Message.Split('\n')[0].Trim()}); set credentials the AWS way " +
                    "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), never in the project", e);
            default:
                return null;
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        if (_lazyClient.IsValueCreated) _lazyClient.Value.Dispose();
    }
}
