using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Faults;

/// <summary>
/// One flipped byte in every file of every cache entry of a small pipeline (and in every manifest): `lmev verify` names
/// each one, the stage that reads it refuses it, and `verify --repair` plus a rerun puts back the same bytes.
/// Issue 11's fault suite; see also Pipeline/VerifyTests (one flip in split/train.csv, with status).
/// </summary>
[Trait("Category", "Faults")]
public sealed class CorruptionTests(ITestOutputHelper output)
{
    private const string Experiment = "demo";

    /// <summary>A cache entry of the first run, with every file's bytes.</summary>
    private sealed record Entry(string Stage, string Key, string Unit, string Directory, Manifest Manifest, Dictionary<string, byte[]> Bytes)
    {
        public string Name => $"{Stage}/{Key}";
    }

    /// <summary>A file that got one flipped byte: at <paramref name="Position"/>, XOR <paramref name="Mask"/>.</summary>
    private sealed record Planted(Entry Entry, string File, long Position, byte Mask)
    {
        public string Path => System.IO.Path.Combine(Entry.Directory, File);

        /// <summary>Its kind: the stage and the file's name (every manifest is one kind).</summary>
        public string Kind => File == Manifest.FileName ? Manifest.FileName : $"{Entry.Stage}:{File}";
    }

    /// <summary>What the consumer check found per kind: consumed by some stage, and refused each time.</summary>
    private readonly Dictionary<string, (bool Consumed, bool Refused)> _consumers = new(StringComparer.Ordinal);
    private readonly List<string> _failures = [];
    private int _planted, _detected, _repaired, _identical, _identicalButTimings, _dependents;

    [Fact]
    public void A_flipped_byte_in_every_kind_of_cached_file_is_named_by_verify_refused_by_its_reader_and_recomputed_after_repair()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("LMEV_FAULT_SEED"), out var s) ? s : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay: LMEV_FAULT_SEED={seed})");
        var random = new Random(seed);

        using var p = new TestProject();
        p.AddQuickModels();
        ((JsonArray)p.Experiment["models"]!).Add(new JsonObject { ["name"] = "ft", ["kind"] = "fasttext", ["dim"] = 16, ["buckets"] = 5000, ["epochs"] = 1, ["lr"] = 0.5, ["batchSize"] = 16 });
        p.Experiment["runs"] = 1;
        p.Save();
        RunPipeline(p, from: ExperimentFlow.StepNames[0]);
        var kinds = new HashSet<string>(StringComparer.Ordinal);

        // Two rounds: the entries before and after Train (whose metrics.json records wall times, so its dependents get new keys
        // when it is recomputed), then Train's own entries.
        foreach (var trainRound in new[] { false, true })
        {
            var entries = Entries(p).Where(e => (e.Stage == "train") == trainRound).ToList();
            var everyEntry = Entries(p);
            var planted = entries.SelectMany(e => e.Bytes.Keys.Where(f => e.Bytes[f].Length > 0).Select(f => Plan(e, f, random))).ToList();
            foreach (var x in planted) kinds.Add(x.Kind);
            var outputs = planted.Where(x => x.File != Manifest.FileName).ToList();
            var manifests = planted.Where(x => x.File == Manifest.FileName).ToList();

            // Each manifest alone first: a stage reads every manifest upstream of it, so one damaged manifest at a time shows who refuses it.
            foreach (var m in manifests)
            {
                var readers = Readers(everyEntry, m.Entry, file: null);
                Note(m.Kind, consumed: readers.Count > 0, refused: true);
                if (readers.Count == 0) continue;
                Apply(m);
                var (code, said) = RunForced(p, readers[0]);
                Restore(m);
                Note(m.Kind, true, code != 0 && said.Contains(m.Path) && said.Contains("lmev verify --repair"), $"{readers[0].Name} read the damaged {m.Path}: exit {code}: {said}");
            }

            // Every output at once: each reader names every damaged input it has, and verify names every file.
            foreach (var x in outputs) Apply(x);
            foreach (var reader in everyEntry.Where(r => outputs.Any(x => Reads(r, x.Entry, x.File))))
            {
                var (code, said) = RunForced(p, reader);
                foreach (var x in outputs.Where(x => Reads(reader, x.Entry, x.File)))
                    Note(x.Kind, true, code != 0 && said.Contains(x.Path) && said.Contains(x.Entry.Name) && said.Contains("lmev verify --repair"),
                        $"{reader.Name} read the damaged {x.Path}: exit {code}: {said}");
            }
            foreach (var x in outputs.Where(x => !everyEntry.Any(r => Reads(r, x.Entry, x.File)))) Note(x.Kind, consumed: false, refused: true);
            Detected(LmevProcess.Run(p, "verify", "--experiment", Experiment), outputs, x => $"  {x.File}: sha256");

            // Then every manifest too (the entries' outputs stay damaged): `--all`, as an entry below a damaged manifest cannot be reached.
            foreach (var m in manifests) Apply(m);
            Detected(LmevProcess.Run(p, "verify", "--experiment", Experiment, "--all"), manifests, x => $"  {Manifest.FileName}: {x.Path}");

            var (repaired, said2) = LmevProcess.Run(p, "verify", "--experiment", Experiment, "--all", "--repair");
            // Exit 5 only for published folders whose entry was damaged: they wait for the rerun to publish them again.
            var foldersWait = repaired == 5 && said2.Contains("left as is: its entry", StringComparison.Ordinal);
            Check((repaired == 0 || foldersWait) && entries.All(e => !Directory.Exists(e.Directory)), $"verify --repair: exit {repaired}, entries left: {said2}");
            var ran = RunPipeline(p, from: trainRound ? "train" : ExperimentFlow.StepNames[0]);
            Recomputed(p, entries, everyEntry, ran);
            var (clean, after) = LmevProcess.Run(p, "verify", "--experiment", Experiment);
            Check(clean == 0, $"verify after the rerun: exit {clean}: {after}");
            _planted += planted.Count;
        }

        var consumable = _consumers.Where(k => k.Value.Consumed).ToList();
        var refused = consumable.Count(k => k.Value.Refused);
        var unconsumed = _consumers.Where(k => !k.Value.Consumed).Select(k => k.Key).Order(StringComparer.Ordinal).ToList();
        output.WriteLine($"kinds consumed by no stage (detected by verify only): {string.Join(", ", unconsumed)}");
        output.WriteLine($"recomputed: {_identical} entries byte-identical, {_identicalButTimings} identical but for the timings train's metrics.json records; " +
            $"{_dependents} dependent entries recomputed under new keys");
        foreach (var f in _failures) output.WriteLine($"FAILED: {f}");
        output.WriteLine($"faults: {_detected} of {_planted} planted corruptions detected by verify ({kinds.Count} kinds), {refused} of {consumable.Count} consumable kinds " +
            $"refused by their consumer, {unconsumed.Count} kinds consumed by no stage, {_repaired} of {_planted} repaired and recomputed identical " +
            $"({_identicalButTimings} of {_identical + _identicalButTimings} entries but for the timings train's metrics.json records; seed {seed})");
        Assert.Empty(_failures);
        Assert.Equal(_planted, _detected);
        Assert.Equal(consumable.Count, refused);
        Assert.Equal(_planted, _repaired);
    }

    private void Check(bool ok, string failure)
    {
        if (!ok) _failures.Add(failure);
    }

    private void Note(string kind, bool consumed, bool refused, string? failure = null)
    {
        var (wasConsumed, wasRefused) = _consumers.GetValueOrDefault(kind, (false, true));
        _consumers[kind] = (wasConsumed || consumed, wasRefused && refused);
        if (!refused && failure is not null) _failures.Add(failure);
    }

    /// <summary>Verify exits 5 and names each planted file under its entry's "damaged stage/key" line.</summary>
    private void Detected((int Code, string Output) verify, List<Planted> planted, Func<Planted, string> line)
    {
        Check(verify.Code == 5, $"verify: exit {verify.Code}, expected 5: {verify.Output}");
        var blocks = Regex.Split(verify.Output, "(?m)^(?=damaged )");
        foreach (var x in planted)
        {
            var named = blocks.Any(b => b.StartsWith($"damaged {x.Entry.Name} ", StringComparison.Ordinal) && b.Contains(line(x)));
            if (named) _detected++;
            else _failures.Add($"verify did not name {x.Path}: {verify.Output}");
        }
    }

    /// <summary>After repair and rerun: each removed entry is back under its key with its first bytes; an entry that ran and is new is a dependent.</summary>
    private void Recomputed(TestProject p, List<Entry> removed, List<Entry> before, List<string> ran)
    {
        var keys = before.Select(e => e.Key).ToHashSet();
        var now = Entries(p);
        foreach (var e in removed)
        {
            var again = now.SingleOrDefault(n => n.Stage == e.Stage && n.Key == e.Key);
            if (again is null || !ran.Contains(e.Key)) { _failures.Add($"{e.Name} was not recomputed under its key"); continue; }
            var exact = true;
            var same = e.Bytes.Where(f => f.Key != Manifest.FileName).All(f =>
            {
                var b = again.Bytes.GetValueOrDefault(f.Key);
                if (b is not null && b.AsSpan().SequenceEqual(f.Value)) return true;
                exact = false;
                return b is not null && f.Key == "metrics.json" && FaultSupport.MetricsWithoutDurations(System.Text.Encoding.UTF8.GetString(b)) == FaultSupport.MetricsWithoutDurations(System.Text.Encoding.UTF8.GetString(f.Value));
            }) && again.Bytes.Keys.Order().SequenceEqual(e.Bytes.Keys.Order());
            if (!same) { _failures.Add($"{e.Name} was recomputed with other bytes"); continue; }
            _repaired += e.Bytes.Values.Count(b => b.Length > 0); // what was planted in it: its outputs (an empty one has no byte to flip) and its manifest
            if (exact) _identical++;
            else _identicalButTimings++;
        }
        // What ran beyond the removed entries may only be new entries (dependents of a recomputed Train: its timings changed).
        foreach (var key in ran.Where(k => removed.All(e => e.Key != k)))
        {
            if (keys.Contains(key)) _failures.Add($"entry {key} was recomputed though it was intact");
            else _dependents++;
        }
    }

    /// <summary>The entries the experiment uses now (its refs), with their files' bytes.</summary>
    private static List<Entry> Entries(TestProject p)
    {
        var cache = new StageCache(p.CacheRoot);
        return cache.Refs(Experiment).Select(r => (r.Stage, r.Key)).Distinct().Select(r =>
        {
            var dir = cache.EntryDirectory(r.Stage, r.Key);
            var m = Manifest.Read(dir);
            return new Entry(r.Stage, r.Key, m.Unit, dir, m, Directory.EnumerateFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes));
        }).OrderBy(e => ExperimentFlow.StepNames.ToList().IndexOf(e.Stage)).ThenBy(e => e.Key, StringComparer.Ordinal).ToList();
    }

    private static bool Reads(Entry reader, Entry entry, string? file) =>
        reader.Manifest.Inputs.Values.Any(i => i.Stage == entry.Stage && i.Key == entry.Key && (file is null || i.File == file));

    private static List<Entry> Readers(List<Entry> all, Entry entry, string? file) => all.Where(r => Reads(r, entry, file)).ToList();

    private static Planted Plan(Entry e, string file, Random random) =>
        new(e, file, random.NextInt64(e.Bytes[file].Length), (byte)random.Next(1, 256));

    /// <summary>Flips the byte in place (made writable first: cache files may be read-only), keeping the file's mode.</summary>
    private static void Apply(Planted x) => Write(x.Path, x.Position, (byte)(x.Entry.Bytes[x.File][x.Position] ^ x.Mask));

    private static void Restore(Planted x) => Write(x.Path, x.Position, x.Entry.Bytes[x.File][x.Position]);

    private static void Write(string path, long position, byte value)
    {
        var mode = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(path);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode | UnixFileMode.UserWrite);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.Position = position;
            file.WriteByte(value);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    /// <summary>`lmev STEP --force`, narrowed to <paramref name="reader"/>'s unit ("r16", "r16-ft/run-1") so that it is the one that runs.</summary>
    private static (int Code, string Output) RunForced(TestProject p, Entry reader)
    {
        var args = new List<string> { reader.Stage, "--experiment", Experiment, "--force" };
        foreach (var part in reader.Unit.Split('/', StringSplitOptions.RemoveEmptyEntries))
            args.AddRange(part.StartsWith("run-", StringComparison.Ordinal) ? ["--run", part[4..]] : ["--model", part]);
        return LmevProcess.Run(p, [.. args]);
    }

    /// <summary>Runs every step from <paramref name="from"/> on, each as its own process; returns the keys of the units that ran.</summary>
    private static List<string> RunPipeline(TestProject p, string from)
    {
        var ran = new List<string>();
        foreach (var step in ExperimentFlow.StepNames.SkipWhile(s => s != from))
        {
            var (code, said) = LmevProcess.Run(p, step, "--experiment", Experiment);
            Assert.True(code == 0, $"lmev {step}: exit {code}: {said}");
            ran.AddRange(Regex.Matches(said, @": running \(([0-9a-f]+)\)").Select(m => m.Groups[1].Value));
        }
        return ran;
    }
}
