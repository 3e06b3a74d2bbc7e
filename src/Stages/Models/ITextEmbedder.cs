namespace Lmev.Models;

/// <summary>Maps a batch of texts to a [batch, Dim] matrix: what the Embed stage asks of every model.</summary>
public interface ITextEmbedder : IDisposable
{
    int Dim { get; }

    /// <summary>Where the model runs, as ONNX Runtime names it ("CPUExecutionProvider", "CUDAExecutionProvider").</summary>
    string ExecutionProvider { get; }

    /// <summary>Writes the embeddings of <paramref name="texts"/> row after row into <paramref name="destination"/>
    /// (texts.Count × Dim floats).</summary>
    void Embed(IReadOnlyList<string> texts, Span<float> destination);
}

public static class TextEmbedderExtensions
{
    /// <summary>The embeddings of <paramref name="texts"/> as a [texts.Count, Dim] matrix.</summary>
    public static float[,] Embed(this ITextEmbedder embedder, IReadOnlyList<string> texts)
    {
        var result = new float[texts.Count, embedder.Dim];
        if (result.Length == 0) return result;
        embedder.Embed(texts, System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref result[0, 0], result.Length));
        return result;
    }
}
