using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Lmev.Pipeline.Remote;

namespace Lmev.Tests.Support;

/// <summary>
/// s3rver (an S3-protocol server on node) started on 127.0.0.1 at a free port with a bucket of its own, its data in a temporary
/// folder; stopped (its process, by id) and removed on dispose. Needs node and s3rver in <c>$LMEV_S3RVER/node_modules</c> or
/// <c>${XDG_CACHE_HOME:-~/.cache}/lmev/s3rver/node_modules</c>, where .ci/run installs it. Without them a test skips, saying so;
/// under CI (CI=true) it fails instead, so that CI never passes without the server.
/// </summary>
public sealed partial class S3rver : IDisposable
{
    /// <summary>s3rver's own keys: the only ones it accepts.</summary>
    public const string AccessKey = "S3RVER", SecretKey = "S3RVER";

    private readonly Process _process;
    private readonly TempDir _data = new();

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();

    private S3rver(string script, string bucket)
    {
        Bucket = bucket;
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { script, "-d", _data.Path, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", bucket }) info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        var listening = new TaskCompletionSource<int>();
        _process.OutputDataReceived += (_, e) => { if (e.Data is { } l && Listening().Match(l) is { Success: true } m) listening.TrySetResult(int.Parse(m.Groups[1].Value)); };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!listening.Task.Wait(TimeSpan.FromSeconds(30)))
        {
            Dispose();
            throw new TimeoutException("s3rver did not say where it listens within 30 s");
        }
        Port = listening.Task.Result;
    }

    public string Bucket { get; }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>The remote's URL for a prefix of the bucket, as a user writes it.</summary>
    public string Url(string prefix) => $"s3://{Bucket}/{prefix}?endpoint={Endpoint}&path-style=true";

    /// <summary>
    /// The environment a child `lmev` needs to reach it: s3rver's keys (or others), as the AWS chain reads them. s3rver checks the key
    /// id (InvalidAccessKeyId), not a V4 signature: a wrong secret alone passes there, as it would not on a real store.
    /// </summary>
    public static Dictionary<string, string> Credentials(string access = AccessKey, string secret = SecretKey) =>
        new() { ["AWS_ACCESS_KEY_ID"] = access, ["AWS_SECRET_ACCESS_KEY"] = secret };

    /// <summary>A store on a prefix of the bucket, with s3rver's keys given directly (tests never change the process's environment).</summary>
    public S3Store Store(string prefix) =>
        new($"s3://{Bucket}/{prefix}", Bucket, prefix, Endpoint, "us-east-1", pathStyle: true, TimeSpan.FromSeconds(20), new BasicAWSCredentials(AccessKey, SecretKey));

    public static string ModulesFolder() => NodePackages.ModulesFolder("LMEV_S3RVER", "s3rver");

    /// <summary>Starts one, or skips (under CI: fails) when node or the package is missing.</summary>
    public static S3rver Start(string bucket = "lmev")
    {
        var script = Path.Combine(ModulesFolder(), "s3rver", "bin", "s3rver.js");
        NodePackages.Require("s3rver", File.Exists(script) ? null
            : $"s3rver is not in {ModulesFolder()} (npm install --prefix ~/.cache/lmev/s3rver s3rver@3.7.1, as .ci/run does)");
        return new S3rver(script, bucket);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        _data.Dispose();
    }
}
