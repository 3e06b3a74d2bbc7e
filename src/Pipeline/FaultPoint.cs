using System.Diagnostics;

namespace Lmev.Pipeline;

/// <summary>
/// Fault injection for the fault suite (tests/Lmev.Tests/Faults/KillTests.cs): with
/// <c>LMEV_FAULT_KILL=&lt;step&gt;:&lt;point&gt;</c> set, the process SIGKILLs itself when that step reaches that named
/// point, so a test can kill a stage at a chosen moment rather than by timing. Unset (always, outside the tests), a
/// call is one comparison with null. The points: <c>started</c> (temporary folder created), <c>ran</c> (the stage's
/// body returned, no manifest yet), <c>assembled</c> (manifest written, not yet published), <c>published</c> (entry
/// renamed into place, ref not yet written), <c>linking</c> (midway through copying to saved_models/ or report/).
/// <c>LMEV_FAULT_THROW=&lt;step&gt;:&lt;point&gt;</c> throws an unexpected exception there instead (how the tests reach the
/// command line's last resort: one line, exit 70, the trace in a log file).
/// </summary>
public static class FaultPoint
{
    public const string Variable = "LMEV_FAULT_KILL";

    public const string ThrowVariable = "LMEV_FAULT_THROW";

    private static readonly string? Target = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } v ? v : null;

    private static readonly string? ThrowTarget = Environment.GetEnvironmentVariable(ThrowVariable) is { Length: > 0 } v ? v : null;

    /// <summary>Kills this process with SIGKILL (no finally blocks, no flushing) if <see cref="Variable"/> names this step and point.</summary>
    public static void Reached(string point, string step)
    {
        if (ThrowTarget is not null && ThrowTarget == $"{step}:{point}")
            throw new InvalidOperationException($"a fault injected at {step}:{point} ({ThrowVariable})");
        if (Target is null || Target != $"{step}:{point}") return;
        Console.Out.Flush();
        Console.Error.WriteLine($"{Variable}: killing myself at {step}:{point}");
        Process.GetCurrentProcess().Kill(); // SIGKILL on Linux and macOS, as a crash or the OOM killer would
        Thread.Sleep(Timeout.Infinite);
    }
}
