using System.Globalization;
using Lmev.Models.TensorFlow.Protos;
using Lmev.Pipeline;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// What importing a TF-Hub NNLM model takes from its folder: the recipe its graph specifies (<see cref="NnlmGraphReader"/>),
/// the vocabulary that recipe's table is filled from, and the rows of the variables its lookup gathers from, in the
/// order of the model's ids. Where the graph cannot be read (no saved_model.pb, bytes that do not parse, no signature),
/// lmev's layout and name rules stand in, and <see cref="GraphNote"/> says so.
/// </summary>
/// <param name="Vocabulary">The table's keys, row i first (line i of the vocabulary asset, or the constant keys by id).</param>
/// <param name="VocabularyFile">The asset file the vocabulary is, byte for byte, when it is; null when lmev derived the keys (a column, the first vocab_size lines, constants).</param>
/// <param name="Parts">Where each part of the table lies in the checkpoint, in partition order.</param>
/// <param name="GraphNote">Why the layout rules were used; null when the recipe came from the graph.</param>
public sealed record NnlmImport(
    HubModelLayout Layout, NnlmRecipe Recipe, IReadOnlyList<string> Vocabulary, string? VocabularyFile,
    IReadOnlyList<NnlmImport.TablePart> Parts, int Dim, string? GraphNote)
{
    /// <summary>One variable of the table: rows [Start, Start + Rows) of a checkpoint tensor (a Saver's slice, or all of it).</summary>
    public sealed record TablePart(TableVariable Variable, BundleTensor Tensor, long Start, long Rows);

    public int VocabularySize => Vocabulary.Count;

    public long Rows => Parts.Sum(p => p.Rows);

    public int NumOovBuckets => checked((int)(Rows - VocabularySize));

    public string DTypeName => Parts[0].Tensor.DTypeName;

    /// <summary>The table for messages: its key(s), dtype, shape, partitions and strategy.</summary>
    public string TableDescription
    {
        get
        {
            var keys = Parts.Select(p => p.Tensor.Key).Distinct().ToList();
            var name = keys.Count == 1 ? $"'{keys[0]}'" : $"'{keys[0]}' … '{keys[^1]}'";
            return Parts.Count == 1
                ? $"{name} {DTypeName} [{Rows.ToString("N0", CultureInfo.InvariantCulture)}, {Dim}]"
                : $"{name} {DTypeName} [{Rows.ToString("N0", CultureInfo.InvariantCulture)}, {Dim}] in {Parts.Count} partitions" +
                  (Recipe.Strategy is { } s ? $", '{s}' strategy" : "");
        }
    }

    /// <summary>Reads the recipe from the graph (or the layout rules where it cannot be read) and finds each part of the table.</summary>
    /// <param name="tensor">The experiment's <c>"tensor"</c>: with a graph recipe it must be the table the graph reads; without, it picks the table.</param>
    /// <param name="normalizeByName">Without a graph: whether to delete punctuation (the model's name says <c>-with-normalization</c>).</param>
    /// <param name="layoutRules">Use the layout and name rules even where the graph can be read (tests compare the two).</param>
    public static NnlmImport Plan(HubModelLayout layout, TensorBundleReader reader, string? tensor, bool normalizeByName = false, bool layoutRules = false)
    {
        var keys = reader.Tensors.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        SavedModel? graph = null;
        string? note = layoutRules ? "the layout rules were asked for" : null;
        if (!layoutRules)
        {
            try { graph = SavedModelGraph.Read(layout.SavedModelPath); }
            catch (LmevException e) { note = $"saved_model.pb could not be read ({e.Message})"; }
        }
        NnlmRecipe? recipe = null;
        if (graph is not null)
        {
            try { recipe = NnlmGraphReader.Read(graph, layout.SavedModelPath, layout.IsHubModule, keys); }
            catch (NnlmGraphReader.NoSignatureException e) { note = e.Message; }
        }
        return recipe is null ? ByLayout(layout, reader, tensor, normalizeByName, note!) : ByGraph(layout, reader, tensor, recipe);
    }

    private static NnlmImport ByGraph(HubModelLayout layout, TensorBundleReader reader, string? tensor, NnlmRecipe recipe)
    {
        var (vocabulary, file) = ReadVocabulary(layout, recipe.Vocabulary);
        var parts = recipe.Parts.Select(v => Part(layout, reader, v)).ToList();
        var dim = parts[0].Tensor.Shape[1];
        if (parts.FirstOrDefault(p => p.Tensor.Shape[1] != dim || p.Tensor.DType != parts[0].Tensor.DType) is { } odd)
            throw new LmevException($"{layout.VariablesPrefix}.index: the table's partitions differ: '{parts[0].Tensor.Key}' is {parts[0].Tensor}, '{odd.Tensor.Key}' is {odd.Tensor}; expected one width and dtype.");
        if (tensor is not null && !parts.Any(p => p.Tensor.Key == tensor))
            throw new LmevException($"{layout.SavedModelPath}: the experiment names the table \"tensor\": \"{tensor}\", but the graph's lookup reads " +
                $"{string.Join(", ", parts.Select(p => $"'{p.Tensor.Key}'").Distinct())}. The graph decides; remove \"tensor\" from the model entry.");
        var plan = new NnlmImport(layout, recipe, vocabulary, file, parts, checked((int)dim), null);
        plan.Check();
        if (recipe.NumOovBuckets is { } buckets && buckets != plan.Rows - plan.VocabularySize)
            throw new LmevException($"{layout.SavedModelPath}: the graph hashes unknown tokens into {buckets:N0} buckets (StringToHashBucketFast num_buckets), but the table " +
                $"{plan.TableDescription} minus the {plan.VocabularySize:N0} keys of {recipe.Vocabulary} leaves {plan.Rows - plan.VocabularySize:N0}. " +
                "The vocabulary, the table and the graph disagree; the model is damaged or not an NNLM text embedding.");
        if (recipe.Strategy is not null) plan.CheckPartitions();
        return plan;
    }

    private static TablePart Part(HubModelLayout layout, TensorBundleReader reader, TableVariable variable)
    {
        var t = reader.Get(variable.Key);
        if (t.Shape.Length != 2)
            throw new LmevException($"{layout.VariablesPrefix}.index: the lookup reads the variable '{variable.Node}' restored from \"{variable.Key}\", which is {t}; expected a 2-D table.");
        if (variable.Slice.Length == 0) return new TablePart(variable, t, 0, t.Shape[0]);
        // A Saver's slice spec: the full shape, then "start,length" or "-" per dimension (tensor_slice.cc).
        var fields = variable.Slice.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var extents = fields.Length == 3 ? fields[2].Split(':') : [];
        if (fields.Length != 3 || extents.Length != 2 || extents[1] != "-" && extents[1] != $"0,{t.Shape[1]}")
            throw new LmevException($"{layout.SavedModelPath}: the variable '{variable.Node}' is restored from \"{variable.Key}\" with the slice \"{variable.Slice}\"; " +
                "expected a slice of whole rows (\"rows cols start,length:-\").");
        if (extents[0] == "-") return new TablePart(variable, t, 0, t.Shape[0]);
        var range = extents[0].Split(',');
        var start = long.Parse(range[0], CultureInfo.InvariantCulture);
        var length = long.Parse(range[1], CultureInfo.InvariantCulture);
        if (start < 0 || start + length > t.Shape[0])
            throw new LmevException($"{layout.SavedModelPath}: the slice \"{variable.Slice}\" of \"{variable.Key}\" reaches past its {t.Shape[0]} rows.");
        return new TablePart(variable, t, start, length);
    }

    private static (List<string> Keys, string? File) ReadVocabulary(HubModelLayout layout, VocabularySource source)
    {
        if (source.Kind == VocabularySource.Constant) return (source.Keys!.ToList(), null);
        var path = Path.Combine(layout.Directory, "assets", source.Asset!);
        if (!File.Exists(path))
            throw new LmevException($"{layout.Directory}: the graph's table is filled from the asset '{source.Asset}' ({source.Node}), but assets/{source.Asset} is not there. " +
                "Is the archive complete?");
        var lines = NnlmTokenizer.ReadVocabulary(path);
        var keys = lines;
        if (source.KeyIndex >= 0)
            keys = lines.Select((line, i) => line.Split(source.Delimiter) is var cols && cols.Length > source.KeyIndex ? cols[source.KeyIndex]
                : throw new LmevException($"{path}:{i + 1}: has {cols.Length} columns split by {TextRewrite.Quote(source.Delimiter)}; the graph's table reads column {source.KeyIndex}.")).ToList();
        if (source.VocabSize > 0)
        {
            if (keys.Count < source.VocabSize)
                throw new LmevException($"{path}: has {keys.Count:N0} lines, but the graph's table reads vocab_size = {source.VocabSize:N0} of them ({source.Node}); TensorFlow refuses this file too.");
            keys = keys.Take((int)source.VocabSize).ToList();
        }
        return (keys, source.KeyIndex == -2 && keys.Count == lines.Count ? path : null);
    }

    /// <summary>The table has more rows than keys (the OOV buckets), and is float.</summary>
    private void Check()
    {
        if (Parts[0].Tensor.DType is not ((int)TensorDType.Float or (int)TensorDType.Double))
            throw new LmevException($"{Layout.VariablesPrefix}.index: the table {TableDescription} is of an unsupported dtype; lmev imports float32 and float64 tables.");
        if (Rows < VocabularySize)
            throw new LmevException($"{Layout.Directory}: the table {TableDescription} has fewer rows than the {VocabularySize:N0} rows of its vocabulary ({Recipe.Vocabulary}); " +
                "a table holds a row per token and then the OOV buckets. Use the vocabulary of the same model.");
        if (Rows == VocabularySize)
            throw new LmevException($"{Layout.Directory}: the table {TableDescription} has exactly as many rows as its vocabulary has tokens, so no OOV bucket; " +
                "lmev needs at least one (every NNLM module has them).");
    }

    /// <summary>Where row <paramref name="local"/> of part <paramref name="p"/> is in the model's id space (tf.nn.embedding_lookup's partition_strategy).</summary>
    private long Global(int p, long local)
    {
        long n = Rows, count = Parts.Count;
        switch (Recipe.Strategy)
        {
            case NnlmRecipe.Mod:
                return local * count + p;
            case NnlmRecipe.Div:
                long perPart = n / count, extras = n % count;
                return p < extras ? p * (perPart + 1) + local : extras * (perPart + 1) + (p - extras) * perPart + local;
            default:
                return Parts.Take(p).Sum(q => q.Rows) + local;
        }
    }

    /// <summary>Each partition holds exactly the ids its strategy sends it, or TensorFlow would read other rows than lmev.</summary>
    private void CheckPartitions()
    {
        long n = Rows, count = Parts.Count;
        for (var p = 0; p < count; p++)
        {
            var expected = Recipe.Strategy == NnlmRecipe.Mod ? (n - p + count - 1) / count : n / count + (p < n % count ? 1 : 0);
            if (Parts[p].Rows != expected)
                throw new LmevException($"{Layout.VariablesPrefix}.index: partition {p} of the table ('{Parts[p].Variable.Node}' from \"{Parts[p].Tensor.Key}\") holds " +
                    $"{Parts[p].Rows:N0} rows; the graph's '{Recipe.Strategy}' strategy over {count} partitions of {n:N0} rows sends it {expected:N0}. The partitions do not fit their lookup.");
        }
    }

    private static NnlmImport ByLayout(HubModelLayout layout, TensorBundleReader reader, string? tensor, bool normalize, string note)
    {
        if (!File.Exists(layout.VocabularyPath))
            throw new LmevException($"{layout.Directory}: no assets/tokens.txt; an NNLM text embedding keeps its vocabulary there (one token per line). " +
                "Is this a TF-Hub text embedding?");
        var vocabulary = NnlmTokenizer.ReadVocabulary(layout.VocabularyPath);
        var all = EmbeddingTableCandidate.FindAll(reader.Tensors);
        var table = tensor is null ? ByShape(layout, all, vocabulary.Count) : ByName(layout, reader, all, tensor);
        var tokenizer = new NnlmTokenizerOptions(Normalize: normalize, KeepEmptyTokens: !layout.IsHubModule);
        var recipe = new NnlmRecipe($"layout rules ({note}): {layout.Name} split, punctuation by the model's name, assets/tokens.txt, the table by its shape",
            false, tokenizer, new VocabularySource(VocabularySource.TextFile, "tokens.txt"), null,
            table.Parts.Select(p => new TableVariable(p.Key, p.Key)).ToList(), null, BagOfEmbeddingsSpec.SqrtN);
        var plan = new NnlmImport(layout, recipe, vocabulary, layout.VocabularyPath,
            table.Parts.Select(p => new TablePart(new TableVariable(p.Key, p.Key), p, 0, p.Shape[0])).ToList(), table.Dim, note);
        plan.Check();

        IReadOnlyList<long>? counts = null;
        try { counts = SavedModelGraph.HashBucketCounts(layout.SavedModelPath); }
        catch (Exception e) when (e is LmevException or Google.Protobuf.InvalidProtocolBufferException or IOException) { }
        if (counts is { Count: > 0 } && !counts.Contains(plan.NumOovBuckets))
            throw new LmevException($"{layout.SavedModelPath}: the graph hashes unknown tokens into {string.Join(" or ", counts.Distinct())} buckets " +
                $"(StringToHashBucketFast num_buckets), but the table {plan.TableDescription} minus {plan.VocabularySize:N0} tokens leaves {plan.NumOovBuckets:N0}. " +
                "The tokens.txt, the table and the graph disagree; name the table with \"tensor\" in the experiment if another tensor is the one.");
        var crossCheck = counts is { Count: > 0 } ? $"; its {plan.NumOovBuckets:N0} OOV buckets match the graph's StringToHashBucketFast" : "";
        return plan with { GraphNote = note + crossCheck };
    }

    private static EmbeddingTableCandidate ByShape(HubModelLayout layout, IReadOnlyList<EmbeddingTableCandidate> all, int vocabularySize)
    {
        var fitting = all.Where(c => c.Rows >= vocabularySize).ToList();
        return fitting.Count switch
        {
            1 => fitting[0],
            0 => throw new LmevException($"{layout.VariablesPrefix}.index: no 2-D table with at least the {vocabularySize:N0} rows of assets/tokens.txt. " +
                $"2-D tensors: {(all.Count == 0 ? "none" : string.Join("; ", all))}."),
            _ => throw new LmevException($"{layout.VariablesPrefix}.index: {fitting.Count} tensors could be the embedding table (at least " +
                $"{vocabularySize:N0} rows): {string.Join("; ", fitting)}. Name one with \"tensor\" in the experiment's model entry."),
        };
    }

    private static EmbeddingTableCandidate ByName(HubModelLayout layout, TensorBundleReader reader, IReadOnlyList<EmbeddingTableCandidate> all, string tensor)
    {
        if (all.FirstOrDefault(c => c.Name == tensor) is { } named) return named;
        if (all.FirstOrDefault(c => c.Parts.Any(p => p.Key == tensor)) is { } whole)
            throw new LmevException($"{layout.VariablesPrefix}.index: \"tensor\": \"{tensor}\" is one partition of the table {whole}; name the whole table: \"{whole.Name}\".");
        var t = reader.Get(tensor); // names close keys when there is no such key
        throw new LmevException($"{layout.VariablesPrefix}.index: \"tensor\": \"{tensor}\" is {t.DTypeName} [{string.Join(", ", t.Shape)}], " +
            $"expected a 2-D table. Candidates: {(all.Count == 0 ? "none" : string.Join("; ", all))}.");
    }

    /// <summary>
    /// Reads the table (float64 converted to float32) into the model's id order. A part that is a whole tensor, placed
    /// where its rows stay together, streams straight into the table; otherwise its tensor is read once and its rows
    /// scattered (peak memory: the table plus the largest tensor read). Every tensor's CRC32C is checked as it is read.
    /// </summary>
    public BagOfEmbeddingsModel Read(TensorBundleReader reader, Action<string> log)
    {
        var values = new float[checked(Rows * Dim)];
        var cache = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var p = 0; p < Parts.Count; p++)
        {
            var part = Parts[p];
            var contiguous = Recipe.Strategy != NnlmRecipe.Mod || Parts.Count == 1; // div, checked in Plan, keeps each part's rows together
            if (contiguous && part.Start == 0 && part.Rows == part.Tensor.Shape[0])
            {
                reader.ReadAsFloat32(part.Tensor, values.AsSpan(checked((int)(Global(p, 0) * Dim)), checked((int)(part.Rows * Dim))));
                continue;
            }
            if (!cache.TryGetValue(part.Tensor.Key, out var source)) cache[part.Tensor.Key] = source = reader.ReadAsFloat32(part.Tensor);
            for (long local = 0; local < part.Rows; local++)
                source.AsSpan(checked((int)((part.Start + local) * Dim)), Dim).CopyTo(values.AsSpan(checked((int)(Global(p, local) * Dim)), Dim));
        }
        if (DTypeName != "float32")
            log($"the table {TableDescription} is stored as {DTypeName}; converted to float32 (as TF-Hub's Keras layer computes)");
        var vocabularySha = VocabularyFile is not null ? Hashing.Sha256OfFile(VocabularyFile) : null;
        var spec = new BagOfEmbeddingsSpec(VocabularySize, NumOovBuckets, Dim, Recipe.Tokenizer, vocabularySha) { Combiner = Recipe.Combiner };
        return new BagOfEmbeddingsModel(spec, values);
    }

    /// <summary>Writes the vocabulary as the model's tokens.txt: the asset itself when it is the vocabulary, else one key per line.</summary>
    public void WriteVocabulary(string path)
    {
        if (VocabularyFile is not null) File.Copy(VocabularyFile, path);
        else
        {
            if (Vocabulary.FirstOrDefault(k => k.Contains('\n') || k.EndsWith('\r')) is { } bad)
                throw new LmevException($"{Layout.Directory}: the vocabulary key {TextRewrite.Quote(bad)} cannot be written one per line; lmev cannot import this table.");
            File.WriteAllText(path, string.Concat(Vocabulary.Select(k => k + "\n")), new System.Text.UTF8Encoding(false));
        }
    }
}
