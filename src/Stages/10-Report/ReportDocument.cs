using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Lmev.Pipeline;
using Lmev.Pipeline.Results;
using static Lmev.Pipeline.Results.SpanishLabels;

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
    };

    private readonly StringBuilder _md = new();

    public string Write()
    {
        Line($"# {Title}");
        Line();
        Line($"Experimento **`{p.Experiment}`**: {p.Description}");
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
            Line($"Origen: {p.Dataset}. Se tomaron {Int(p.SampleRows)} filas en español: el {Pct(p.ValidationFraction)} ({Int(val)}) para validación " +
                 $"y {Int(rest - val)} para entrenamiento. El test es fijo: las {Int(t.Rows)} filas de `{t.Source}` (data.lock.json), con el mismo filtro; " +
                 $"todos los modelos se evalúan sobre exactamente esas filas. {shared}");
            Line();
            Line($"De las filas de test, {Int(t.CategoryNotInTrain)} tienen una categoría que no aparece en entrenamiento (se conservan; ningún modelo puede acertarlas) " +
                 $"y {Int(t.TitlesInTrain)} tienen un título que también está en entrenamiento.");
            Line();
        }
        else
        {
            Line($"Origen: {p.Dataset}. Se tomaron {Int(p.SampleRows)} filas en español; {Int(p.TestRows)} para test y, del resto, " +
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
                p.Lock.Select(e => (IReadOnlyList<string>)[e.Key, e.Value.Url, e.Value.Sha256 == "" ? "(sin fijar)" : $"`{e.Value.Sha256}`", Int(e.Value.Size)])));
            Line();
        }
    }

    private void Models()
    {
        Heading(2);
        var models = rows.GroupBy(r => r.Model, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var r = g.FirstOrDefault(x => x.Language is not null);
            return (IReadOnlyList<string>)[g.Key, r?.Language is { } l ? Language(l) : "?", r?.Dim?.ToString(CultureInfo.InvariantCulture) ?? "?",
                r?.Normalization is { } n ? (n ? "sí" : "no") : "?", r?.Mode ?? "?", s.IsBaseline(g.Key) ? "sí" : "no", $"{g.Count(x => x.IsOk)} de {g.Count()}"];
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
        var seeds = rows.Where(r => r.Seed is not null).Select(r => r.Seed!.Value).Distinct().Order().ToList();
        Line($"{Int(s.Runs)} ejecuciones esperadas ({rows.Select(r => r.Model).Distinct().Count()} modelos × {p.Runs} ejecuciones), {Int(s.Ok)} válidas.");
        Line();
        Line(seeds.Count == 0
            ? "Semillas: no registradas por las ejecuciones."
            : $"Semillas registradas: {string.Join(", ", seeds.Take(40))}{(seeds.Count > 40 ? ", …" : "")} (cada ejecución en [la tabla completa](#todas-las-ejecuciones)).");
        Line();
        var devices = rows.Where(r => r.Device is not null).GroupBy(r => r.Device!).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({g.Count()} ejecuciones{(g.Any(r => r.Threads is not null) ? $", {string.Join("/", g.Select(r => r.Threads).Distinct())} hilos" : "")})");
        var deviceList = string.Join("; ", devices);
        Line($"Dispositivos: {(deviceList == "" ? "no registrados" : deviceList)}.");
        Line();
        var versions = s.Versions.Select(v => $"{v.Key} {string.Join(" / ", v.Value)}")
            .Append($".NET {Environment.Version}").Append($"lmev {HostInfo.LmevVersion} (informe)");
        Line($"Software: {string.Join(", ", versions)}. Código: commit `{p.GitCommit}`.");
        Line();
    }

    private void Results()
    {
        Heading(5);
        Line("Precisión balanceada en test sobre las ejecuciones válidas; desviación estándar muestral (n − 1), indefinida con una sola ejecución.");
        Line();
        Line("### Por modelo");
        Line();
        StatsTable("Modelo", s.Models, k => s.IsBaseline(k) ? $"{k} (línea base)" : k);
        Line("### Por idioma");
        Line();
        StatsTable("Idioma", s.Languages, Language);
        if (s.Dims.Count > 1) { Line("### Por dimensión"); Line(); StatsTable("Dimensión", s.Dims, k => k); }
        if (s.Normalizations.Count > 1) { Line("### Por normalización"); Line(); StatsTable("Normalización", s.Normalizations, Normalization); }
        if (s.Modes.Count > 1) { Line("### Por modo"); Line(); StatsTable("Modo", s.Modes, k => k); }
        Line("### Por dispositivo");
        Line();
        _md.Append(MarkdownTable.Of(["Dispositivo", "n", "Media BAC", "Tiempo medio de entrenamiento (s)"], "lrrr",
            s.Devices.Select(g => (IReadOnlyList<string>)[g.Key, Int(g.N), Number(g.Mean), g.MeanTrainSeconds is { } t ? Seconds(t) : "—"])));
        Line();
        if (s.Reference is { } r)
        {
            Line($"### Comparación con {r.Source}");
            Line();
            _md.Append(MarkdownTable.Of(["Modelo o idioma", "Nuestra media", "Publicada", "Diferencia"], "lrrr",
                r.Models.Concat(r.Languages.Select(c => c with { Key = Language(c.Key) }))
                    .Select(c => (IReadOnlyList<string>)[c.Key, Number(c.Ours, "sin ejecuciones"), Number(c.Theirs), c.Difference is { } d ? Findings.Signed(d) : "—"])));
            Line();
        }
        if (s.Excluded.Count > 0)
        {
            Line("### Ejecuciones excluidas de las medias");
            Line();
            _md.Append(MarkdownTable.Of(["Modelo", "Ejecución", "Estado"], "lrl",
                s.Excluded.Select(e => (IReadOnlyList<string>)[e.Model, Int(e.Run), e.Status])));
            Line();
        }
    }

    /// <summary>One row per group, best mean first; a group with no usable run last.</summary>
    private void StatsTable(string what, IEnumerable<GroupStats> groups, Func<string, string> name)
    {
        _md.Append(MarkdownTable.Of([what, "n", "Media BAC", "Desv. est.", "Mín", "Máx", "Excluidas"], "lrrrrrr",
            groups.OrderByDescending(g => g.Mean ?? double.NegativeInfinity).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => (IReadOnlyList<string>)[name(g.Key), Int(g.N), Number(g.Mean), g.N == 0 ? "—" : Number(g.Std, "indefinida"),
                Number(g.Min), Number(g.Max), Int(g.Excluded)])));
        Line();
    }

    private void Figures()
    {
        Heading(6);
        if (figures.Count == 0) { Line("No se generaron figuras."); Line(); return; }
        foreach (var file in figures)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var caption = Captions.GetValueOrDefault(name, name);
            Line($"![{caption}]({file})");
            Line();
            Line($"*{caption}* (`{name}`)");
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
        _md.Append(MarkdownTable.Of(["Modelo", "Ejecución", "Semilla", "BAC", "Exactitud", "F1 macro", "Épocas", "Mejor pérdida val.", "Entrenamiento (s)", "Dispositivo", "Estado"], "lrrrrrrrrll",
            rows.Select(r => (IReadOnlyList<string>)[r.Model, Int(r.Run), r.Seed?.ToString(CultureInfo.InvariantCulture) ?? "—", Number(r.TestBac), Number(r.Accuracy),
                Number(r.MacroF1), r.EpochsRun?.ToString(CultureInfo.InvariantCulture) ?? "—", Number(r.BestValLoss), r.TrainSeconds is { } t ? Seconds(t) : "—",
                r.Device ?? "—", r.Status])));
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

    // Spanish groups thousands with a (no-break) space, since the decimal mark here is the point: 1 000 000.
    private static string Int(long value) => value.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '\u00A0');

    private static string Pct(double fraction) => (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %";

    private static string Range(IEnumerable<long?> values)
    {
        var known = values.OfType<long>().ToList();
        if (known.Count == 0) return "?";
        var (min, max) = (known.Min(), known.Max());
        return min == max ? Int(min) : $"{Int(min)}–{Int(max)}";
    }
}
