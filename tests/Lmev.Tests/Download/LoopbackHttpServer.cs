using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lmev.Tests.Download;

/// <summary>What the server does with one request.</summary>
/// <param name="Status">200 serves the file (206 for a satisfiable range); anything else is sent with an empty body.</param>
/// <param name="DropAfterBytes">Closes the connection after this many body bytes, as a server that goes away mid-file.</param>
/// <param name="Location">Sent as the Location header, with a redirect status.</param>
/// <param name="StallAfterBytes">Sends this many body bytes, then nothing more until the client goes away, as a server that hangs.</param>
/// <param name="ClaimExtraBytes">Announces this many bytes more in Content-Length than it sends, then closes: a short body.</param>
internal sealed record ServerReply(int Status = 200, long? DropAfterBytes = null, string? Location = null, long? StallAfterBytes = null, long ClaimExtraBytes = 0)
{
    public static readonly ServerReply File = new();

    public static ServerReply Fail(int status) => new(status);

    public static ServerReply DropAfter(long bytes) => new(DropAfterBytes: bytes);

    public static ServerReply Redirect(string location, int status = 302) => new(status, Location: location);
}

/// <summary>One request as the server saw it, with the status it answered.</summary>
internal sealed record SeenRequest(string Target, string? Range, string? IfRange, int Status);

/// <summary>
/// A small HTTP/1.1 server on 127.0.0.1 serving one file, or a folder as a static web server does (404 for what is not there), for
/// download and remote-cache tests: one connection at a time, <c>Connection: close</c>, <c>Range: bytes=N-</c> answered with 206
/// and Content-Range (unless <c>If-Range</c> names another ETag), and per-request failures chosen by <see cref="Reply"/> or
/// <see cref="ReplyFor"/>.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(10);
    private readonly Func<string, byte[]?> _content;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<SeenRequest> _requests = [];
    private readonly Task _loop;

    public LoopbackHttpServer(byte[] content)
    {
        _content = _ => content;
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>Serves the files under <paramref name="folder"/> at their relative paths (a request that would leave it is a 404).</summary>
    public static LoopbackHttpServer Folder(string folder) => new(target =>
    {
        var root = Path.GetFullPath(folder);
        var path = Path.GetFullPath(Path.Combine(root, Uri.UnescapeDataString(target.Split('?')[0]).TrimStart('/')));
        return path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(path) ? File.ReadAllBytes(path) : null;
    });

    private LoopbackHttpServer(Func<string, byte[]?> content)
    {
        _content = content;
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url => $"{Origin}/data.bin";

    /// <summary>Scheme, host and port, with no path: <c>http://127.0.0.1:PORT</c>.</summary>
    public string Origin => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Sent with every file response when set, e.g. <c>"v1"</c> with its quotes.</summary>
    public string? ETag { get; set; }

    /// <summary>The reply to request number n, counted from 1.</summary>
    public Func<int, ServerReply> Reply { get; set; } = _ => ServerReply.File;

    /// <summary>When set, the reply to the n-th request (from 1) for a target (its path), over <see cref="Reply"/>.</summary>
    public Func<string, int, ServerReply>? ReplyFor { get; set; }

    public IReadOnlyList<SeenRequest> Requests
    {
        get { lock (_requests) return [.. _requests]; }
    }

    public int RequestCount => Requests.Count;

    public IReadOnlyList<string?> RangeHeaders => [.. Requests.Select(r => r.Range)];

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            using (client)
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                timeout.CancelAfter(ClientTimeout);
                try
                {
                    await HandleAsync(client.GetStream(), timeout.Token);
                    client.Client.Shutdown(SocketShutdown.Send);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                    // the client went away or stalled; serve the next one
                }
            }
        }
    }

    private async Task HandleAsync(NetworkStream stream, CancellationToken token)
    {
        var head = await ReadHeadAsync(stream, token);
        if (head is null) return;
        var lines = head.Split("\r\n");
        var target = lines[0].Split(' ') is [_, var t, ..] ? t : "/";
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var range = headers.GetValueOrDefault("Range");
        var ifRange = headers.GetValueOrDefault("If-Range");

        int number, forTarget;
        lock (_requests) (number, forTarget) = (_requests.Count + 1, _requests.Count(r => r.Target == target) + 1);
        var reply = ReplyFor is { } per ? per(target, forTarget) : Reply(number);
        var content = _content(target);
        var (status, start, extra) = (reply.Status, 0L, new List<string>());
        if (status == 200 && content is null) status = 404;
        if (status == 200)
        {
            if (ETag is not null) extra.Add($"ETag: {ETag}");
            var rangeApplies = range is not null && (ifRange is null || ifRange == ETag);
            if (rangeApplies && range!.StartsWith("bytes=") && range.EndsWith('-') && long.TryParse(range[6..^1], out var from))
            {
                if (from >= content!.Length)
                {
                    status = 416;
                    extra.Add($"Content-Range: bytes */{content.Length}");
                }
                else
                {
                    (status, start) = (206, from);
                    extra.Add($"Content-Range: bytes {from}-{content.Length - 1}/{content.Length}");
                }
            }
        }
        if (reply.Location is { } location) extra.Add($"Location: {location}");
        lock (_requests) _requests.Add(new SeenRequest(target, range, ifRange, status));

        var body = status is 200 or 206 ? content!.AsMemory((int)start) : Memory<byte>.Empty;
        var response = new StringBuilder($"HTTP/1.1 {status} {Reason(status)}\r\n")
            .Append($"Content-Length: {body.Length + reply.ClaimExtraBytes}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n");
        foreach (var h in extra) response.Append(h).Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response.Append("\r\n").ToString()), token);
        if (reply.DropAfterBytes is { } drop) body = body[..(int)Math.Min(drop, body.Length)];
        if (reply.StallAfterBytes is { } stall) body = body[..(int)Math.Min(stall, body.Length)];
        await stream.WriteAsync(body, token);
        await stream.FlushAsync(token);
        if (reply.StallAfterBytes is not null)
            while (await stream.ReadAsync(new byte[1], token) > 0) { } // silent until the client hangs up (or ClientTimeout)
    }

    /// <summary>Reads up to the blank line that ends the request head (16 KiB at most); null if the client closed first.</summary>
    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken token)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 16 * 1024)
        {
            if (await stream.ReadAsync(one, token) == 0) return null;
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
                return Encoding.ASCII.GetString([.. head]).TrimEnd();
        }
        return null;
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        206 => "Partial Content",
        302 => "Found",
        404 => "Not Found",
        416 => "Range Not Satisfiable",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => ((HttpStatusCode)status).ToString(),
    };
}
