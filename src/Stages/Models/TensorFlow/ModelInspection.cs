using System.Globalization;
using Lmev.Pipeline;
using Lmev.Pipeline.Fetching;

namespace Lmev.Models.TensorFlow;

/// <summary>
/// <c>lmev inspect-model PATH</c>: every tensor of a TF-Hub model's checkpoint with its dtype, shape, bytes and
/// CRC32C status, its vocabulary, and what the NNLM import would take as the table and OOV buckets (or why it
/// cannot). What a user runs first when a downloaded model does not import.
/// </summary>
public static class ModelInspection
{
    /// <summary>Writes the listing; returns 0 when every tensor's bytes pass their CRC32C, 1 when any does not.</summary>
    /// <param name="path">A <c>.tar.gz</c> as TF-Hub's <c>?tf-hub-format=compressed</c> serves it, or an extracted folder.</param>
    /// <param name="tensor">The table's key, as an experiment's <c>"tensor"</c> would name it.</param>
    public static int Write(string path, TextWriter output, string? tensor = null)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return WriteFolder(full, ModelArchive.ModelFolder(full, full, "give the folder that holds saved_model.pb"), output, tensor);
        if (!File.Exists(full)) throw new LmevException($"{path}: no such file or folder; expected a TF-Hub model (.tar.gz) or its extracted folder");
        var scratch = Path.Combine(Path.GetTempPath(), $"lmev-inspect-{Guid.NewGuid():N}");
        try
        {
            SafeTarExtractor.Extract(full, scratch, full);
            var root = ModelArchive.ModelFolder(scratch, full, "is it a TF-Hub model archive?");
            return WriteFolder(full, root, output, tensor);
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }

    private static int WriteFolder(string shown, string folder, TextWriter output, string? tensor)
    {
        var layout = HubModelLayout.Of(folder);
        output.WriteLine($"model:      {shown}");
        output.WriteLine($"layout:     {layout.Name}");
        using var reader = TensorBundleReader.Open(layout.VariablesPrefix);
        output.WriteLine($"checkpoint: variables/variables.index, {reader.NumShards} data shard{(reader.NumShards == 1 ? "" : "s")}, {reader.Tensors.Count} tensors");
        var keyWidth = Math.Clamp(reader.Tensors.Select(t => t.Key.Length).DefaultIfEmpty(3).Max(), 3, 72);
        output.WriteLine($"  {"key".PadRight(keyWidth)}  {"dtype",-8}  {"shape",-16}  {"bytes",14}  crc32c");
        var damaged = 0;
        foreach (var t in reader.Tensors)
        {
            string crc;
            try
            {
                reader.Verify(t);
                crc = "ok";
            }
            catch (LmevException e)
            {
                crc = $"FAILED: {e.Message}";
                damaged++;
            }
            var shape = $"[{string.Join(", ", t.Shape)}]";
            output.WriteLine($"  {t.Key.PadRight(keyWidth)}  {t.DTypeName,-8}  {shape,-16}  {t.ByteSize.ToString("N0", CultureInfo.InvariantCulture),14}  {crc}");
        }

        output.WriteLine(File.Exists(layout.VocabularyPath)
            ? $"vocabulary: assets/tokens.txt, {NnlmTokenizer.ReadVocabulary(layout.VocabularyPath).Count.ToString("N0", CultureInfo.InvariantCulture)} tokens"
            : "vocabulary: none (no assets/tokens.txt)");
        try
        {
            var plan = NnlmImport.Plan(layout, reader, tensor, normalizeByName: Path.GetFileName(shown).Contains("-with-normalization", StringComparison.Ordinal));
            WriteRecipe(plan, output);
            output.WriteLine($"import:     table {plan.TableDescription}; {plan.VocabularySize:N0} tokens + {plan.NumOovBuckets:N0} OOV buckets; " +
                (plan.GraphNote is null ? "as the graph specifies" : $"NOT from the graph: {plan.GraphNote}"));
        }
        catch (LmevException e)
        {
            output.WriteLine($"recipe:     NOT FOUND: {e.Message.Replace(folder, shown, StringComparison.Ordinal)}");
            output.WriteLine("import:     not possible (above)");
        }
        if (damaged > 0) output.WriteLine($"{damaged} tensor{(damaged == 1 ? "" : "s")} failed the CRC32C check: the checkpoint is damaged; fetch the model again");
        return damaged == 0 ? 0 : 1;
    }

    /// <summary>The recipe, each step in the order the model applies it; what came from the layout rules instead of the graph is flagged.</summary>
    private static void WriteRecipe(NnlmImport plan, TextWriter output)
    {
        var r = plan.Recipe;
        var flag = r.FromGraph ? "" : "  (NOT FROM THE GRAPH: layout rule)";
        output.WriteLine(r.Route switch
        {
            NnlmRecipe.SignatureRoute => "route:      the serving signature",
            NnlmRecipe.ObjectGraphRoute => "route:      the object graph's __call__ (the model has no serving signature)",
            _ => "route:      NEITHER a signature NOR an object graph __call__ taking the titles: the layout rules",
        });
        output.WriteLine(r.FromGraph ? $"recipe:     from the graph: {r.Source}" : $"recipe:     NOT FOUND in the graph; {r.Source}");
        var n = 0;
        foreach (var step in r.Tokenizer.Describe()) output.WriteLine($"  {++n}. {step}{flag}");
        output.WriteLine($"  vocabulary: {r.Vocabulary}: {plan.VocabularySize:N0} keys{flag}");
        output.WriteLine(r.NumOovBuckets is { } b ? $"  OOV buckets: {b:N0} (StringToHashBucketFast), rows {plan.VocabularySize:N0}…{plan.Rows - 1:N0}"
            : $"  OOV buckets: {plan.NumOovBuckets:N0} = table rows − vocabulary (NOT FROM THE GRAPH)");
        output.WriteLine($"  table: {plan.TableDescription}{(r.Strategy is null && plan.Parts.Count > 1 ? " concatenated in key order (NOT FROM THE GRAPH)" : "")}");
        for (var p = 0; p < plan.Parts.Count; p++)
        {
            var part = plan.Parts[p];
            output.WriteLine($"    {(plan.Parts.Count == 1 ? "variable" : $"partition {p}")}: '{part.Variable.Node}' ← \"{part.Tensor.Key}\" " +
                $"rows {part.Start:N0}…{part.Start + part.Rows - 1:N0} of {part.Tensor}");
        }
        output.WriteLine($"  combiner: {r.Combiner}{(r.CombinerNode is null ? "  (NOT FROM THE GRAPH: sqrtn assumed)" : $" [{r.CombinerNode}]")}");
    }
}
