using Lmev.Pipeline;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Pipeline;

/// <summary>
/// A folder in the cache's .tmp/ is never removed while its owner lives, however a cleaner (another process's first act, or
/// gc) interleaves with its creation: the race once deleted a running Train's model.dat under it ("deleted while lmev ran?").
/// flock is held per open file, so two threads of one process stand for two processes here.
/// </summary>
public sealed class OwnedFolderRaceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_cleaner_never_removes_a_folder_whose_owner_lives()
    {
        using var dir = new TempDir();
        var tmp = Path.Combine(dir.Path, ".tmp");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var cleanings = 0;
        var cleaner = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) { OwnedFolder.RemoveAbandoned(tmp); cleanings++; }
        });
        var created = 0;
        var lost = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            using var owned = OwnedFolder.Create(tmp, $"train-{Guid.NewGuid():N}");
            File.WriteAllText(Path.Combine(owned.Path, "model.dat"), "weights");
            Thread.SpinWait(2000);
            if (!File.Exists(Path.Combine(owned.Path, "model.dat")) || !File.Exists(owned.Path + OwnedFolder.LockSuffix)) lost.Add(owned.Path);
            created++;
        }
        await cleaner;
        output.WriteLine($"{created} folders created and used while a cleaner ran {cleanings} times beside them; {lost.Count} removed under their owner");
        Assert.True(created > 100, $"only {created} folders in 6 s");
        Assert.Empty(lost);
        OwnedFolder.RemoveAbandoned(tmp);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp)); // nothing left behind once every owner is gone
    }
}
