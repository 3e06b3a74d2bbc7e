// Reads and patches the symbol-version requirements of an ELF64 little-endian shared library
// (System V gABI + the GNU symbol versioning extension, LSB "Symbol Versioning":
// .gnu.version_r = Elf64_Verneed/Elf64_Vernaux, .gnu.version_d = Elf64_Verdef/Elf64_Verdaux,
// .gnu.version = one Elf64_Half per .dynsym entry).
//
// Why: TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and so
// requires GLIBCXX_3.4.32, which Debian 12's libstdc++ (GCC 12) lacks. The only symbol bound to
// that version is the marker `_ZSt21ios_base_library_initv`, which no relocation refers to, so
// the requirement can be marked weak (VER_FLG_WEAK): glibc's loader then tolerates its absence.
//
// This one file is compiled three ways: by MSBuild's RoslynCodeTaskFactory (build/
// TorchSharpElfFix.targets, which adds the task class below), and by Lmev.Training and its tests
// with LMEV_ELF_NO_TASK defined (load diagnosis; patcher tests). It therefore targets the oldest
// of those compilers' libraries: no records, no spans, explicit little-endian reads.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Lmev.Training.Native
{
    /// <summary>One Elf64_Vernaux entry: a version the library needs from another library.</summary>
    public sealed class ElfVersionNeed
    {
        public ElfVersionNeed(string library, string version, ushort index, ushort flags, long flagsOffset)
        {
            Library = library; Version = version; Index = index; Flags = flags; FlagsOffset = flagsOffset;
        }
        /// <summary>The needed library's file name (vn_file), e.g. libstdc++.so.6.</summary>
        public string Library { get; }
        /// <summary>The version name (vna_name), e.g. GLIBCXX_3.4.32.</summary>
        public string Version { get; }
        /// <summary>The version index (vna_other) that .gnu.version entries refer to.</summary>
        public ushort Index { get; }
        /// <summary>vna_flags; bit 0x2 is VER_FLG_WEAK.</summary>
        public ushort Flags { get; }
        /// <summary>File offset of the vna_flags field.</summary>
        public long FlagsOffset { get; }
        public bool IsWeak => (Flags & ElfVersionNeeds.VerFlagWeak) != 0;
        public override string ToString() => $"{Library}:{Version}{(IsWeak ? " (weak)" : "")}";
    }

    /// <summary>What <see cref="ElfVersionNeeds.WeakenMissing(byte[], string, ICollection{string})"/> did.</summary>
    public sealed class ElfWeakenReport
    {
        public ElfWeakenReport(IReadOnlyList<ElfVersionNeed> weakened, IReadOnlyList<ElfVersionNeed> alreadyWeak)
        {
            Weakened = weakened; AlreadyWeak = alreadyWeak;
        }
        /// <summary>Missing versions whose requirement this call marked weak.</summary>
        public IReadOnlyList<ElfVersionNeed> Weakened { get; }
        /// <summary>Missing versions that were weak already (a second run finds them here).</summary>
        public IReadOnlyList<ElfVersionNeed> AlreadyWeak { get; }
        public bool Changed => Weakened.Count > 0;
    }

    public static class ElfVersionNeeds
    {
        public const ushort VerFlagWeak = 0x2;
        const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11;
        const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

        /// <summary>Every Elf64_Vernaux of the file's .gnu.version_r section (empty if it has none).</summary>
        public static IReadOnlyList<ElfVersionNeed> Read(byte[] elf)
        {
            var sections = Sections(elf);
            var result = new List<ElfVersionNeed>();
            foreach (var s in sections.Where(s => s.Type == ShtGnuVerneed))
            {
                var strtab = At(sections, s.Link, "sh_link of .gnu.version_r");
                long entry = s.Offset;
                for (uint i = 0; i < s.Info; i++)            // sh_info = number of Elf64_Verneed
                {
                    Check(elf, entry, 16, "Elf64_Verneed");
                    ushort count = U16(elf, entry + 2);
                    string file = Str(elf, strtab, U32(elf, entry + 4));
                    long aux = entry + U32(elf, entry + 8);
                    for (int j = 0; j < count; j++)
                    {
                        Check(elf, aux, 16, "Elf64_Vernaux");
                        result.Add(new ElfVersionNeed(file, Str(elf, strtab, U32(elf, aux + 8)),
                            index: U16(elf, aux + 6), flags: U16(elf, aux + 4), flagsOffset: aux + 4));
                        uint nextAux = U32(elf, aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = U32(elf, entry + 12);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>The version names a library defines (.gnu.version_d), e.g. libstdc++'s GLIBCXX_3.4.30.</summary>
        public static ISet<string> Definitions(byte[] elf)
        {
            var sections = Sections(elf);
            var result = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in sections.Where(s => s.Type == ShtGnuVerdef))
            {
                var strtab = At(sections, s.Link, "sh_link of .gnu.version_d");
                long entry = s.Offset;
                for (uint i = 0; i < s.Info; i++)            // sh_info = number of Elf64_Verdef
                {
                    Check(elf, entry, 20, "Elf64_Verdef");
                    ushort flags = U16(elf, entry + 2);
                    long aux = entry + U32(elf, entry + 12);  // first Verdaux names the version itself
                    Check(elf, aux, 8, "Elf64_Verdaux");
                    if ((flags & 0x1) == 0)                  // VER_FLG_BASE names the file, not a version
                        result.Add(Str(elf, strtab, U32(elf, aux)));
                    uint next = U32(elf, entry + 16);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>
        /// Dynamic symbols bound to a version index, each with whether a dynamic relocation refers to
        /// it (such a symbol really is looked up at load time, so its version must not be weakened).
        /// </summary>
        public static IReadOnlyList<KeyValuePair<string, bool>> SymbolsOfVersion(byte[] elf, ushort index)
        {
            var sections = Sections(elf);
            var result = new List<KeyValuePair<string, bool>>();
            for (int d = 0; d < sections.Count; d++)
            {
                var dynsym = sections[d];
                if (dynsym.Type != ShtDynsym) continue;
                var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym && s.Link == d);
                if (versym == null) continue;
                var strtab = At(sections, dynsym.Link, "sh_link of .dynsym");
                long count = dynsym.Size / 24;               // sizeof(Elf64_Sym)
                var relocated = new HashSet<long>();
                foreach (var rel in sections.Where(s => (s.Type == ShtRela || s.Type == ShtRel) && s.Link == d))
                {
                    long size = rel.Type == ShtRela ? 24 : 16;
                    for (long r = 0; r < rel.Size / size; r++)
                    {
                        long at = rel.Offset + r * size;
                        Check(elf, at, size, "Elf64_Rel(a)");
                        relocated.Add((long)(U64(elf, at + 8) >> 32));   // ELF64_R_SYM(r_info)
                    }
                }
                for (long i = 0; i < count; i++)
                {
                    Check(elf, versym.Offset + i * 2, 2, ".gnu.version entry");
                    if ((U16(elf, versym.Offset + i * 2) & 0x7fff) != index) continue;   // 0x8000 = hidden
                    long sym = dynsym.Offset + i * 24;
                    Check(elf, sym, 24, "Elf64_Sym");
                    result.Add(new KeyValuePair<string, bool>(Str(elf, strtab, U32(elf, sym)), relocated.Contains(i)));
                }
            }
            return result;
        }

        /// <summary>
        /// Marks weak every requirement on <paramref name="library"/> for a version not in
        /// <paramref name="provided"/>, changing nothing but those vna_flags fields. Throws when a
        /// missing version binds a symbol that a relocation uses: weakening it would only move the
        /// failure to the first call.
        /// </summary>
        public static ElfWeakenReport WeakenMissing(byte[] elf, string library, ICollection<string> provided)
        {
            var weakened = new List<ElfVersionNeed>();
            var alreadyWeak = new List<ElfVersionNeed>();
            foreach (var need in Read(elf).Where(n => n.Library == library && !provided.Contains(n.Version)))
            {
                if (need.IsWeak) { alreadyWeak.Add(need); continue; }
                var used = SymbolsOfVersion(elf, need.Index).Where(s => s.Value).Select(s => s.Key).ToList();
                if (used.Count > 0)
                    throw new InvalidDataException(
                        $"{need.Version} (from {library}) is missing on this system and binds symbols that are " +
                        $"relocated against ({string.Join(", ", used)}); it cannot be weakened. Install a " +
                        $"libstdc++ that provides {need.Version} (GCC 13 or newer).");
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                elf[need.FlagsOffset] = (byte)flags;
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                weakened.Add(new ElfVersionNeed(need.Library, need.Version, need.Index, flags, need.FlagsOffset));
            }
            return new ElfWeakenReport(weakened, alreadyWeak);
        }

        /// <summary>
        /// <see cref="WeakenMissing(byte[], string, ICollection{string})"/> on a file. When something
        /// changes, the file is copied (keeping its mode), the flag bytes are written into the copy,
        /// and the copy replaces the file by a rename: a hard link into the NuGet cache is never
        /// written through, and a crash leaves either the old or the new file. The file keeps its
        /// modification time, so MSBuild's copy (same size and time = unchanged) does not copy the
        /// unpatched original over it again on the next build.
        /// </summary>
        public static ElfWeakenReport WeakenMissing(string path, string library, ICollection<string> provided)
        {
            var elf = File.ReadAllBytes(path);
            ElfWeakenReport report;
            try { report = WeakenMissing(elf, library, provided); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
            if (report.Changed)
            {
                DateTime modified = File.GetLastWriteTimeUtc(path);
                string temp = path + ".weaken.tmp";
                File.Copy(path, temp, overwrite: true);
                using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
                    foreach (var need in report.Weakened)
                    {
                        stream.Position = need.FlagsOffset;
                        stream.Write(elf, (int)need.FlagsOffset, 2);
                    }
                File.Replace(temp, path, null);
                File.SetLastWriteTimeUtc(path, modified);
            }
            return report;
        }

        /// <summary>The system's libstdc++ (first that exists), or null.</summary>
        public static string? FindSystemLibStdCxx() => new[]
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        }.FirstOrDefault(File.Exists);

        // ---- ELF64 little-endian plumbing ----

        sealed class Section
        {
            public uint Type; public long Offset, Size; public uint Link, Info;
        }

        static List<Section> Sections(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file (bad magic)");
            if (elf[4] != 2) throw new InvalidDataException($"not ELF64 (EI_CLASS = {elf[4]}, expected 2)");
            if (elf[5] != 1) throw new InvalidDataException($"not little-endian (EI_DATA = {elf[5]}, expected 1)");
            long shoff = (long)U64(elf, 0x28);
            ushort shentsize = U16(elf, 0x3a), shnum = U16(elf, 0x3c);
            if (shoff == 0 || shnum == 0) throw new InvalidDataException("no section header table");
            if (shentsize != 64) throw new InvalidDataException($"e_shentsize = {shentsize}, expected 64");
            var list = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + i * 64L;
                Check(elf, h, 64, "section header");
                var s = new Section
                {
                    Type = U32(elf, h + 4), Offset = (long)U64(elf, h + 24), Size = (long)U64(elf, h + 32),
                    Link = U32(elf, h + 40), Info = U32(elf, h + 44),
                };
                if (s.Type != 8) Check(elf, s.Offset, s.Size, $"section {i}");   // SHT_NOBITS has no bytes
                list.Add(s);
            }
            return list;
        }

        static Section At(List<Section> sections, uint index, string what) =>
            index < sections.Count ? sections[(int)index]
                : throw new InvalidDataException($"{what} = {index} is past the {sections.Count} sections");

        static string Str(byte[] elf, Section strtab, uint offset)
        {
            long start = strtab.Offset + offset, end = start;
            long limit = strtab.Offset + strtab.Size;
            if (offset >= strtab.Size) throw new InvalidDataException($"string offset {offset} is past its table");
            while (end < limit && elf[end] != 0) end++;
            return System.Text.Encoding.UTF8.GetString(elf, (int)start, (int)(end - start));
        }

        static void Check(byte[] elf, long offset, long size, string what)
        {
            if (offset < 0 || size < 0 || offset + size > elf.Length)
                throw new InvalidDataException($"{what} at offset {offset} (+{size}) is past the end of the file ({elf.Length} bytes)");
        }

        static ushort U16(byte[] b, long i) => (ushort)(b[i] | b[i + 1] << 8);
        static uint U32(byte[] b, long i) => (uint)(b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24);
        static ulong U64(byte[] b, long i) => U32(b, i) | (ulong)U32(b, i + 4) << 32;
    }

#if !LMEV_ELF_NO_TASK
    /// <summary>
    /// MSBuild task: weakens, in each given library, the requirements on the system's libstdc++ for
    /// versions it does not define. No-op where the system provides them or the file needs none.
    /// </summary>
    public sealed class WeakenMissingLibStdCxxVersions : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary>The libstdc++ to compare with; empty = the first of the usual system paths.</summary>
        public string SystemLibStdCxx { get; set; } = "";

        public override bool Execute()
        {
            string? system = SystemLibStdCxx.Length > 0 ? SystemLibStdCxx : ElfVersionNeeds.FindSystemLibStdCxx();
            if (system == null || !File.Exists(system))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    "TorchSharpElfFix: no system libstdc++.so.6 found; natives left as they are.");
                return true;
            }
            var provided = ElfVersionNeeds.Definitions(File.ReadAllBytes(system));
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                try
                {
                    var report = ElfVersionNeeds.WeakenMissing(path, "libstdc++.so.6", provided);
                    if (report.Changed)
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                            $"TorchSharpElfFix: {Path.GetFileName(path)}: marked weak {string.Join(", ", report.Weakened.Select(n => n.Version))} (missing from {system})");
                    else
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                            $"TorchSharpElfFix: {path}: nothing to do");
                }
                catch (InvalidDataException e)
                {
                    Log.LogError($"TorchSharpElfFix: {e.Message}");
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
