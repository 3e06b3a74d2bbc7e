namespace Lmev.Inference;

/// <summary>A batch of titles scored: one row of <see cref="Classes"/> values per title, row-major.</summary>
/// <param name="Ranking">What the classifier ranks the classes by: the logits (TorchSharp, as training's argmax), or the probabilities (ONNX).</param>
/// <param name="Probabilities">The softmax of the logits.</param>
public sealed record ClassScores(float[] Ranking, float[] Probabilities, int Classes)
{
    public int Rows => Probabilities.Length / Classes;

    /// <summary>The <paramref name="k"/> best classes of row <paramref name="row"/>, best first; ties go to the lower label, as torch's argmax.</summary>
    public int[] Top(int row, int k)
    {
        var scores = Ranking.AsSpan(row * Classes, Classes);
        k = Math.Min(k, Classes);
        var best = new int[k];
        var filled = 0;
        for (var c = 0; c < scores.Length; c++)
        {
            // Insertion into the k best so far: strictly greater moves ahead, so an equal score keeps the lower label first.
            var at = filled;
            while (at > 0 && scores[c] > scores[best[at - 1]]) at--;
            if (at >= k) continue;
            var last = Math.Min(filled, k - 1);
            for (var i = last; i > at; i--) best[i] = best[i - 1];
            best[at] = c;
            if (filled < k) filled++;
        }
        return best;
    }
}

/// <summary>A trained classifier, titles in, class scores out: a run through TorchSharp, or its ONNX export through ONNX Runtime.</summary>
public interface IRunClassifier : IDisposable
{
    /// <summary>Class names by label.</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>
    /// Titles per call to <see cref="Score"/>: a multiple of the batches the run scored its own test split in (its training batch
    /// size, and for a frozen run the Embed step's), so that the run's own titles get the very values it computed.
    /// </summary>
    int Chunk { get; }

    /// <summary>What runs it and where, for the command's output ("TorchSharp 0.107.0 on cpu: …").</summary>
    string Engine { get; }

    ClassScores Score(IReadOnlyList<string> titles);
}
