using System.CommandLine;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>`lmev lock accept SOURCE`: pin the new bytes of a source on disk that changed on purpose.</summary>
internal static class LockCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "The entry of data.lock.json whose file on disk changed on purpose" };
        var accept = new Command("accept", "Pin the new bytes of a source on disk: write its current SHA-256 and size into data.lock.json " +
            "(the next run takes them and recomputes what follows); commit the lock afterwards") { source, ProjectRoot };
        Guarded.Action(accept, p =>
        {
            var (was, now) = LockAcceptance.Accept(RootOf(p), p.GetValue(source)!);
            Console.WriteLine($"{DataLock.FileName}: '{p.GetValue(source)}' now pins sha256 {now.Sha256} ({now.Size:N0} bytes; was " +
                $"{(was.Sha256.Length == 0 ? "empty" : was.Sha256)}) — commit {DataLock.FileName}");
            return 0;
        });
        return new Command("lock", "Change data.lock.json on purpose") { accept };
    }
}
