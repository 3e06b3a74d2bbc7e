using System.Globalization;
using Lmev.Pipeline.Results;
using static Lmev.Pipeline.Results.SpanishLabels;

namespace Lmev.Stages.Report;

/// <summary>
/// The report's findings, each sentence computed from summary.json and none written in advance: a
/// comparison is only stated when both sides have usable runs, and it is called "no concluyente"
/// when the difference of the means is smaller than the pooled standard deviation of the runs
/// (Cohen's d &lt; 1), or when a side has a single run and so no spread at all.
/// </summary>
public static class Findings
{
    public static IReadOnlyList<string> From(RunSummary s)
    {
        var f = new List<string>();
        BestModel(s, f);
        Baseline(s, f);
        Compare(s.Languages, LanguagePhrase, f);
        Compare(s.Dims, k => $"de dimensión {k}", f);
        Compare(s.Normalizations, k => k == "true" ? "con normalización" : k == "false" ? "sin normalización" : k, f);
        Compare(s.Modes, k => k switch { "frozen" => "con embeddings congelados (frozen)", "fine-tune" => "con embeddings ajustados (fine-tune)", _ => $"en modo {k}" }, f);
        Time(s, f);
        Undefined(s, f);
        Excluded(s, f);
        Reference(s, f);
        return f;
    }

    public static string LanguagePhrase(string code) => code switch
    {
        "es" => "en español",
        "en" => "en inglés",
        "pt" => "en portugués",
        "none" => "sin preentrenar (aleatorios)",
        _ => $"en '{code}'",
    };

    private static List<GroupStats> Usable(IEnumerable<GroupStats> groups) =>
        groups.Where(g => g.N > 0).OrderByDescending(g => g.Mean).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();

    /// <summary>The embedding models (every model but the baselines), which the findings rank.</summary>
    private static IEnumerable<GroupStats> Embeddings(RunSummary s) => s.Models.Where(g => !s.IsBaseline(g.Key));

    /// <summary>The best embedding model against the best baseline, with the same rule as every other comparison.</summary>
    private static void Baseline(RunSummary s, List<string> f)
    {
        var baseline = Usable(s.Models.Where(g => s.IsBaseline(g.Key))).FirstOrDefault();
        var embedding = Usable(Embeddings(s)).FirstOrDefault();
        if (baseline is null || embedding is null) return;
        var (top, other) = embedding.Mean >= baseline.Mean ? (embedding, baseline) : (baseline, embedding);
        f.Add($"Frente a la línea base: el mejor modelo de embeddings, {embedding.Key}, obtuvo BAC media = {Number(embedding.Mean)}, y la mejor línea base, " +
              $"{baseline.Key}, {Number(baseline.Mean)} ({Spread(baseline)}); {(top == embedding ? "el modelo de embeddings supera a la línea base" : "la línea base supera al mejor modelo de embeddings")}: " +
              $"{Verdict(top, other)}.");
    }

    private static void BestModel(RunSummary s, List<string> f)
    {
        var models = Usable(Embeddings(s));
        if (models.Count == 0)
        {
            f.Add($"Ninguna de las {s.Runs} ejecuciones fue válida: no hay resultados que comparar.");
            return;
        }
        var best = models[0];
        if (models.Count == 1)
        {
            f.Add($"Solo un modelo tiene ejecuciones válidas: {best.Key}, con BAC media = {Number(best.Mean)} ({Spread(best)}); no hay otro con qué compararlo.");
            return;
        }
        var second = models[1];
        var verdict = Verdict(best, second);
        f.Add($"El mejor modelo fue {best.Key}, con BAC media = {Number(best.Mean)} ({Spread(best)}), frente a {Number(second.Mean)} de {second.Key}, el segundo; {verdict}.");
        var worst = models[^1];
        if (models.Count > 2)
            f.Add($"El peor fue {worst.Key}, con BAC media = {Number(worst.Mean)}; entre el mejor y el peor hay {Number(best.Mean!.Value - worst.Mean!.Value)} de diferencia.");
    }

    /// <summary>The group with the highest mean against each other group, one sentence each; nothing when fewer than two groups have usable runs.</summary>
    private static void Compare(IEnumerable<GroupStats> groups, Func<string, string> phrase, List<string> f)
    {
        var usable = Usable(groups);
        if (usable.Count < 2) return;
        var top = usable[0];
        foreach (var other in usable.Skip(1))
            f.Add($"Los modelos {phrase(top.Key)} promediaron BAC = {Number(top.Mean)} frente a {Number(other.Mean)} de los modelos {phrase(other.Key)}; {Verdict(top, other)}.");
    }

    /// <summary>Whether the difference between two groups' means stands out from the spread of their runs.</summary>
    public static bool IsConclusive(GroupStats a, GroupStats b) => PooledStd(a, b) is { } pooled && Math.Abs(a.Mean!.Value - b.Mean!.Value) >= pooled;

    private static double? PooledStd(GroupStats a, GroupStats b)
    {
        if (a.Std is not { } sa || b.Std is not { } sb) return null;
        return Math.Sqrt(((a.N - 1) * sa * sa + (b.N - 1) * sb * sb) / (a.N + b.N - 2));
    }

    private static string Verdict(GroupStats a, GroupStats b)
    {
        var diff = a.Mean!.Value - b.Mean!.Value;
        if (PooledStd(a, b) is not { } pooled)
            return $"la diferencia ({Number(diff)}) es no concluyente: con una sola ejecución válida la dispersión no está definida";
        if (Math.Abs(diff) < pooled)
            return $"la diferencia ({Number(diff)}) es no concluyente: menor que la desviación estándar combinada de las ejecuciones ({Number(pooled)})";
        var times = (Math.Abs(diff) / pooled).ToString("0.0", CultureInfo.InvariantCulture);
        return $"la diferencia ({Number(diff)}) es {times} veces la desviación estándar combinada de las ejecuciones ({Number(pooled)})";
    }

    private static string Spread(GroupStats g) => g.Std is { } std ? $"± {Number(std)}, n = {g.N}" : $"n = {g.N}, desviación estándar indefinida";

    private static void Time(RunSummary s, List<string> f)
    {
        var devices = s.Devices.Where(d => d.MeanTrainSeconds is not null).OrderBy(d => d.MeanTrainSeconds).ToList();
        if (devices.Count == 0) return;
        if (devices.Count == 1)
        {
            f.Add($"Todas las ejecuciones válidas entrenaron en {devices[0].Key}: {Seconds(devices[0].MeanTrainSeconds!.Value)} s por ejecución en promedio.");
            return;
        }
        var fastest = devices[0];
        var others = devices.Skip(1).Select(d =>
            $"{Seconds(d.MeanTrainSeconds!.Value)} s en {d.Key} ({(d.MeanTrainSeconds!.Value / fastest.MeanTrainSeconds!.Value).ToString("0.00", CultureInfo.InvariantCulture)} veces más)");
        f.Add($"El entrenamiento tardó en promedio {Seconds(fastest.MeanTrainSeconds!.Value)} s por ejecución en {fastest.Key}, frente a {string.Join(" y ", others)}; los dispositivos no entrenaron necesariamente los mismos modelos.");
    }

    private static void Undefined(RunSummary s, List<string> f)
    {
        var single = s.Models.Where(g => g.N == 1).Select(g => g.Key).ToList();
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
            _ => $"{c.Value} con estado {c.Key}",
        });
        f.Add($"{s.Excluded.Count} de {s.Runs} ejecuciones se excluyeron de las medias: {string.Join(", ", parts)}.");
    }

    private static void Reference(RunSummary s, List<string> f)
    {
        if (s.Reference is not { } r) return;
        var models = r.Models.Where(c => c.Difference is not null).ToList();
        if (models.Count == 0)
        {
            f.Add($"Ningún modelo de {r.Source} tiene ejecuciones válidas aquí: no hay comparación posible.");
            return;
        }
        var largest = models.MaxBy(c => Math.Abs(c.Difference!.Value))!;
        f.Add($"Comparadas con {r.Source}, nuestras medias por modelo difieren entre {Signed(models.Min(c => c.Difference!.Value))} y {Signed(models.Max(c => c.Difference!.Value))} " +
              $"({models.Count} de {r.Models.Count} modelos; la mayor diferencia absoluta es la de {largest.Key}, {Signed(largest.Difference!.Value)}).");
        var theirBest = r.Models.MaxBy(c => c.Theirs)!;
        var ourBest = Usable(Embeddings(s)).FirstOrDefault();
        if (ourBest is not null && theirBest.Ours is not null)
            f.Add(theirBest.Key == ourBest.Key
                ? $"El mejor modelo publicado, {theirBest.Key}, es también nuestro mejor."
                : $"El mejor modelo publicado, {theirBest.Key}, no es nuestro mejor: aquí lo es {ourBest.Key}.");
        var languages = r.Languages.Where(c => c.Ours is not null).ToList();
        if (languages.Count >= 2)
        {
            var theirOrder = languages.OrderByDescending(c => c.Theirs).Select(c => c.Key).ToList();
            var ourOrder = languages.OrderByDescending(c => c.Ours).Select(c => c.Key).ToList();
            var order = string.Join(" > ", ourOrder.Select(Language));
            f.Add(theirOrder.SequenceEqual(ourOrder)
                ? $"El orden entre idiomas ({order}) coincide con el publicado."
                : $"El orden entre idiomas no coincide con el publicado: aquí {order}, allí {string.Join(" > ", theirOrder.Select(Language))}.");
        }
    }

    public static string Signed(double value) => value.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture);
}
