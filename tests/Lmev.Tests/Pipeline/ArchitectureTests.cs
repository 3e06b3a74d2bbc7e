using System.Text.RegularExpressions;
using System.Xml.Linq;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

/// <summary>
/// The rules of the layout (README, "Layout"): no stage names another — they meet through the contracts (src/Contracts) and
/// cached files; the engine (src/Pipeline) references no stage and no training project; the flow's core knows no stage.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static string Src => Path.Combine(SharedData.RepoRoot()!, "src");

    [GeneratedRegex(@"\bLmev\.Stages\.(?<stage>\w+)")]
    private static partial Regex StageName();

    [GeneratedRegex(@"^namespace\s+Lmev\.Stages\.(?<stage>\w+)\s*;", RegexOptions.Multiline)]
    private static partial Regex StageNamespace();

    /// <summary>Each stage's folder (src/Stages/NN-Name) with its namespace (Lmev.Stages.Name).</summary>
    public static IEnumerable<object[]> Stages() =>
        Directory.EnumerateDirectories(Path.Combine(Src, "Stages")).Where(d => Regex.IsMatch(Path.GetFileName(d), @"^\d\d-")).Order(StringComparer.Ordinal)
            .Select(d => new object[] { Path.GetFileName(d) });

    [Theory]
    [MemberData(nameof(Stages))]
    public void No_stage_names_another_stage(string folder)
    {
        var dir = Path.Combine(Src, "Stages", folder);
        var files = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")).ToList();
        Assert.NotEmpty(files);
        var own = files.Select(f => StageNamespace().Match(File.ReadAllText(f))).First(m => m.Success).Groups["stage"].Value;
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
                foreach (Match m in StageName().Matches(lines[i]))
                    Assert.True(m.Groups["stage"].Value == own,
                        $"{Path.GetRelativePath(Src, file)}:{i + 1}: names the stage Lmev.Stages.{m.Groups["stage"].Value} inside stage {own}; stages meet through " +
                        "src/Contracts and their cached files, and the wiring in src/Stages/Flow/Steps");
        }
    }

    [Fact]
    public void The_engine_references_no_stage_and_no_training_project()
    {
        var project = XDocument.Load(Path.Combine(Src, "Pipeline", "Lmev.Pipeline.csproj"));
        Assert.Empty(project.Descendants("ProjectReference"));
        var contracts = XDocument.Load(Path.Combine(Src, "Contracts", "Lmev.Contracts.csproj"));
        Assert.Equal(["../Pipeline/Lmev.Pipeline.csproj"], contracts.Descendants("ProjectReference").Select(r => (string)r.Attribute("Include")!));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Src, "Pipeline"), "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/")))
            Assert.DoesNotMatch(@"\bLmev\.(Stages|Training|Models|Flow|Contracts)\b", File.ReadAllText(file));
    }

    [Fact]
    public void The_flows_core_knows_no_stage()
    {
        foreach (var name in new[] { "ExperimentFlow.cs", "FlowStatus.cs", "FlowReach.cs", "FlowExport.cs", "StepWiring.cs" })
            Assert.DoesNotMatch(@"\bLmev\.Stages\.", File.ReadAllText(Path.Combine(Src, "Stages", "Flow", name)));
    }
}
