using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using Lmev.Flow;
using Lmev.Pipeline;

namespace Lmev.Tests.Golden;

/// <summary>
/// Where a step's stage is written, found from the code rather than from a list: the step's stage type is the
/// <see cref="IStage"/> named after its Cake target (<c>filter-spanish</c> → <c>FilterSpanishStage</c>), and its
/// source file is the one the portable PDB names for that type's <c>Version</c> getter (the line a bump edits).
/// </summary>
internal static class StageSources
{
    public static Type TypeOf(string step)
    {
        var name = FlowSteps.Get(step).Target + "Stage";
        // The stages' assembly: the one the flow that wires them lives in (IStage itself is the engine's, Lmev.Pipeline).
        var stages = typeof(ExperimentFlow).Assembly;
        var types = stages.GetTypes().Where(t => t.Name == name && typeof(IStage).IsAssignableFrom(t)).ToList();
        return types.Count == 1 ? types[0]
            : throw new InvalidOperationException($"step '{step}': expected one IStage type named {name} in {stages.GetName().Name}, " +
                $"found {types.Count}; the golden test finds a step's stage by this name");
    }

    /// <summary>The file that declares the stage's Version, relative to the repository root when it lies under it.</summary>
    public static string FileOf(string step)
    {
        var type = TypeOf(step);
        var getter = type.GetProperty(nameof(IStage.Version))?.GetMethod
            ?? throw new InvalidOperationException($"{type.FullName} has no public Version property");
        var pdb = Path.ChangeExtension(type.Assembly.Location, ".pdb");
        if (!File.Exists(pdb)) return $"{type.FullName} (no {Path.GetFileName(pdb)} to find its file)";
        using var stream = File.OpenRead(pdb);
        using var provider = MetadataReaderProvider.FromPortablePdbStream(stream);
        var reader = provider.GetMetadataReader();
        var info = reader.GetMethodDebugInformation(MetadataTokens.MethodDefinitionHandle(getter.MetadataToken));
        var document = info.Document.IsNil ? info.GetSequencePoints().Select(s => s.Document).FirstOrDefault() : info.Document;
        if (document.IsNil) return $"{type.FullName} (its PDB has no file for the Version getter)";
        var path = reader.GetString(reader.GetDocument(document).Name);
        var root = Support.SharedData.RepoRoot();
        if (root is not null && path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return Path.GetRelativePath(root, path);
        // A deterministic CI build (ContinuousIntegrationBuild) maps the repository root to /_/.
        return path.StartsWith("/_/", StringComparison.Ordinal) ? path[3..] : path;
    }
}
