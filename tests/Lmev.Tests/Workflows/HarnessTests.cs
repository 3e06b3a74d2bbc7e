using System.Text.Json.Nodes;
using Lmev.Tests.Support;
using Lmev.Workflows;
using Lmev.Workflows.Execution;
using Lmev.Workflows.Expressions;
using Lmev.Workflows.Model;

namespace Lmev.Tests.Workflows;

/// <summary>
/// lmev-actions' pieces that decide what a workflow means: GitHub's expressions, GITHUB_OUTPUT's two forms, and the project's own
/// workflow files read whole. (The harness itself runs in CI: .ci/workflows.)
/// </summary>
public sealed class HarnessTests
{
    private static EvaluationContext Context(string workspace, JsonObject? inputs = null, JsonObject? vars = null) =>
        new EvaluationContext(workspace)
            .With("inputs", inputs ?? new JsonObject())
            .With("vars", vars ?? new JsonObject())
            .With("github", new JsonObject { ["workspace"] = workspace, ["ref_name"] = "main" })
            .With("needs", new JsonObject { ["prepare"] = new JsonObject { ["outputs"] = new JsonObject { ["models"] = """["a","b-c"]""" } } })
            .With("matrix", new JsonObject { ["model"] = "b-c" });

    [Fact]
    public void Expressions_read_as_github_evaluates_them()
    {
        var ctx = Context("/w/lmev/lmev");
        Assert.Equal("meli2019", Expression.InterpolateString("${{ inputs.experiment || 'meli2019' }}", ctx));
        Assert.Equal("demo", Expression.InterpolateString("${{ inputs.experiment || 'meli2019' }}", Context("/w", new JsonObject { ["experiment"] = "demo" })));
        Assert.Equal("/w/lmev/lmev/../lmev-cache", Expression.InterpolateString("${{ vars.LMEV_CACHE || format('{0}/../lmev-cache', github.workspace) }}", ctx));
        Assert.Equal("/disk", Expression.InterpolateString("${{ vars.LMEV_CACHE || format('{0}/../lmev-cache', github.workspace) }}",
            Context("/w", vars: new JsonObject { ["LMEV_CACHE"] = "/disk" })));
        var matrix = Expression.Interpolate("${{ fromJSON(needs.prepare.outputs.models) }}", ctx);
        Assert.Equal(["a", "b-c"], Assert.IsType<JsonArray>(matrix).Select(n => (string)n!));
        Assert.Equal("train-b-c.tar", Expression.InterpolateString("train-${{ matrix.model }}.tar", ctx));
        Assert.Equal("train-b-c", Expression.InterpolateString("train-${{ matrix['model'] }}", ctx));
        Assert.Equal("true", Expression.InterpolateString("${{ contains(fromJSON('[\"x\",\"Y\"]'), 'y') && !startsWith(github.ref_name, 'dev') }}", ctx));
        Assert.Equal("{ and }", Expression.InterpolateString("${{ format('{{ and }}') }}", ctx));
        Assert.Equal("", Expression.InterpolateString("${{ inputs.missing }}", ctx));
        Assert.Contains("not one this harness models", Assert.Throws<WorkflowException>(() => Expression.Evaluate("toUpper('x')", ctx)).Message);
        Assert.Contains("the context 'strategy' is not available here", Assert.Throws<WorkflowException>(() => Expression.Evaluate("strategy.job-index", ctx)).Message);
    }

    [Fact]
    public void Hash_files_hashes_the_matching_files_and_changes_with_them()
    {
        using var dir = new TempDir();
        dir.File("a/x.csproj", "one");
        dir.File("b/y.csproj", "two");
        dir.File("b/z.txt", "three");
        var ctx = Context(dir.Path);
        var first = Expression.InterpolateString("${{ hashFiles('**/*.csproj') }}", ctx);
        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.Equal(first, Expression.InterpolateString("${{ hashFiles('**/*.csproj', 'none/*.props') }}", ctx));
        dir.File("b/y.csproj", "changed");
        Assert.NotEqual(first, Expression.InterpolateString("${{ hashFiles('**/*.csproj') }}", ctx));
        Assert.Equal("", Expression.InterpolateString("${{ hashFiles('nothing/*') }}", ctx));
    }

    [Fact]
    public void Github_output_takes_both_forms()
    {
        using var dir = new TempDir();
        var file = dir.File("out", "models=[\"a\",\"b\"]\nnotes<<EOF_1\nline one\nline=two\nEOF_1\nempty=\n");
        Assert.Equal([("models", """["a","b"]"""), ("notes", "line one\nline=two"), ("empty", "")], WorkflowRunner.ReadKeyValues(file).ToList());
        var bad = dir.File("bad", "no separator here\n");
        Assert.Throws<WorkflowException>(() => WorkflowRunner.ReadKeyValues(bad).ToList());
    }

    [Theory]
    [InlineData("study.yml", new[] { "prepare", "train", "report" })]
    [InlineData("test.yml", new[] { "test" })]
    public void The_project_workflows_use_only_what_the_harness_models(string file, string[] jobs)
    {
        var workflow = WorkflowFile.Load(Path.Combine(SharedData.RepoRoot()!, ".github", "workflows", file));
        Assert.Equal(jobs, workflow.Jobs.Select(j => j.Id));
        Assert.Contains(workflow.Env.Concat(workflow.Jobs.SelectMany(j => j.Env)), e => e.Name == "LMEV_CACHE" && e.Value.Contains("github.workspace"));
    }
}
