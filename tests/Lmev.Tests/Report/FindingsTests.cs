using Lmev.Pipeline.Results;
using Lmev.Stages.Aggregate;
using Lmev.Stages.Report;
using Lmev.Tests.Support;

namespace Lmev.Tests.Report;

public sealed class FindingsTests
{
    private static IReadOnlyList<string> FindingsOf(IEnumerable<Lmev.Pipeline.RunMetrics> runs, ReferenceFigures? reference = null) =>
        Findings.From(AggregateStage.Summarize("test", runs.Select(m => RunRow.From(m, m.Diverged ? RunStatus.Diverged : RunStatus.Ok)).ToList(), reference));

    private static IEnumerable<Lmev.Pipeline.RunMetrics> Languages(string better, string worse) =>
    [
        Runs.Make("a", 1, 0.80, better), Runs.Make("a", 2, 0.81, better), Runs.Make("a", 3, 0.82, better),
        Runs.Make("b", 1, 0.70, worse), Runs.Make("b", 2, 0.71, worse), Runs.Make("b", 3, 0.72, worse),
    ];

    [Fact]
    public void The_language_sentence_follows_the_numbers()
    {
        var f = FindingsOf(Languages("es", "en"));
        Assert.Contains(f, s => s.StartsWith("Los modelos en español promediaron BAC = 0.8100 frente a 0.7100 de los modelos en inglés; la diferencia (0.1000) es 10.0 veces", StringComparison.Ordinal));
        Assert.Contains(f, s => s.StartsWith("El mejor modelo fue a, con BAC media = 0.8100 (± 0.0100, n = 3)", StringComparison.Ordinal));
    }

    [Fact]
    public void Swapping_the_languages_results_flips_the_sentence()
    {
        var f = FindingsOf(Languages("en", "es"));
        Assert.Contains(f, s => s.StartsWith("Los modelos en inglés promediaron BAC = 0.8100 frente a 0.7100 de los modelos en español", StringComparison.Ordinal));
        Assert.DoesNotContain(f, s => s.Contains("Los modelos en español promediaron", StringComparison.Ordinal));
    }

    [Fact]
    public void One_language_only_states_no_language_comparison()
    {
        var f = FindingsOf(Languages("es", "es"));
        Assert.DoesNotContain(f, s => s.Contains("de los modelos en", StringComparison.Ordinal));
        Assert.Contains(f, s => s.StartsWith("El mejor modelo fue a", StringComparison.Ordinal));
    }

    [Fact]
    public void A_difference_within_the_spread_is_called_not_conclusive()
    {
        var f = FindingsOf(
        [
            Runs.Make("a", 1, 0.70, "es"), Runs.Make("a", 2, 0.80, "es"),
            Runs.Make("b", 1, 0.71, "en"), Runs.Make("b", 2, 0.77, "en"),
        ]);
        var language = Assert.Single(f, s => s.StartsWith("Los modelos en español", StringComparison.Ordinal));
        Assert.Contains("la diferencia (0.0100) es no concluyente: menor que la desviación estándar combinada", language);
    }

    [Fact]
    public void Dims_normalisation_and_devices_get_their_own_sentences()
    {
        var f = FindingsOf(Runs.Small());
        Assert.Contains(f, s => s.StartsWith("Los modelos de dimensión 128 promediaron BAC = 0.7700 frente a 0.7600 de los modelos de dimensión 50; la diferencia (0.0100) es no concluyente", StringComparison.Ordinal));
        Assert.Contains(f, s => s.StartsWith("Los modelos sin normalización promediaron BAC = 0.7700 frente a 0.7600 de los modelos con normalización", StringComparison.Ordinal));
        Assert.Contains(f, s => s.StartsWith("El entrenamiento tardó en promedio 4.0 s por ejecución en cuda: NVIDIA H200, frente a 16.0 s en cpu: test (4.00 veces más)", StringComparison.Ordinal));
        Assert.DoesNotContain(f, s => s.Contains("modo", StringComparison.Ordinal)); // one mode only
    }

    [Fact]
    public void A_single_run_has_an_undefined_std_and_no_comparison()
    {
        var f = FindingsOf([Runs.Make("solo", 1, 0.6)]);
        Assert.Contains(f, s => s.Contains("Solo un modelo tiene ejecuciones válidas: solo, con BAC media = 0.6000 (n = 1, desviación estándar indefinida)", StringComparison.Ordinal));
        Assert.Contains(f, s => s.StartsWith("La desviación estándar es indefinida para solo", StringComparison.Ordinal));
        Assert.DoesNotContain(f, s => s.Contains("frente a", StringComparison.Ordinal));
    }

    [Fact]
    public void Single_runs_on_both_sides_are_not_conclusive()
    {
        var f = FindingsOf([Runs.Make("a", 1, 0.8, "es"), Runs.Make("b", 1, 0.6, "en")]);
        Assert.Contains(f, s => s.Contains("no concluyente: con una sola ejecución válida la dispersión no está definida", StringComparison.Ordinal));
    }

    [Fact]
    public void No_usable_run_says_so()
    {
        var f = FindingsOf([Runs.Make("a", 1, double.NaN)]);
        Assert.Equal("Ninguna de las 1 ejecuciones fue válida: no hay resultados que comparar.", f[0]);
        Assert.Contains(f, s => s.StartsWith("1 de 1 ejecuciones se excluyeron de las medias: 1 divergió", StringComparison.Ordinal));
    }

    [Fact]
    public void Reference_figures_are_compared_and_a_flipped_order_is_reported()
    {
        var reference = new ReferenceFigures("el estudio original",
            new SortedDictionary<string, double> { ["a"] = 0.70, ["b"] = 0.80 },
            new SortedDictionary<string, double> { ["es"] = 0.70, ["en"] = 0.80 });
        var f = FindingsOf(Languages("es", "en"), reference);
        Assert.Contains("Comparadas con el estudio original, nuestras medias por modelo difieren entre -0.0900 y +0.1100 (2 de 2 modelos; la mayor diferencia absoluta es la de a, +0.1100).", f);
        Assert.Contains("El mejor modelo publicado, b, no es nuestro mejor: aquí lo es a.", f);
        Assert.Contains("El orden entre idiomas no coincide con el publicado: aquí Español > Inglés, allí Inglés > Español.", f);
    }

    [SkippableFact]
    public void The_studys_runs_give_the_studys_findings()
    {
        var runs = ReferenceRuns.Read(SharedData.Require("reference-runs.csv"));
        var f = FindingsOf(runs);
        Assert.Contains(f, s => s.StartsWith("Los modelos en español promediaron BAC = 0.7434 frente a 0.7190 de los modelos en inglés", StringComparison.Ordinal));
        var best = Assert.Single(f, s => s.StartsWith("El mejor modelo fue", StringComparison.Ordinal));
        Assert.StartsWith("El mejor modelo fue nnlm-es-dim50-with-normalization, con BAC media = 0.7536", best);
        Assert.Contains("frente a 0.7489 de nnlm-es-dim128-with-normalization", best);
    }
}
