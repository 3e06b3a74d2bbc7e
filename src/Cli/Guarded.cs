using System.CommandLine;
using Lmev.Pipeline;

namespace Lmev.Cli;

/// <summary>
/// How every command ends: one line, without a stack trace. An <see cref="LmevException"/> exits 1; an I/O failure (a full or
/// read-only disk, permission denied, a file gone) exits 6; anything else is a bug: exit 70, and its full trace goes to a log
/// file in the command's cache (or the temp folder) that the line names.
/// </summary>
internal static class Guarded
{
    /// <summary>Exit codes besides 0, 1 and the status/verify ones: a step stopped by the disk or the OS, and a bug in lmev.</summary>
    public const int IoFailureExit = 6, InternalErrorExit = 70;

    public static void Action(Command command, Func<ParseResult, int> action) => command.SetAction(p => Run(p, () => action(p)));

    private static int Run(ParseResult p, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (IoFailure.Classify(e) is { } failure)
        {
            Console.Error.WriteLine($"error: {failure.Describe()}");
            return IoFailureExit;
        }
        catch (LmevException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            var (log, why) = CrashLog.Write(e, LogsRoot(p));
            var firstLine = e.Message.Split('\n', 2)[0].Trim();
            Console.Error.WriteLine($"error: unexpected {e.GetType().FullName}: {firstLine} — " +
                (log is not null ? $"full trace in {log} (a bug in lmev: please report it with that file)" : $"no log could be written ({why}); the trace follows"));
            if (log is null) Console.Error.WriteLine(e);
            return InternalErrorExit;
        }
    }

    /// <summary>The cache a command that takes one uses, where its crash log goes; null for one that takes none.</summary>
    private static string? LogsRoot(ParseResult p)
    {
        if (!p.CommandResult.Command.Options.Contains(CommonOptions.CacheFolder)) return null;
        try { return CommonOptions.CacheRootOf(p); }
        catch (Exception e) when (e is ArgumentException or IOException) { return null; }
    }
}
