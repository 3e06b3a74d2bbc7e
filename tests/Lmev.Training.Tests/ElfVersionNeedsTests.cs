using Lmev.Training.Native;

namespace Lmev.Training.Tests;

public class ElfVersionNeedsTests
{
    private const string Marker = "GLIBCXX_3.4.32";

    [SkippableFact]
    public void Real_library_needs_the_marker_version_only_for_an_unrelocated_symbol()
    {
        var elf = File.ReadAllBytes(ElfFixtures.OriginalLibrary());
        var need = Assert.Single(ElfVersionNeeds.Read(elf), n => n.Version == Marker);
        Assert.Equal("libstdc++.so.6", need.Library);
        Assert.False(need.IsWeak);
        var symbol = Assert.Single(ElfVersionNeeds.SymbolsOfVersion(elf, need.Index));
        Assert.Equal("_ZSt21ios_base_library_initv", symbol.Key);
        Assert.False(symbol.Value);   // no relocation uses it
        Assert.Contains(ElfVersionNeeds.Read(elf), n => n.Version == "GLIBC_2.2.5" && n.Library == "libc.so.6");
    }

    [SkippableFact]
    public void Weakening_flips_exactly_one_flag_and_is_idempotent()
    {
        string original = ElfFixtures.OriginalLibrary();
        string? system = ElfVersionNeeds.FindSystemLibStdCxx();
        Skip.If(system == null, "no system libstdc++ found");
        // What this system's libstdc++ defines, less the marker: the same outcome on any system.
        var provided = ElfVersionNeeds.Definitions(File.ReadAllBytes(system!));
        provided.Remove(Marker);
        string dir = Directory.CreateTempSubdirectory("lmev-elf-").FullName;
        try
        {
            string copy = Path.Combine(dir, "libLibTorchSharp.so");
            File.Copy(original, copy);
            var before = File.ReadAllBytes(copy);

            var first = ElfVersionNeeds.WeakenMissing(copy, "libstdc++.so.6", provided);
            var after = File.ReadAllBytes(copy);
            var weakened = Assert.Single(first.Weakened);
            Assert.Equal(Marker, weakened.Version);
            Assert.Equal(before.Length, after.Length);
            var differing = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
            Assert.Equal([(int)weakened.FlagsOffset], differing);
            Assert.Equal(before[weakened.FlagsOffset] | ElfVersionNeeds.VerFlagWeak, after[weakened.FlagsOffset]);
            Assert.True(Assert.Single(ElfVersionNeeds.Read(after), n => n.Version == Marker).IsWeak);

            var second = ElfVersionNeeds.WeakenMissing(copy, "libstdc++.so.6", provided);
            Assert.False(second.Changed);
            Assert.Equal(Marker, Assert.Single(second.AlreadyWeak).Version);
            Assert.Equal(after, File.ReadAllBytes(copy));
            Assert.Equal(File.ReadAllBytes(original), before);   // the cache copy is untouched
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [SkippableFact]
    public void Nothing_changes_when_every_version_is_provided()
    {
        var elf = File.ReadAllBytes(ElfFixtures.OriginalLibrary());
        var all = ElfVersionNeeds.Read(elf).Select(n => n.Version).ToHashSet();
        var copy = (byte[])elf.Clone();
        Assert.False(ElfVersionNeeds.WeakenMissing(copy, "libstdc++.so.6", all).Changed);
        Assert.Equal(elf, copy);
    }

    [SkippableFact]
    public void System_libstdcxx_defines_its_versions()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        string? system = ElfVersionNeeds.FindSystemLibStdCxx();
        Skip.If(system == null, "no system libstdc++ found");
        var defined = ElfVersionNeeds.Definitions(File.ReadAllBytes(system!));
        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("CXXABI_1.3", defined);
        Assert.DoesNotContain("libstdc++.so.6", defined);   // the VER_FLG_BASE entry names the file
    }

    [Fact]
    public void Non_elf_input_is_refused_with_a_reason()
    {
        Assert.Contains("bad magic", Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[100])).Message);
        var elf32 = new byte[100];
        elf32[0] = 0x7f; elf32[1] = (byte)'E'; elf32[2] = (byte)'L'; elf32[3] = (byte)'F'; elf32[4] = 1;
        Assert.Contains("not ELF64", Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(elf32)).Message);
    }
}
