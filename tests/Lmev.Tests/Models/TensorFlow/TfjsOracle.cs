using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lmev.Tests.Support;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>
/// Runs <c>tfjs-oracle.cjs</c> (TensorFlow.js's pure-JS ops) on a recipe and a table, for the vectors TensorFlow's op
/// semantics give. Needs node and @tensorflow/tfjs-core + @tensorflow/tfjs-backend-cpu in <c>$LMEV_TFJS/node_modules</c>
/// or <c>${XDG_CACHE_HOME:-~/.cache}/lmev/tfjs/node_modules</c>, where .ci/run installs them. Without them a test skips,
/// saying so; under CI (CI=true) it fails instead, so that CI never passes without the oracle.
/// </summary>
public static class TfjsOracle
{
    public static string ModulesFolder() => NodePackages.ModulesFolder("LMEV_TFJS", "tfjs");

    /// <summary>Skips (or, under CI, fails) when node or the packages are missing; returns the node_modules folder.</summary>
    public static string Require()
    {
        var modules = ModulesFolder();
        NodePackages.Require("the TensorFlow.js oracle",
            File.Exists(Path.Combine(modules, "@tensorflow", "tfjs-core", "package.json")) && File.Exists(Path.Combine(modules, "@tensorflow", "tfjs-backend-cpu", "package.json")) ? null
                : $"@tensorflow/tfjs-core and @tensorflow/tfjs-backend-cpu are not in {modules} " +
                  "(npm install --prefix ~/.cache/lmev/tfjs @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-cpu@4.22.0, as .ci/run does)");
        return modules;
    }

    /// <summary>The vectors [titles][dim] and the tfjs version that computed them.</summary>
    public static (double[][] Vectors, string Version) Embed(JsonObject spec)
    {
        var modules = Require();
        var script = Path.Combine(SharedData.RepoRoot()!, "tests", "Lmev.Tests", "Models", "TensorFlow", "tfjs-oracle.cjs");
        var start = new ProcessStartInfo("node", [script, modules])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            StandardInputEncoding = new System.Text.UTF8Encoding(false), StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        using var node = Process.Start(start)!;
        node.StandardInput.Write(spec.ToJsonString());
        node.StandardInput.Close();
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        if (!node.WaitForExit(120_000)) { node.Kill(); Assert.Fail("the TensorFlow.js oracle ran over 120 s"); }
        Assert.True(node.ExitCode == 0, $"the TensorFlow.js oracle failed (exit {node.ExitCode}): {stderr.Result}");
        var result = JsonNode.Parse(stdout.Result)!;
        var vectors = result["vectors"]!.AsArray().Select(v => v!.AsArray().Select(x => x!.GetValue<double>()).ToArray()).ToArray();
        return (vectors, result["tfjs"]!.GetValue<string>());
    }
}
