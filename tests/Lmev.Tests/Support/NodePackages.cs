using System.Diagnostics;

namespace Lmev.Tests.Support;

/// <summary>
/// npm packages the tests run under node (s3rver, TensorFlow.js), where .ci/run installs them: <c>$VARIABLE/node_modules</c>,
/// else <c>${XDG_CACHE_HOME:-~/.cache}/lmev/NAME/node_modules</c>. Without them (or without node) a test skips, saying so;
/// under CI (CI=true) it fails instead, so that CI never passes without them.
/// </summary>
public static class NodePackages
{
    /// <summary>The node_modules folder of the packages installed under <paramref name="name"/>, or under $<paramref name="variable"/>.</summary>
    public static string ModulesFolder(string variable, string name)
    {
        var root = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } set ? set
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "lmev", name);
        return Path.Combine(root, "node_modules");
    }

    /// <summary>
    /// Skips the test (under CI: fails it) when <paramref name="packagesMissing"/> says what is missing, or node does not run;
    /// <paramref name="what"/> names the tool in the message.
    /// </summary>
    public static void Require(string what, string? packagesMissing)
    {
        var missing = packagesMissing ?? (NodeRuns() ? null : "node is not on the PATH");
        if (missing is not null && Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail($"{what} is missing under CI: {missing}; .ci/run should have installed it");
        Skip.If(missing is not null, $"{what} is missing: {missing}");
    }

    private static bool NodeRuns()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, RedirectStandardError = true });
            p!.WaitForExit(30_000);
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }
}
