namespace Lmev.Inference;

/// <summary>The softmax of rows of logits, in double precision (each row's maximum taken out first), as float.</summary>
public static class Softmax
{
    public static float[] Of(float[] logits, int classes)
    {
        var probabilities = new float[logits.Length];
        for (var start = 0; start < logits.Length; start += classes)
        {
            var row = logits.AsSpan(start, classes);
            var max = double.NegativeInfinity;
            foreach (var l in row) max = Math.Max(max, l);
            double sum = 0;
            foreach (var l in row) sum += Math.Exp(l - max);
            for (var c = 0; c < classes; c++) probabilities[start + c] = (float)(Math.Exp(row[c] - max) / sum);
        }
        return probabilities;
    }
}
