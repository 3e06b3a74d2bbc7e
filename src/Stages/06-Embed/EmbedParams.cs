namespace Lmev.Stages.Embed;

/// <summary>What the Embed stage reads besides its inputs.</summary>
/// <param name="Kind">Which embedder opens the model (<c>random</c> → bag-of-embeddings, <c>minilm</c>).</param>
/// <param name="BatchSize">Titles per ONNX Runtime call; it changes speed, not the vectors.</param>
/// <param name="MaxTokens">Transformers: word pieces per title.</param>
/// <param name="L2Normalize">Transformers: unit-length vectors.</param>
public sealed record EmbedParams(string Kind, int BatchSize = 1024, int MaxTokens = 256, bool L2Normalize = true);
