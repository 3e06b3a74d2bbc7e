namespace Lmev.Models;

/// <summary>How <see cref="MiniLmEmbedder"/> encodes.</summary>
/// <param name="MaxTokens">Longest input, [CLS] and [SEP] included; longer texts are cut (sentence-transformers' max_seq_length for all-MiniLM-L6-v2 is 256).</param>
/// <param name="BatchSize">Texts per ONNX run; batches are formed after sorting by length, so little padding is computed.</param>
/// <param name="Normalize">Divide each embedding by its L2 norm, as the sentence-transformers model does.</param>
public sealed record MiniLmOptions(int MaxTokens = 256, int BatchSize = 64, bool Normalize = true);
