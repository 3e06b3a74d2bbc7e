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
/// The SDK's own retries are off: <see cref="RemoteTier"/> retries and resumes every store alike, and says so.
/// </summary>
public sealed class S3Store : IRemoteStore
{
    /// <summary>Made at the first request, so that naming a remote (status without one, a test of the URL forms) asks the AWS chain nothing.</summary>
    private readonly Lazy<AmazonS3Client> _lazyClient;
    private readonly string _bucket;
    private readonly string _prefix;

    /// <param name="credentials">Null: the AWS SDK's standard chain, as lmev always uses it; tests give their server's keys.</param>
    public S3Store(string url, string bucket, string prefix, string? endpoint, string? region, bool pathStyle, TimeSpan timeout, AWSCredentials? credentials = null)
    {
        Url = url;
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
        var request = new GetObjectRequest { BucketName = _bucket, Key = ObjectKey(key) };
        if (offset > 0) request.ByteRange = new ByteRange($"bytes={offset}-");
        try
        {
            var response = await Client.GetObjectAsync(request, cancellationToken);
            long? total = response.ContentRange is { } range && range.LastIndexOf('/') is var slash and > 0 && long.TryParse(range[(slash + 1)..], out var whole)
                ? whole
                : offset == 0 ? response.ContentLength : null;
            var from = offset > 0 && response.HttpStatusCode == HttpStatusCode.PartialContent ? offset : 0;
            return new RemoteObject(response.ResponseStream, from, total);
        }
        catch (AmazonS3Exception e) when (IsMissing(e)) { return null; }
        catch (Exception e) when (Classify(e, $"GET {ObjectKey(key)}") is { } failure) { throw failure; }
    }

    public async Task PutAsync(string key, string file, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest { BucketName = _bucket, Key = ObjectKey(key), FilePath = file, UseChunkEncoding = false };
        try { await Client.PutObjectAsync(request, cancellationToken); }
        catch (Exception e) when (Classify(e, $"PUT {ObjectKey(key)}") is { } failure) { throw failure; }
    }

    /// <summary>No such object (an absent bucket is an error, not a miss).</summary>
    private static bool IsMissing(AmazonS3Exception e) => e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is "NoSuchKey" or null or "" or "NotFound";

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
                return new LmevException($"remote {Url}: {what} was refused ({(int)s.StatusCode} {s.ErrorCode}): the credentials from the AWS chain " +
                    "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/credentials) are wrong or may not do this; " +
                    "nothing was taken from or put into the remote", e);
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
        if (_lazyClient.IsValueCreated) _lazyClient.Value.Dispose();
    }
}
