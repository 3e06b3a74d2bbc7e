using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Lmev.Pipeline;
using Lmev.Contracts.Results;
using static Lmev.Contracts.Results.SpanishLabels;

namespace Lmev.Stages.Report;

/// <summary>
/// README.md, the results document, in Spanish and in the order of the original study: objective,
/// data, models, network, how the experiments ran, results, figures, findings, every run.
/// </summary>
internal sealed class ReportDocument(ReportParams p, RunSummary s, IReadOnlyList<RunRow> rows, IReadOnlyList<string> figures, IReadOnlyList<string> findings)
{
    public const string Title = "Evaluación de Modelos de Lenguaje en Español para Tareas de Clasificación Multiclase";

    private static readonly Dictionary<string, string> Captions = new(StringComparer.Ordinal)
    {
        ["bac_by_lang"] = "Precisión balanceada de cada ejecución según el idioma del modelo; la línea negra es la media del grupo.",
        ["bac_by_lm"] = "Precisión balanceada media por modelo (barras) con ±1 desviación estándar; cada punto es una ejecución.",
        ["loss_vs_bac"] = "Mejor pérdida de validación frente a precisión balanceada en test; un punto por ejecución.",
        ["loss_training_curve"] = "Pérdida de entrenamiento (continua) y de validación (discontinua) por época, media de las ejecuciones de cada modelo.",
        ["bac_vs_time"] = "Precisión balanceada frente al tiempo de entrenamiento; el color indica el modelo y la forma, el dispositivo.",
        ["recall_vs_frequency"] = "Recall de cada clase del mejor modelo frente a su número de filas de entrenamiento (escala logarítmica); un punto por clase.",
        ["published_vs_ours"] = "Ejecuciones publicadas (rombos) y nuestras (círculos) por modelo, con la media y el IC 95 % de las nuestras.",
    };

    private readonly StringBuilder _md = new();

    public string Write()
    {
        Line($"# {Title}");
        Line();
        Line($"Experimento **{E(p.Experiment)}**: {E(p.Description)}");
        Line();
        Line($"Resultados generados por lmev {HostInfo.LmevVersion} desde el commit `{p.GitCommit}`.");
        Line();
        Contents();
        Objective();
        Data();
        Models();
        Network();
        Runs();
        Results();
        Figures();
        FindingsSection();
        AllRuns();
        Reproduce();
        return _md.ToString();
    }

    private static readonly (string Heading, string Anchor)[] Sections =
    [
        ("Objetivo", "objetivo"), ("Datos", "datos"), ("Modelos", "modelos"), ("Arquitectura de la red", "arquitectura-de-la-red"),
        ("Cómo se ejecutaron los experimentos", "cómo-se-ejecutaron-los-experimentos"), ("Resultados", "resultados"), ("Figuras", "figuras"),
        ("Hallazgos", "hallazgos"), ("Todas las ejecuciones", "todas-las-ejecuciones"), ("Cómo reproducirlo", "cómo-reproducirlo"),
    ];

    private void Contents()
    {
        foreach (var (heading, anchor) in Sections) Line($"- [{heading}](#{anchor})");
        Line();
    }

    private void Heading(int index)
    {
        Line($"## {Sections[index].Heading}");
        Line();
    }

    private void Objective()
    {
        Heading(0);
        Line("Determinar qué modelo de lenguaje (embeddings de texto) sirve mejor para clasificar títulos cortos de productos " +
             "en español en sus categorías, una tarea de clasificación multiclase con muchas clases desbalanceadas. " +
             "La métrica es la **precisión balanceada** (BAC) sobre el conjunto de test: la media del recall de cada clase " +
             "presente en el test (definición de scikit-learn), que no premia acertar solo las clases frecuentes. " +
             $"Cada modelo se entrena {p.Runs} {(p.Runs == 1 ? "vez" : "veces")} con semillas distintas y se informa cada ejecución, no solo la media.");
        Line();
    }

    private void Data()
    {
        Heading(1);
        var rest = p.SampleRows - p.TestRows;
        var val = (long)Math.Round(rest * p.ValidationFraction, MidpointRounding.AwayFromZero);
        var shared = p.Resample ? "Cada corrida usó su propia muestra (remuestreo por corrida)." : "Las corridas comparten una misma partición (diseño pareado).";
        if (p.TestSource is { } t)
        {
            Line($"Origen: {E(p.Dataset)}. Se tomaron {Int(p.SampleRows)} filas en español: el {Pct(p.ValidationFraction)} ({Int(val)}) para validación " +
                 $"y {Int(rest - val)} para entrenamiento. El test es fijo: las {Int(t.Rows)} filas de `{E(t.Source)}` (data.lock.json), con el mismo filtro; " +
                 $"todos los modelos se evalúan sobre exactamente esas filas. {shared}");
            Line();
            Line($"De las filas de test, {Int(t.CategoryNotInTrain)} tienen una categoría que no aparece en entrenamiento (se conservan; ningún modelo puede acertarlas) " +
                 $"y {Int(t.TitlesInTrain)} tienen un título que también está en entrenamiento.");
            Line();
        }
        else
        {
            Line($"Origen: {E(p.Dataset)}. Se tomaron {Int(p.SampleRows)} filas en español; {Int(p.TestRows)} para test y, del resto, " +
                 $"el {Pct(p.ValidationFraction)} ({Int(val)}) para validación y {Int(rest - val)} para entrenamiento. {shared}");
            Line();
        }
        var ok = rows.Where(r => r.IsOk).ToList();
        if (ok.Count > 0)
        {
            Line($"Según las ejecuciones: {Range(ok.Select(r => r.TrainRows))} filas de entrenamiento, {Range(ok.Select(r => r.ValRows))} de validación, " +
                 $"{Range(ok.Select(r => r.TestRows))} de test y {Range(ok.Select(r => (long?)r.Classes))} clases.");
            Line();
        }
        if (p.Lock.Count > 0)
        {
            Line("Fuentes fijadas en `data.lock.json` (se verifican por SHA-256 al descargarlas):");
            Line();
            _md.Append(MarkdownTable.Of(["Fuente", "URL", "SHA-256", "Tamaño (bytes)"], "lllr",
                p.Lock.Select(e => (IReadOnlyList<string>)[E(e.Key), E(e.Value.Url), e.Value.Sha256 == "" ? "(sin fijar)" : $"`{e.Value.Sha256}`", Int(e.Value.Size)])));
            Line();
        }
    }

    private void Models()
    {
        Heading(2);
        var models = rows.GroupBy(r => r.Model, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var r = g.FirstOrDefault(x => x.Language is not null);
            return (IReadOnlyList<string>)[E(g.Key), r?.Language is { } l ? E(Language(l)) : "?", r?.Dim?.ToString(CultureInfo.InvariantCulture) ?? "?",
                r?.Normalization is { } n ? (n ? "sí" : "no") : "?", r?.Mode is { } mode ? E(mode) : "?", s.IsBaseline(g.Key) ? "sí" : "no", $"{g.Count(x => x.IsOk)} de {g.Count()}"];
        });
        _md.Append(MarkdownTable.Of(["Modelo", "Idioma", "Dimensión", "Normalización", "Modo", "Línea base", "Ejecuciones válidas"], "llrlllr", models));
        Line();
        Line("Normalización: el modelo elimina la puntuación antes de separar en palabras. Modo `frozen`: los embeddings se calculan una vez " +
             "y quedan fijos; `fine-tune`: la tabla de embeddings se entrena junto con la red, como en el estudio original.");
        Line();
        if (s.Baselines is { Count: > 0 } baselines)
        {
            Line($"Líneas base ({string.Join(", ", baselines.Select(b => $"`{b}`"))}): no son modelos de embeddings sino el clasificador supervisado de fastText " +
                 "(palabras y n-gramas de palabras en filas con hash, su media, una capa lineal y softmax, SGD con tasa que decrece linealmente hasta 0), " +
                 "entrenado por lmev con sus propios parámetros (modo `supervised`), sin la red del estudio. Se comparan con los modelos pero no entran " +
                 "en las medias por idioma, dimensión, normalización ni modo.");
            Line();
        }
    }

    private void Network()
    {
        Heading(3);
        string T(string key, string fallback = "?") => p.Train?[key]?.ToString() ?? fallback;
        Line($"Sobre el embedding de cada título: Dense {T("hidden")} ReLU → Dropout {T("dropout")} → Dense {T("hidden")} ReLU → " +
             $"Dropout {T("dropout")} → Dense (una salida por clase) con softmax. Adam con tasa de aprendizaje {T("learningRate")}, " +
             $"entropía cruzada, lotes de {T("batchSize")}, hasta {T("epochs")} épocas, parada temprana sobre la pérdida de validación " +
             $"con paciencia {T("patience")} y restauración de los mejores pesos.");
        Line();
        if (p.Train is { Count: > 0 } train)
        {
            _md.Append(MarkdownTable.Of(["Parámetro", "Valor"], "lr",
                train.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value?.ToJsonString() ?? "null"])));
            Line();
        }
    }

    private void Runs()
    {
        Heading(4);
        var seeds = rows.Where(r => r.Seed is not null).Select(r => r.Seed!.Value).Distinct().Count();
        Line($"{Int(s.Runs)} ejecuciones esperadas ({rows.Select(r => r.Model).Distinct().Count()} modelos × {p.Runs} ejecuciones), {Int(s.Ok)} válidas.");
        Line();
        // The seeds themselves are in the runs table, one per run: a list of 28 numbers here only stood between the reader and the prose.
        Line(seeds == 0
            ? "Semillas: no registradas por las ejecuciones."
            : $"Cada ejecución registra su semilla ({Int(seeds)} {(seeds == 1 ? "semilla distinta" : "semillas distintas")}): columna «Semilla» de [la tabla de todas las ejecuciones](#todas-las-ejecuciones).");
        Line();
        var devices = rows.Where(r => r.Device is not null).GroupBy(r => r.Device!).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{E(g.Key)} ({g.Count()} ejecuciones{(g.Any(r => r.Threads is not null) ? $", {string.Join("/", g.Select(r => r.Threads).Distinct())} hilos" : "")})");
        var deviceList = string.Join("; ", devices);
        Line($"Dispositivos: {(deviceList == "" ? "no registrados" : deviceList)}.");
        Line();
        var versions = s.Versions.Select(v => E($"{v.Key} {string.Join(" / ", v.Value)}"))
            .Append($".NET {Environment.Version}").Append($"lmev {HostInfo.LmevVersion} (informe)");
        Line($"Software: {string.Join(", ", versions)}. Código: commit `{p.GitCommit}`.");
        Line();
    }

    private static string E(string text) => MarkdownText.Escape(text);

    private void Results()
    {
        Heading(5);
        Line("Precisión balanceada en test sobre las ejecuciones válidas, con su intervalo de confianza del 95 % " +
             "(t de Student sobre las ejecuciones; con una sola ejecución, bootstrap estratificado por clase sobre los títulos de test). " +
             "No se promedian grupos de modelos distintos: cada factor se compara solo entre modelos que difieren únicamente en él.");
        Line();
        if (s.Models.Any(m => m.Interval == "bootstrap") || s.Comparisons.Any(c => c.Test == PairComparison.PairedBootstrap))
        {
            Line(BootstrapNote);
            Line();
        }
        Line("### Por modelo");
        Line();
        _md.Append(MarkdownTable.Of(["Modelo", "n", "Media BAC", "IC 95 %", "Desv. est.", "Mín", "Máx", "Excluidas"], "lrrrrrrr",
            s.Models.OrderByDescending(g => g.Mean ?? double.NegativeInfinity).ThenBy(g => g.Model, StringComparer.Ordinal).Select(g => (IReadOnlyList<string>)[s.IsBaseline(g.Model) ? $"{E(g.Model)} (línea base)" : E(g.Model), Int(g.N), Number(g.Mean),
                g.Low is { } lo && g.High is { } hi ? $"{Number(lo)} – {Number(hi)}{(g.Interval == "bootstrap" ? " (bootstrap)" : "")}" : "—",
                g.N == 0 ? "—" : Number(g.Std, "indefinida"), Number(g.Min), Number(g.Max), Int(g.Excluded)])));
        Line();
        Comparisons();
        Health();
        Errors();
        Line("### Tiempo por dispositivo");
        Line();
        _md.Append(MarkdownTable.Of(["Dispositivo", "Ejecuciones válidas", "Tiempo medio de entrenamiento (s)"], "lrr",
            s.Devices.Select(g => (IReadOnlyList<string>)[E(g.Key), Int(g.N), g.MeanTrainSeconds is { } t ? Seconds(t) : "—"])));
        Line();
        Reference();
        if (s.Excluded.Count > 0)
        {
            Line("### Ejecuciones excluidas de las medias");
            Line();
            _md.Append(MarkdownTable.Of(["Modelo", "Ejecución", "Estado"], "lrl",
                s.Excluded.Select(e => (IReadOnlyList<string>)[E(e.Model), Int(e.Run), E(e.Status)])));
            Line();
        }
    }

    private void Comparisons()
    {
        Line("### Comparaciones entre modelos comparables");
        Line();
        var design = s.Design == RunSummary.Independent
            ? "Cada ejecución usó su propia muestra: las ejecuciones son independientes y cada diferencia se prueba con la t de Welch."
            : "Las ejecuciones comparten la partición (mismos títulos de test): cada diferencia se prueba con un bootstrap pareado estratificado por clase " +
              "(se remuestrean los títulos dentro de cada clase, los mismos para ambos modelos, y las ejecuciones de cada modelo; semilla fija).";
        Line($"{design} Los valores p se corrigen por comparaciones múltiples con el método de Holm; significativa: p de Holm < 0.05. Diferencia = A − B.");
        Line();
        if (s.Comparisons.Count == 0) { Line("Ningún par de modelos difiere en un solo factor: no hay comparaciones."); Line(); return; }
        // What a reader looks for first — the difference, its interval and whether it holds after Holm — comes right after the two models.
        // Each model's mean goes in its cell, so that the table fits a 1280 px page without scrolling sideways.
        _md.Append(MarkdownTable.Of(["Factor", "A (media BAC)", "B (media BAC)", "Diferencia", "IC 95 %", "p de Holm", "¿Significativa?", "Prueba", "p"], "lllrrrllr",
            s.Comparisons.Select(c => (IReadOnlyList<string>)[Findings.FactorName(c.Factor),
                $"{E(c.ModelA)} ({Findings.LevelName(c.Factor, c.LevelA)}): {Number(c.MeanA)}", $"{E(c.ModelB)} ({Findings.LevelName(c.Factor, c.LevelB)}): {Number(c.MeanB)}",
                Findings.Signed(c.Difference), c.Low is { } lo && c.High is { } hi ? $"{Findings.Signed(lo)} a {Findings.Signed(hi)}" : "—",
                c.PHolm is { } ph ? Findings.P(ph) : "—", c.Significant ? "sí" : "no", TestCell(c), c.P is { } p0 ? Findings.P(p0) : "—"])));
        Line();
    }

    /// <summary>The test and, for a t-test, its statistic and degrees of freedom, in one cell that may wrap.</summary>
    private static string TestCell(PairComparison c) => c.Test switch
    {
        PairComparison.Welch when c.Statistic is { } t && c.Df is { } df =>
            $"t de Welch (t = {t.ToString("0.00", CultureInfo.InvariantCulture)}, gl = {df.ToString("0.0", CultureInfo.InvariantCulture)})",
        PairComparison.Welch => "t de Welch",
        PairComparison.PairedBootstrap => "bootstrap pareado por clase",
        _ => "ninguna",
    };

    /// <summary>Which bootstrap the intervals and paired tests over test titles use, and why.</summary>
    public const string BootstrapNote =
        "El bootstrap sobre los títulos de test está estratificado por clase: los títulos se remuestrean dentro de cada clase verdadera, " +
        "así que cada clase conserva su número de títulos y está en todas las remuestras. La BAC promedia el recall de las clases; " +
        "si se remuestrearan los títulos sin mirar la clase, una clase con uno o dos títulos de test faltaría en buena parte de las remuestras, " +
        "y como las clases raras son las de menor recall, cada remuestra sesgaría la BAC hacia arriba (con muchas clases raras, el intervalo " +
        "llega a quedar por encima de la propia estimación). La dispersión dentro de cada clase se reescala por √(n/(n − 1)) (Rao y Wu, 1988) " +
        "y las clases con un solo título de test se remuestrean juntas, para que el intervalo no subestime la variabilidad de la estimación.";

    private void Health()
    {
        if (s.Health.Count == 0) return;
        Line("### Cómo terminó el entrenamiento");
        Line();
        Line("«Aún mejorando»: la ejecución usó todas las épocas permitidas y su pérdida de validación seguía bajando en la última (posiblemente subentrenada). " +
             "«Parada temprana»: se detuvo antes del límite, en la época indicada.");
        Line();
        _md.Append(MarkdownTable.Of(["Modelo", "Ejecuciones", "Aún mejorando", "Parada temprana", "Épocas de parada", "Sin curva registrada"], "lrrrlr",
            s.Health.Select(h => (IReadOnlyList<string>)[E(h.Model), Int(h.Runs), Int(h.StillImproving), Int(h.StoppedEarly),
                string.Join(", ", s.RunHealth.Where(r => r.Model == h.Model && r.StoppedEarlyAt is not null).Select(r => $"{r.StoppedEarlyAt} (ej. {r.Run})")) is { Length: > 0 } e ? e : "—",
                Int(h.Unknown)])));
        Line();
    }

    private void Errors()
    {
        if (s.Best is not { } b) return;
        Line($"### Dónde se equivoca el mejor modelo ({E(b.Model)})");
        Line();
        Line($"Recall por clase sobre los títulos de test de sus {b.Runs} {(b.Runs == 1 ? "ejecución" : "ejecuciones")} ({Int(b.Classes)} clases en test); " +
             $"el recall de cada modelo y clase está en [{PerClassTable.FileName}]({PerClassTable.FileName}).");
        Line();
        Line($"Las {b.Lowest.Count} clases con menor recall:");
        Line();
        _md.Append(MarkdownTable.Of(["Categoría", "Recall", "Títulos de test (soporte)", "Aciertos", "Filas de entrenamiento"], "lrrrr",
            b.Lowest.Select(c => (IReadOnlyList<string>)[E(c.Category), Number(c.Recall), Int(c.Support), Int(c.Correct), double.IsNaN(c.Train) ? "—" : c.Train.ToString("0.#", CultureInfo.InvariantCulture)])));
        Line();
        Line($"Las {b.Confusions.Count} confusiones más frecuentes (proporción: de los títulos de la clase verdadera):");
        Line();
        _md.Append(MarkdownTable.Of(["Clase verdadera", "Predicha", "Títulos", "Proporción"], "llrr",
            b.Confusions.Select(c => (IReadOnlyList<string>)[E(c.True), E(c.Predicted), Int(c.Count), Pct(c.Share)])));
        Line();
    }

    private void Reference()
    {
        if (s.Reference is not { } r) return;
        Line($"### Publicado frente a reproducido ({E(r.Source)})");
        Line();
        Line("Diferencia = nuestra media − la publicada; su intervalo y la t de Welch contra las ejecuciones publicadas, con corrección de Holm sobre los modelos.");
        Line();
        _md.Append(MarkdownTable.Of(["Modelo", "Publicada (media)", "Ejecuciones publicadas", "Nuestra media", "IC 95 %", "Diferencia", "IC 95 % de la diferencia", "p de Holm", "¿Significativa?"], "lrrrrrrrl",
            r.Models.Select(c => (IReadOnlyList<string>)[E(c.Model), Number(c.Published), Int(c.PublishedRuns), Number(c.Ours, "sin ejecuciones"),
                c.OursLow is { } lo && c.OursHigh is { } hi ? $"{Number(lo)} – {Number(hi)}" : "—",
                c.Difference is { } d ? Findings.Signed(d) : "—",
                c.Low is { } dl && c.High is { } dh ? $"{Findings.Signed(dl)} a {Findings.Signed(dh)}" : "—",
                c.PHolm is { } p ? Findings.P(p) : "—", c.PHolm is null ? "—" : c.Significant ? "sí" : "no"])));
        Line();
        if (r.Claims.Count > 0)
        {
            Line("Diferencias publicadas entre modelos comparables y lo que dicen nuestras ejecuciones:");
            Line();
            _md.Append(MarkdownTable.Of(["Factor", "A", "B", "Publicada (A − B)", "Nuestra (A − B)", "Veredicto"], "lllrrl",
                r.Claims.Select(c => (IReadOnlyList<string>)[Findings.FactorName(c.Factor), E(c.ModelA), E(c.ModelB), Findings.Signed(c.Published), Findings.Signed(c.Ours),
                    c.Verdict switch { PublishedClaim.Confirmed => "confirmada", PublishedClaim.Contradicted => "contradicha", _ => "no decidida" }])));
            Line();
        }
    }

    private void Figures()
    {
        Heading(6);
        if (figures.Count == 0) { Line("No se generaron figuras."); Line(); return; }
        foreach (var file in figures)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var caption = Captions.GetValueOrDefault(name, name);
            Line($"![{E(caption)}]({file})");
            Line();
            Line($"*{caption}* ({E(name)})");
            Line();
        }
    }

    private void FindingsSection()
    {
        Heading(7);
        foreach (var finding in findings) Line($"- {finding}");
        Line();
    }

    private void AllRuns()
    {
        Heading(8);
        Line($"Cada ejecución, también las excluidas ([runs.csv]({RunsTable.FileName}); resumen en [summary.json]({RunSummary.FileName})).");
        Line();
        // A seed is an identifier of up to 20 digits, not a quantity: shown as code, which may break, so that the table fits the page.
        _md.Append(MarkdownTable.Of(["Modelo", "Ejecución", "Semilla", "BAC", "Exactitud", "F1 macro", "Épocas", "Mejor pérdida val.", "Entrenamiento (s)", "Dispositivo", "Estado"], "lrlrrrrrrll",
            rows.Select(r => (IReadOnlyList<string>)[E(r.Model), Int(r.Run), r.Seed is { } seed ? $"`{seed.ToString(CultureInfo.InvariantCulture)}`" : "—", Number(r.TestBac), Number(r.Accuracy),
                Number(r.MacroF1), r.EpochsRun?.ToString(CultureInfo.InvariantCulture) ?? "—", Number(r.BestValLoss), r.TrainSeconds is { } t ? Seconds(t) : "—",
                r.Device is { } dev ? E(dev) : "—", E(r.Status)])));
        Line();
    }

    private void Reproduce()
    {
        Heading(9);
        Line("```");
        Line("dotnet tool restore");
        Line($"dotnet cake --target=Report --experiment={p.Experiment}");
        Line("```");
        Line();
        Line("Cada etapa se guarda en caché por contenido: repetir el comando solo recalcula lo que cambió.");
    }

    private void Line(string text = "") => _md.Append(text).Append('\n');

    /// <summary>How the report names generated demo data as its dataset (ReportParams.Dataset).</summary>
    public static string GeneratedDataset(ulong seed, long rows) => $"datos de demostración generados (semilla {seed}, {Int(rows)} filas)";

    // Spanish groups thousands with a (no-break) space, since the decimal mark here is the point: 1 000 000.
    /// <summary>A whole number as the Spanish report writes every number: groups of three digits parted by a no-break space.</summary>
    public static string Int(long value) => value.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '\u00A0');

    private static string Pct(double fraction) => (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %";

    private static string Range(IEnumerable<long?> values)
    {
        var known = values.OfType<long>().ToList();
        if (known.Count == 0) return "?";
        var (min, max) = (known.Min(), known.Max());
        return min == max ? Int(min) : $"{Int(min)}–{Int(max)}";
    }
}
