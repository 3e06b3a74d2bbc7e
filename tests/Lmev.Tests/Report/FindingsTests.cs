using Lmev.Contracts.Results;
using Lmev.Stages.Aggregate;
using Lmev.Stages.Report;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Report;

public sealed class FindingsTests(ITestOutputHelper output)
{
    internal static RunSummary SummaryOf(IEnumerable<Lmev.Contracts.RunMetrics> runs, ReferenceFigures? reference = null, bool resample = true, int? maxEpochs = null) =>
        AggregateStage.Summarize("test", runs.Select(m => RunRow.From(m, m.Diverged ? RunStatus.Diverged : RunStatus.Ok)).ToList(),
            new AggregateParams(reference, resample, maxEpochs), runs.Where(m => !m.Diverged).ToList());

    private static IReadOnlyList<string> FindingsOf(IEnumerable<Lmev.Contracts.RunMetrics> runs, ReferenceFigures? reference = null) =>
        Findings.From(SummaryOf(runs, reference));

    /// <summary>Two models that differ in language alone (same dim, normalisation, mode), the first clearly better.</summary>
    private static IEnumerable<Lmev.Contracts.RunMetrics> Languages(string better, string worse) =>
    [
        Runs.Make("a", 1, 0.80, better), Runs.Make("a", 2, 0.81, better), Runs.Make("a", 3, 0.82, better),
        Runs.Make("b", 1, 0.70, worse), Runs.Make("b", 2, 0.71, worse), Runs.Make("b", 3, 0.72, worse),
    ];

    [Fact]
    public void A_language_pair_states_the_difference_its_interval_and_its_significance()
    {
        var f = FindingsOf(Languages("es", "en"));
        var pair = Assert.Single(f, s => s.StartsWith("Idioma: a (español) frente a b (inglés): diferencia +0.1000 (IC 95 %: ", StringComparison.Ordinal));
        Assert.Contains("t de Welch = 12.25, gl = 4.0", pair);
        Assert.EndsWith("a es mejor, significativo al 5 %.", pair);
        Assert.Contains(f, s => s.StartsWith("El mejor modelo fue a, con BAC media = 0.8100 (IC 95 % t: 0.7852 a 0.8348, n = 3)", StringComparison.Ordinal));
    }

    [Fact]
    public void Swapping_two_models_runs_flips_the_sentence()
    {
        var runs = Languages("es", "en").ToList();
        var swapped = runs.Select(m => m with { Test = runs.Single(o => o.Model != m.Model && o.Run == m.Run).Test }).ToList();
        var before = Assert.Single(FindingsOf(runs), s => s.StartsWith("Idioma: a", StringComparison.Ordinal));
        var after = Assert.Single(FindingsOf(swapped), s => s.StartsWith("Idioma: a", StringComparison.Ordinal));
        Assert.Contains("diferencia +0.1000", before);
        Assert.EndsWith("a es mejor, significativo al 5 %.", before);
        Assert.Contains("diferencia -0.1000", after);
        Assert.EndsWith("b es mejor, significativo al 5 %.", after);
    }

    [Fact]
    public void A_difference_inside_the_noise_is_called_unsettled()
    {
        var f = FindingsOf(
        [
            Runs.Make("a", 1, 0.70, "es"), Runs.Make("a", 2, 0.80, "es"), Runs.Make("a", 3, 0.75, "es"),
            Runs.Make("b", 1, 0.71, "en"), Runs.Make("b", 2, 0.77, "en"), Runs.Make("b", 3, 0.74, "en"),
        ]);
        var pair = Assert.Single(f, s => s.StartsWith("Idioma: a (español) frente a b (inglés)", StringComparison.Ordinal));
        Assert.Contains("diferencia +0.0100", pair);
        Assert.EndsWith("los datos no lo deciden: no es significativa al 5 %.", pair);
        Assert.DoesNotContain("es mejor", pair);
        Assert.Contains(f, s => s.StartsWith("Idioma, resumen de 1 par (español frente a inglés): español es mejor con significación en 0, inglés en 0, y los datos no lo deciden en 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Models_that_differ_in_more_than_one_factor_are_never_compared_and_no_group_is_pooled()
    {
        // es-dim50-norm vs es-dim128 differ in dim AND normalisation: never compared; the English dim-50 model
        // with normalisation differs from es-dim50-norm in language alone: one pair.
        var s = SummaryOf(Runs.Small());
        var pair = Assert.Single(s.Comparisons);
        Assert.Equal(("language", "es-dim50-norm", "en-dim50-norm-with-a-rather-long-name"), (pair.Factor, pair.ModelA, pair.ModelB));
        var f = Findings.From(s);
        Assert.Contains("Idioma: es-dim128 no tiene pareja (ningún otro modelo difiere de él solo en este factor) y queda fuera de esta comparación.", f);
        Assert.Contains("Dimensión: ningún par de modelos difiere solo en este factor, así que no se compara (compararía modelos distintos en más de un aspecto).", f);
        Assert.Contains("Normalización: ningún par de modelos difiere solo en este factor, así que no se compara (compararía modelos distintos en más de un aspecto).", f);
        Assert.DoesNotContain(f, x => x.Contains("promediaron", StringComparison.Ordinal) || x.Contains("Los modelos en", StringComparison.Ordinal));
        // The three models' own means are there, never a mean over a group of them.
        Assert.Equal(["en-dim50-norm-with-a-rather-long-name", "es-dim128", "es-dim50-norm"], s.Models.Select(m => m.Model));
    }

    [Fact]
    public void A_model_with_no_partner_is_left_out_of_that_factor_with_a_sentence()
    {
        var f = FindingsOf(
        [
            .. Languages("es", "en"),
            Runs.Make("c", 1, 0.75, "en", dim: 128), Runs.Make("c", 2, 0.76, "en", dim: 128), // en-dim128: a dim partner of b, no language partner
            Runs.Make("z", 1, 0.60, "pt", dim: 300, normalization: false), Runs.Make("z", 2, 0.61, "pt", dim: 300, normalization: false),
        ]);
        Assert.Contains(f, s => s.StartsWith("Idioma: a (español) frente a b (inglés)", StringComparison.Ordinal));
        Assert.Contains("Idioma: c, z no tienen pareja (ningún otro modelo difiere de ellos solo en este factor) y quedan fuera de esta comparación.", f);
        Assert.Contains(f, s => s.StartsWith("Dimensión: b (dimensión 50) frente a c (dimensión 128)", StringComparison.Ordinal));
        Assert.Contains("Dimensión: a, z no tienen pareja (ningún otro modelo difiere de ellos solo en este factor) y quedan fuera de esta comparación.", f);
        Assert.DoesNotContain(f, s => s.StartsWith("Idioma: a (español) frente a c", StringComparison.Ordinal));
    }

    [Fact]
    public void Models_of_different_kinds_are_not_partners()
    {
        var rows = Languages("es", "en").Select(m => RunRow.From(m, RunStatus.Ok)).ToList();
        var kinds = new SortedDictionary<string, ModelTraits> { ["a"] = new("nnlm"), ["b"] = new("random") };
        var s = AggregateStage.Summarize("test", rows, new AggregateParams(Resample: true, Models: kinds));
        Assert.Empty(s.Comparisons);
    }

    [Fact]
    public void Holm_corrects_over_every_comparison()
    {
        var s = SummaryOf([
            .. Languages("es", "en"),
            Runs.Make("c", 1, 0.75, "en", dim: 128), Runs.Make("c", 2, 0.76, "en", dim: 128), Runs.Make("c", 3, 0.70, "en", dim: 128),
        ]);
        Assert.Equal(2, s.Comparisons.Count);
        var ps = s.Comparisons.Select(c => c.P!.Value).ToArray();
        var smallest = s.Comparisons.MinBy(c => c.P)!;
        Assert.Equal(Math.Min(1, 2 * ps.Min()), smallest.PHolm!.Value, 12);
        Assert.All(s.Comparisons, c => Assert.True(c.PHolm >= c.P));
    }

    [Fact]
    public void A_single_run_has_an_undefined_std_and_no_comparison()
    {
        var f = FindingsOf([Runs.Make("solo", 1, 0.6)]);
        Assert.Contains(f, s => s.Contains("Solo un modelo tiene ejecuciones válidas: solo, con BAC media = 0.6000 (n = 1, sin intervalo: una sola ejecución y sin predicciones de test)", StringComparison.Ordinal));
        Assert.Contains(f, s => s.StartsWith("La desviación estándar es indefinida para solo", StringComparison.Ordinal));
        Assert.DoesNotContain(f, s => s.Contains("frente a", StringComparison.Ordinal));
    }

    [Fact]
    public void Single_runs_on_both_sides_are_not_settled()
    {
        var f = FindingsOf([Runs.Make("a", 1, 0.8, "es"), Runs.Make("b", 1, 0.6, "en")]);
        Assert.Contains(f, s => s.StartsWith("Idioma: a (español) frente a b (inglés): diferencia +0.2000; sin prueba posible", StringComparison.Ordinal) && s.Contains("los datos no lo deciden"));
    }

    [Fact]
    public void No_usable_run_says_so()
    {
        var f = FindingsOf([Runs.Make("a", 1, double.NaN)]);
        Assert.Equal("Ninguna de las 1 ejecuciones fue válida: no hay resultados que comparar.", f[0]);
        Assert.Contains(f, s => s.StartsWith("1 de 1 ejecuciones se excluyeron de las medias: 1 divergió", StringComparison.Ordinal));
    }

    [Fact]
    public void Training_health_counts_runs_still_improving_and_runs_stopped_early()
    {
        // Runs.Make's validation loss 2.5/e + 0.05e falls until epoch 7 and rises after: a 10-epoch run ends rising.
        var runs = new[]
        {
            Runs.Make("a", 1, 0.8, epochs: 10), Runs.Make("a", 2, 0.8, epochs: 6),
            Runs.Make("b", 1, 0.7, epochs: 4), Runs.Make("b", 2, 0.7, epochs: 4),
        };
        var s = SummaryOf(runs, maxEpochs: 10);
        var f = Findings.From(s);
        Assert.Equal([(2, 0, 1), (2, 0, 2)], s.Health.Select(h => (h.Runs, h.StillImproving, h.StoppedEarly)));
        var s4 = SummaryOf(runs, maxEpochs: 4);
        Assert.Equal((2, 2, 0), (s4.Health[1].Runs, s4.Health[1].StillImproving, s4.Health[1].StoppedEarly));
        Assert.Contains("3 de 4 ejecuciones usaron todas las épocas con la pérdida de validación aún bajando en la última (posiblemente subentrenadas): a (1 de 2), b (2 de 2).", Findings.From(s4));
        Assert.Contains(f, x => x.StartsWith("3 de 4 ejecuciones se detuvieron por parada temprana: a en la época 6; b en la época 4, 4.", StringComparison.Ordinal));
    }

    [Fact]
    public void Published_differences_are_confirmed_contradicted_or_left_unsettled()
    {
        var reference = new ReferenceFigures("el estudio original",
            new SortedDictionary<string, double> { ["a"] = 0.70, ["b"] = 0.80 },
            new SortedDictionary<string, double[]> { ["a"] = [0.69, 0.70, 0.71], ["b"] = [0.79, 0.80, 0.81] });
        var s = SummaryOf(Languages("es", "en"), reference);
        var claim = Assert.Single(s.Reference!.Claims);
        Assert.Equal(PublishedClaim.Contradicted, claim.Verdict);
        var f = Findings.From(s);
        Assert.Contains("Idioma: el estudio publicó a < b (-0.1000); se contradice en 1 (a frente a b).", f);
        Assert.Contains(f, x => x.StartsWith("Comparadas con el estudio original, nuestras medias por modelo difieren entre -0.0900 y +0.1100 (2 de 2 modelos); 2 de 2 son significativas al 5 %", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void The_studys_32_published_runs_by_welch_and_holm()
    {
        var runs = ReferenceRuns.Read(SharedData.Require("reference-runs.csv"));
        var s = SummaryOf(runs, maxEpochs: 10);
        Assert.Equal(12, s.Comparisons.Count); // 4 pairs each for language, dim and normalisation; one mode
        Assert.All(s.Comparisons, c => Assert.Equal(PairComparison.Welch, c.Test));
        foreach (var c in s.Comparisons)
            output.WriteLine($"{c.Factor,-13} {c.ModelA,-34} {c.ModelB,-34} {c.Difference,8:+0.0000;-0.0000} [{c.Low,8:+0.0000;-0.0000}, {c.High,8:+0.0000;-0.0000}] t={c.Statistic,6:0.00} df={c.Df,4:0.0} p={c.P,7:0.0000} holm={c.PHolm,7:0.0000} {(c.Significant ? "significant" : "not significant")}");
        foreach (var x in Findings.From(s).Where(x => x.Contains("resumen", StringComparison.Ordinal))) output.WriteLine(x);
        var language = s.Comparisons.Where(c => c.Factor == "language").ToList();
        Assert.All(language, c => Assert.True(c.Difference > 0)); // Spanish ahead in all four pairs
        var best = Assert.Single(Findings.From(s), x => x.StartsWith("El mejor modelo fue", StringComparison.Ordinal));
        Assert.StartsWith("El mejor modelo fue nnlm-es-dim50-with-normalization, con BAC media = 0.7536", best);
    }
}
