using Lmev.Pipeline;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// What importing a TF-Hub NNLM model takes from its folder: the vocabulary, the embedding table found by its
/// structure (never by a guessed name) and the number of OOV buckets that follows from the two.
/// </summary>
/// <param name="GraphBucketCounts">The <c>num_buckets</c> of the graph's <c>StringToHashBucketFast</c> nodes (the
/// lookup table's OOV buckets); null when <c>saved_model.pb</c> could not be parsed (<paramref name="GraphNote"/> says why).</param>
public sealed record NnlmImport(
    HubModelLayout Layout, int VocabularySize, EmbeddingTableCandidate Table, IReadOnlyList<long>? GraphBucketCounts, string? GraphNote)
{
    public int NumOovBuckets => checked((int)(Table.Rows - VocabularySize));

    /// <summary>
    /// Finds the table: the one candidate (<see cref="EmbeddingTableCandidate.FindAll"/>) with at least as many rows
    /// as <c>tokens.txt</c> has lines, or the one named by <paramref name="tensor"/> (the experiment's <c>"tensor"</c>).
    /// Cross-checks the OOV buckets against the graph where the graph can be read.
    /// </summary>
    public static NnlmImport Plan(HubModelLayout layout, TensorBundleReader reader, string? tensor)
    {
        if (!File.Exists(layout.VocabularyPath))
            throw new LmevException($"{layout.Directory}: no assets/tokens.txt; an NNLM text embedding keeps its vocabulary there (one token per line). " +
                "Is this a TF-Hub text embedding?");
        var vocabularySize = NnlmTokenizer.ReadVocabulary(layout.VocabularyPath).Count;
        var all = EmbeddingTableCandidate.FindAll(reader.Tensors);
        var table = tensor is null ? ByShape(layout, all, vocabularySize) : ByName(layout, reader, all, tensor);
        if (!table.IsFloat)
            throw new LmevException($"{layout.VariablesPrefix}.index: the table {table} is of an unsupported dtype; lmev imports float32 and float64 tables.");
        if (table.Rows < vocabularySize)
            throw new LmevException($"{layout.Directory}: the table {table} has fewer rows than the {vocabularySize:N0} tokens of assets/tokens.txt; " +
                "a table holds a row per token and then the OOV buckets. Use the tokens.txt of the same model.");
        if (table.Rows == vocabularySize)
            throw new LmevException($"{layout.Directory}: the table {table} has exactly as many rows as assets/tokens.txt has tokens, so no OOV bucket; " +
                "lmev needs at least one (every NNLM module has them).");

        IReadOnlyList<long>? counts = null;
        string? note = null;
        try { counts = SavedModelGraph.HashBucketCounts(layout.SavedModelPath); }
        catch (Exception e) when (e is LmevException or Google.Protobuf.InvalidProtocolBufferException or IOException)
        {
            note = $"saved_model.pb could not be read ({e.Message}); the OOV bucket count was not cross-checked";
        }
        var plan = new NnlmImport(layout, vocabularySize, table, counts, note);
        if (counts is { Count: > 0 } && !counts.Contains(plan.NumOovBuckets))
            throw new LmevException($"{layout.SavedModelPath}: the graph hashes unknown tokens into {string.Join(" or ", counts.Distinct())} buckets " +
                $"(StringToHashBucketFast num_buckets), but the table {table} minus {vocabularySize:N0} tokens leaves {plan.NumOovBuckets:N0}. " +
                "The tokens.txt, the table and the graph disagree; name the table with \"tensor\" in the experiment if another tensor is the one.");
        if (counts is { Count: 0 })
            plan = plan with { GraphNote = "the graph has no StringToHashBucketFast node; the OOV bucket count was not cross-checked" };
        return plan;
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
    /// Reads the table (float64 converted to float32), streaming each part into one array: peak memory is the
    /// float32 table plus a read buffer, whatever the checkpoint's dtype. Every part's CRC32C is checked as it is read.
    /// </summary>
    public BagOfEmbeddingsModel Read(TensorBundleReader reader, NnlmTokenizerOptions tokenizer, Action<string> log)
    {
        var values = new float[checked(Table.Rows * Table.Dim)];
        long at = 0;
        foreach (var part in Table.Parts)
        {
            var length = part.Shape[0] * Table.Dim;
            reader.ReadAsFloat32(part, values.AsSpan(checked((int)at), checked((int)length)));
            at += length;
        }
        if (Table.DTypeName != "float32")
            log($"the table {Table.Name} is stored as {Table.DTypeName}; converted to float32 (as TF-Hub's Keras layer computes)");
        var spec = new BagOfEmbeddingsSpec(VocabularySize, NumOovBuckets, Table.Dim, tokenizer, Hashing.Sha256OfFile(Layout.VocabularyPath));
        return new BagOfEmbeddingsModel(spec, values);
    }
}
