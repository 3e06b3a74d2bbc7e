using System.Formats.Tar;
using System.Text;
using Lmev.Pipeline;
using Lmev.Pipeline.Transfer;
using Lmev.Tests.Support;

namespace Lmev.Tests.Transfer;

/// <summary>`lmev cache import` trusts nothing in an export: every file, name and manifest is checked before anything is published.</summary>
public sealed class CacheImportTests
{
    /// <summary>A project with its splits cached and exported; the export's path.</summary>
    private static (TestProject Project, string Export, Manifest Split) Exported(TempDir dir)
    {
        var p = FanOutTests.Project();
        p.RunAll(last: "split");
        var path = Path.Combine(dir.Path, "split.tar");
        CacheExport.Write(path, p.Flow(runs: [1]).ExportSelections(["split"], ["download", "filter-spanish", "sample"], new HashSet<string>()));
        return (p, path, p.Flow().Run("split")[0]);
    }

    /// <summary>Copies an export member by member, letting <paramref name="change"/> replace, drop (null) or add members.</summary>
    private static string Rewrite(string export, string name, Func<TarEntry, TarEntry?> change, params TarEntry[] extra)
    {
        var path = Path.Combine(Path.GetDirectoryName(export)!, name);
        using (var input = File.OpenRead(export))
        using (var reader = new TarReader(input))
        using (var output = File.Create(path))
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: false))
        {
            while (reader.GetNextEntry(copyData: true) is { } e)
                if (change(e) is { } kept) writer.WriteEntry(kept);
            foreach (var e in extra) writer.WriteEntry(e);
        }
        return path;
    }

    private static PaxTarEntry Member(string name, string content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };

    private static LmevException Refused(TestProject into, params string[] archives)
    {
        var e = Assert.Throws<LmevException>(() => new CacheImport(new StageCache(into.CacheRoot), into.Log.Add).Import(archives));
        var entries = new StageCache(into.CacheRoot).Entries().ToList();
        Assert.True(entries.Count == 0, $"nothing may be published from a refused import; found {string.Join(", ", entries.Select(x => $"{x.Stage}/{x.Key}"))}");
        return e;
    }

    [Fact]
    public void An_export_imports_into_a_fresh_cache_with_its_refs_and_twice_leaves_the_entry_as_is()
    {
        using var dir = new TempDir();
        var (p, export, split) = Exported(dir);
        using var q = FanOutTests.Project();
        var first = new CacheImport(new StageCache(q.CacheRoot), q.Log.Add).Import([export]);
        Assert.Equal((4, 0), (first.Published, first.AlreadyPresent)); // download, filter-spanish, sample and split of run 1
        var imported = Manifest.Read(Path.Combine(q.CacheRoot, "split", split.Key));
        Assert.Empty(imported.Absent);
        Assert.Equal(System.IO.File.ReadAllBytes(split.Output("test.csv").Path), System.IO.File.ReadAllBytes(imported.Output("test.csv").Path));
        Assert.Equal(split.Key, new StageCache(q.CacheRoot).ReadRef("demo", "split", "run-1")!.Key);
        var sample = Assert.Single(new StageCache(q.CacheRoot).Entries(), e => e.Stage == "sample");
        Assert.Equal(["sample.csv"], Manifest.Read(sample.Directory).Absent);

        var stamp = Directory.GetLastWriteTimeUtc(imported.Directory);
        var second = new CacheImport(new StageCache(q.CacheRoot), q.Log.Add).Import([export]);
        Assert.Equal((0, 4), (second.Published, second.AlreadyPresent));
        Assert.Equal(stamp, Directory.GetLastWriteTimeUtc(imported.Directory));
        Assert.Contains(q.Log, l => l.Contains($"split {split.Key} [run-1]: already in the cache; left as is"));
        p.Dispose();
    }

    [Fact]
    public void One_changed_byte_is_refused_naming_the_file_and_the_entry()
    {
        using var dir = new TempDir();
        var (p, export, split) = Exported(dir);
        using var _ = p;
        var tampered = Rewrite(export, "byte.tar", e =>
        {
            if (e.Name != $"split/{split.Key}/test.csv") return e;
            var bytes = new MemoryStream();
            e.DataStream!.CopyTo(bytes);
            var data = bytes.ToArray();
            data[data.Length / 2] ^= 1;
            return new PaxTarEntry(TarEntryType.RegularFile, e.Name) { DataStream = new MemoryStream(data) };
        });
        using var q = FanOutTests.Project();
        var error = Refused(q, tampered);
        Assert.Contains($"byte.tar: entry split {split.Key}: file 'test.csv' has sha256", error.Message);
        Assert.Contains("the export was altered or damaged", error.Message);
    }

    [Theory]
    [InlineData("../evil.csv")]
    [InlineData("split/0123456789abcdef/../../../evil.csv")]
    [InlineData("/etc/evil.csv")]
    public void A_path_that_escapes_is_refused_naming_it(string name)
    {
        using var dir = new TempDir();
        var (p, export, _) = Exported(dir);
        using var __ = p;
        var tampered = Rewrite(export, "escape.tar", e => e, Member(name, "x"));
        using var q = FanOutTests.Project();
        var error = Refused(q, tampered);
        Assert.Contains($"escape.tar: member '{name}'", error.Message);
        Assert.False(System.IO.File.Exists(Path.Combine(q.Root, "evil.csv")));
    }

    [Theory]
    [InlineData(TarEntryType.SymbolicLink, "symbolic link")]
    [InlineData(TarEntryType.HardLink, "hard link")]
    public void A_link_is_refused_naming_the_member_and_its_target(TarEntryType type, string what)
    {
        using var dir = new TempDir();
        var (p, export, split) = Exported(dir);
        using var _ = p;
        var name = $"split/{split.Key}/test.csv";
        var tampered = Rewrite(export, "link.tar", e => e.Name == name ? new PaxTarEntry(type, name) { LinkName = "/etc/passwd" } : e);
        using var q = FanOutTests.Project();
        var error = Refused(q, tampered);
        Assert.Contains($"link.tar: member '{name}' is a {what} (to '/etc/passwd')", error.Message);
    }

    [Fact]
    public void A_manifest_whose_parameters_were_changed_no_longer_hashes_to_its_key()
    {
        using var dir = new TempDir();
        var (p, export, split) = Exported(dir);
        using var _ = p;
        var name = $"split/{split.Key}/manifest.json";
        var tampered = Rewrite(export, "params.tar", e =>
        {
            if (e.Name != name) return e;
            var text = new StreamReader(e.DataStream!).ReadToEnd().Replace("\"testRows\": 200", "\"testRows\": 100");
            return Member(name, Resealed(text)); // sealed anew: the seal catches damage, the key catches a change made on purpose
        });
        using var q = FanOutTests.Project();
        var error = Refused(q, tampered);
        Assert.Contains($"params.tar: entry split {split.Key}: its manifest.json's parameters and inputs hash to key", error.Message);
    }

    [Fact]
    public void A_file_missing_without_being_declared_left_behind_is_refused()
    {
        using var dir = new TempDir();
        var (p, export, split) = Exported(dir);
        using var _ = p;
        var tampered = Rewrite(export, "missing.tar", e => e.Name == $"split/{split.Key}/train.csv" ? null : e);
        using var q = FanOutTests.Project();
        var error = Refused(q, tampered);
        Assert.Contains($"missing.tar: entry split {split.Key}: output(s) 'train.csv' are neither in the archive nor listed as left behind", error.Message);
    }

    [Fact]
    public void Two_exports_that_disagree_about_an_entry_are_both_refused()
    {
        using var dir = new TempDir();
        var (p, export, split) = Exported(dir);
        using var _ = p;
        var name = $"split/{split.Key}/test.csv";
        var other = Rewrite(export, "other.tar", e => e.Name == name ? Member(name, new StreamReader(e.DataStream!).ReadToEnd() + "x,y,0\n") : e);
        using var q = FanOutTests.Project();
        var error = Refused(q, export, other);
        Assert.Contains($"other.tar: member '{name}' (entry split {split.Key}) differs from the copy met before in {export}", error.Message);

        // A manifest of the same entry written elsewhere (another time, another host) with the same outputs is the same entry.
        var manifest = $"split/{split.Key}/manifest.json";
        var elsewhere = Rewrite(export, "elsewhere.tar", e => e.Name == manifest
            ? Member(manifest, Elsewhere(new StreamReader(e.DataStream!).ReadToEnd())) : e);
        Assert.Equal(4, new CacheImport(new StageCache(q.CacheRoot), q.Log.Add).Import([export, elsewhere]).Published);
    }

    /// <summary>The same manifest as another machine would write it, an hour earlier (sealed anew, as lmev writes every manifest).</summary>
    private static string Elsewhere(string manifest)
    {
        var m = System.Text.Json.JsonSerializer.Deserialize<Manifest>(manifest, CanonicalJson.Options)!;
        return (m with { Started = m.Started.AddHours(-1), Finished = m.Finished.AddHours(-1) }).ToJson();
    }

    /// <summary>A manifest edited as text, sealed again as lmev would write it.</summary>
    private static string Resealed(string manifest) => System.Text.Json.JsonSerializer.Deserialize<Manifest>(manifest, CanonicalJson.Options)!.ToJson();

    [Fact]
    public void The_cli_refuses_a_tampered_export_with_one_line_and_exit_code_1()
    {
        using var dir = new TempDir();
        var (p, export, split) = Exported(dir);
        using var _ = p;
        var tampered = Rewrite(export, "cli.tar", e => e, Member($"split/{split.Key}/../../x", "x"));
        using var q = FanOutTests.Project();
        var (code, output) = LmevProcess.Run(q, "cache", "import", tampered);
        Assert.Equal(1, code);
        Assert.Contains($"error: {tampered}: member 'split/{split.Key}/../../x' has an empty, '.' or '..' path segment", output);
    }

    [Fact]
    public void A_stage_that_would_read_a_file_left_behind_stops_naming_it()
    {
        using var dir = new TempDir();
        var (p, export, split) = Exported(dir);
        using var _ = p;
        using var q = FanOutTests.Project();
        new CacheImport(new StageCache(q.CacheRoot), q.Log.Add).Import([export]);
        q.Flow(runs: [1]).Run("model");
        var manifestsOnly = Path.Combine(dir.Path, "split-manifests.tar");
        // Same entries as manifests alone, into a third cache: Embed would need the split's files.
        CacheExport.Write(manifestsOnly, q.Flow(runs: [1]).ExportSelections(["model"], ["download", "filter-spanish", "sample", "split"], new HashSet<string>()));
        using var r = FanOutTests.Project();
        new CacheImport(new StageCache(r.CacheRoot), r.Log.Add).Import([manifestsOnly]);
        var error = Assert.Throws<LmevException>(() => r.Flow(runs: [1], models: ["r16"]).Run("embed"));
        Assert.Contains($"embed [r16/run-1]: input 'train' is {Path.Combine(r.CacheRoot, "split", split.Key, "train.csv")}", error.Message);
        Assert.Contains($"(split {split.Key}), and its entry was imported without it on purpose (.partial.json", error.Message);
    }
}
