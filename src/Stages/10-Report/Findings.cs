using System.Globalization;
using Lmev.Contracts.Results;
using static Lmev.Contracts.Results.SpanishLabels;

namespace Lmev.Stages.Report;

/// <summary>
/// The report's findings, each sentence computed from summary.json and none written in advance. A
/// factor is only compared between models that differ in it alone, pair by pair, then summarised over
/// the pairs; a model with no partner is said to be left out. Every difference comes with its 95 %
/// interval and test; it is called significant only when its Holm-corrected p-value is below 5 %, and
/// otherwise the sentence says the data do not settle it. Names are escaped for Markdown.
/// </summary>
public static class Findings
{
    public static IReadOnlyList<string> From(RunSummary s)
    {
        var f = new List<string>();
        BestModel(s, f);
        if (s.Comparisons.Any(c => c.Factor == "baseline")) Factor(s, "baseline", f);
        foreach (var factor in s.Factors.Select(x => x.Factor).Distinct()) Factor(s, factor, f);
        Health(s, f);
        Time(s, f);
        Undefined(s, f);
        Excluded(s, f);
        Reference(s, f);
        return f;
    }

    public static string FactorName(string factor) => factor switch
    {
        "baseline" => "Frente a la línea base",
        "language" => "Idioma",
        "dim" => "Dimensión",
        "normalization" => "Normalización",
        "mode" => "Modo de entrenamiento",
        _ => factor,
    };

    /// <summary>A factor's level in words: "español", "con normalización", "dimensión 50", "fine-tune".</summary>
    public static string LevelName(string factor, string level) => factor switch
    {
        "language" => level switch { "es" => "español", "en" => "inglés", "pt" => "portugués", "none" => "sin preentrenar", _ => MarkdownText.Escape(level) },
        "normalization" => level == "true" ? "con normalización" : "sin normalización",
        "dim" => $"dimensión {level}",
        "mode" => level == "fine-tune" ? "fine-tune" : level == "frozen" ? "congelado (frozen)" : MarkdownText.Escape(level),
        "baseline" => level == "embedding" ? "el mejor modelo de embeddings" : "la mejor línea base",
        _ => MarkdownText.Escape(level),
    };

    private static string N(string model) => MarkdownText.Escape(model);

    /// <summary>The embedding models (every model but the baselines), which the findings rank.</summary>
    private static IEnumerable<ModelStats> Embeddings(RunSummary s) => s.Models.Where(g => !s.IsBaseline(g.Model));

    private static void BestModel(RunSummary s, List<string> f)
    {
        var models = Embeddings(s).Where(g => g.N > 0).OrderByDescending(g => g.Mean).ThenBy(g => g.Model, StringComparer.Ordinal).ToList();
        if (models.Count == 0)
        {
            f.Add($"Ninguna de las {s.Runs} ejecuciones fue válida: no hay resultados que comparar.");
            return;
        }
        var best = models[0];
        if (models.Count == 1)
        {
            f.Add($"Solo un modelo tiene ejecuciones válidas: {N(best.Model)}, con BAC media = {Number(best.Mean)} ({Interval(best)}); no hay otro con qué compararlo.");
            return;
        }
        var second = models[1];
        f.Add($"El mejor modelo fue {N(best.Model)}, con BAC media = {Number(best.Mean)} ({Interval(best)}); el segundo, {N(second.Model)}, {Number(second.Mean)} ({Interval(second)}).");
    }

    /// <summary>"IC 95 %: 0.7852 a 0.8348, n = 3", or why there is none.</summary>
    public static string Interval(ModelStats g) => g.Low is { } low && g.High is { } high
        ? $"IC 95 % {(g.Interval == "bootstrap" ? "por bootstrap estratificado por clase sobre los títulos de test" : "t")}: {Number(low)} a {Number(high)}, n = {g.N}"
        : $"n = {g.N}, sin intervalo: una sola ejecución y sin predicciones de test";

    private static void Factor(RunSummary s, string factor, List<string> f)
    {
        var name = FactorName(factor);
        foreach (var p in s.Comparisons.Where(c => c.Factor == factor))
            f.Add($"{name}: {N(p.ModelA)} ({LevelName(factor, p.LevelA)}) frente a {N(p.ModelB)} ({LevelName(factor, p.LevelB)}): {Verdict(p)}.");
        foreach (var sum in s.Factors.Where(x => x.Factor == factor && x.Pairs > 0))
        {
            var (a, b) = (LevelName(factor, sum.LevelA), LevelName(factor, sum.LevelB));
            var unsettled = sum.Pairs - sum.SignificantA - sum.SignificantB;
            f.Add($"{name}, resumen de {(sum.Pairs == 1 ? "1 par" : $"{sum.Pairs} pares")} ({a} frente a {b}): {a} es mejor con significación en {sum.SignificantA}, " +
                  $"{b} en {sum.SignificantB}, y los datos no lo deciden en {unsettled}; la diferencia media entre pares es {Signed(sum.MeanDifference!.Value)}.");
        }
        var left = s.Factors.FirstOrDefault(x => x.Factor == factor)?.Unpaired ?? [];
        if (!s.Comparisons.Any(c => c.Factor == factor))
            f.Add($"{name}: ningún par de modelos difiere solo en este factor, así que no se compara (compararía modelos distintos en más de un aspecto).");
        else if (left.Count > 0)
            f.Add($"{name}: {string.Join(", ", left.Select(N))} no {(left.Count == 1 ? "tiene" : "tienen")} pareja (ningún otro modelo difiere " +
                  $"{(left.Count == 1 ? "de él" : "de ellos")} solo en este factor) y {(left.Count == 1 ? "queda" : "quedan")} fuera de esta comparación.");
    }

    /// <summary>The difference, its interval and test, and what it means at 5 % after Holm's correction.</summary>
    public static string Verdict(PairComparison p)
    {
        var diff = $"diferencia {Signed(p.Difference)}";
        if (p.Test == PairComparison.NoTest || p.P is null)
            return $"{diff}; sin prueba posible (hace falta más de una ejecución por modelo, o predicciones de test), así que los datos no lo deciden";
        var stats = $"{diff} (IC 95 %: {Signed(p.Low!.Value)} a {Signed(p.High!.Value)}; {TestText(p.Test, p.Statistic, p.Df, p.P.Value)}, p de Holm = {P(p.PHolm!.Value)})";
        if (!p.Significant) return $"{stats}; los datos no lo deciden: no es significativa al 5 %";
        var better = p.Difference > 0 ? p.ModelA : p.ModelB;
        return $"{stats}; {N(better)} es mejor, significativo al 5 %";
    }

    public static string TestText(string test, double? t, double? df, double p) => test switch
    {
        PairComparison.Welch => $"t de Welch = {t!.Value.ToString("0.00", CultureInfo.InvariantCulture)}, gl = {df!.Value.ToString("0.0", CultureInfo.InvariantCulture)}, p = {P(p)}",
        PairComparison.PairedBootstrap => $"bootstrap pareado estratificado por clase sobre los títulos de test, p = {P(p)}",
        _ => $"p = {P(p)}",
    };

    public static string P(double p) => p < 0.0001 ? "< 0.0001" : p.ToString("0.0000", CultureInfo.InvariantCulture);

    private static void Health(RunSummary s, List<string> f)
    {
        if (s.Health.Count == 0) return;
        var total = s.Health.Sum(h => h.Runs);
        var still = s.Health.Where(h => h.StillImproving > 0).ToList();
        var early = s.RunHealth.Where(r => r.StoppedEarlyAt is not null).ToList();
        if (still.Count > 0)
            f.Add($"{still.Sum(h => h.StillImproving)} de {total} ejecuciones usaron todas las épocas con la pérdida de validación aún bajando en la última " +
                  $"(posiblemente subentrenadas): {string.Join(", ", still.Select(h => $"{N(h.Model)} ({h.StillImproving} de {h.Runs})"))}.");
        else if (s.Health.All(h => h.Unknown == h.Runs))
            f.Add("Las ejecuciones no registraron la pérdida por época: no se sabe si alguna seguía mejorando al terminar.");
        else
            f.Add("Ninguna ejecución terminó con la pérdida de validación aún bajando: ninguna parece subentrenada por el límite de épocas.");
        if (early.Count > 0)
            f.Add($"{early.Count} de {total} ejecuciones se detuvieron por parada temprana: " +
                  string.Join("; ", early.GroupBy(r => r.Model, StringComparer.Ordinal).Select(g => $"{N(g.Key)} en la época {string.Join(", ", g.Select(r => r.StoppedEarlyAt))}")) + ".");
    }

    private static void Time(RunSummary s, List<string> f)
    {
        var devices = s.Devices.Where(d => d.MeanTrainSeconds is not null).OrderBy(d => d.MeanTrainSeconds).ToList();
        if (devices.Count == 0) return;
        if (devices.Count == 1)
        {
            f.Add($"Todas las ejecuciones válidas entrenaron en {MarkdownText.Escape(devices[0].Key)}: {Seconds(devices[0].MeanTrainSeconds!.Value)} s por ejecución en promedio.");
            return;
        }
        var fastest = devices[0];
        var others = devices.Skip(1).Select(d =>
            $"{Seconds(d.MeanTrainSeconds!.Value)} s en {MarkdownText.Escape(d.Key)} ({(d.MeanTrainSeconds!.Value / fastest.MeanTrainSeconds!.Value).ToString("0.00", CultureInfo.InvariantCulture)} veces más)");
        f.Add($"El entrenamiento tardó en promedio {Seconds(fastest.MeanTrainSeconds!.Value)} s por ejecución en {MarkdownText.Escape(fastest.Key)}, frente a {string.Join(" y ", others)}; los dispositivos no entrenaron necesariamente los mismos modelos.");
    }

    private static void Undefined(RunSummary s, List<string> f)
    {
        var single = s.Models.Where(g => g.N == 1).Select(g => N(g.Model)).ToList();
        if (single.Count > 0)
            f.Add($"La desviación estándar es indefinida para {string.Join(", ", single)}: {(single.Count == 1 ? "tiene" : "tienen")} una sola ejecución válida.");
    }

    private static void Excluded(RunSummary s, List<string> f)
    {
        if (s.Excluded.Count == 0)
        {
            f.Add(s.Runs == 1 ? "La única ejecución fue válida." : $"Las {s.Runs} ejecuciones fueron válidas; ninguna se excluyó.");
            return;
        }
        var parts = s.StatusCounts.Where(c => c.Key != RunStatus.Ok).Select(c => c.Key switch
        {
            RunStatus.Diverged => $"{c.Value} {(c.Value == 1 ? "divergió (pérdida NaN)" : "divergieron (pérdida NaN)")}",
            RunStatus.Missing => $"{c.Value} {(c.Value == 1 ? "falta (sin metrics.json)" : "faltan (sin metrics.json)")}",
            "corrupt" => $"{c.Value} {(c.Value == 1 ? "tiene" : "tienen")} un metrics.json ilegible",
            _ => $"{c.Value} con estado {MarkdownText.Escape(c.Key)}",
        });
        f.Add($"{s.Excluded.Count} de {s.Runs} ejecuciones se excluyeron de las medias: {string.Join(", ", parts)}.");
    }

    private static void Reference(RunSummary s, List<string> f)
    {
        if (s.Reference is not { } r) return;
        var source = MarkdownText.Escape(r.Source);
        var models = r.Models.Where(c => c.Difference is not null).ToList();
        if (models.Count == 0)
        {
            f.Add($"Ningún modelo de {source} tiene ejecuciones válidas aquí: no hay comparación posible.");
            return;
        }
        var tested = models.Where(c => c.PHolm is not null).ToList();
        var differ = tested.Where(c => c.Significant).ToList();
        f.Add($"Comparadas con {source}, nuestras medias por modelo difieren entre {Signed(models.Min(c => c.Difference!.Value))} y {Signed(models.Max(c => c.Difference!.Value))} ({models.Count} de {r.Models.Count} modelos)" +
              (tested.Count == 0 ? "; sin las ejecuciones publicadas no hay prueba de esas diferencias."
                  : differ.Count == 0 ? $"; ninguna diferencia es significativa al 5 % (t de Welch contra las ejecuciones publicadas, Holm sobre {tested.Count} modelos)."
                  : $"; {differ.Count} de {tested.Count} son significativas al 5 % (t de Welch contra las ejecuciones publicadas, Holm): {string.Join(", ", differ.Select(c => $"{N(c.Model)} ({Signed(c.Difference!.Value)})"))}."));
        foreach (var group in r.Claims.GroupBy(c => c.Factor))
        {
            var factor = group.Key;
            string List(string verdict) => string.Join(", ", group.Where(c => c.Verdict == verdict).Select(c => $"{N(c.ModelA)} frente a {N(c.ModelB)}"));
            var published = group.Select(c => $"{N(c.ModelA)} {(c.Published >= 0 ? ">" : "<")} {N(c.ModelB)} ({Signed(c.Published)})");
            var parts = new List<string>();
            foreach (var (verdict, words) in new[] { (PublishedClaim.Confirmed, "se confirma"), (PublishedClaim.Contradicted, "se contradice"), (PublishedClaim.Unsettled, "nuestros datos no lo deciden") })
                if (group.Count(c => c.Verdict == verdict) is var n and > 0) parts.Add($"{words} en {n} ({List(verdict)})");
            f.Add($"{FactorName(factor)}: el estudio publicó {string.Join("; ", published)}; {string.Join("; ", parts)}.");
        }
    }

    public static string Signed(double value) => value.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture);
}
