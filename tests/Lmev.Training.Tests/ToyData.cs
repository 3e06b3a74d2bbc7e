namespace Lmev.Training.Tests;

/// <summary>Small deterministic data sets for the training tests.</summary>
internal static class ToyData
{
    /// <summary>Gaussian-ish clusters around well separated centres: class c is centred on 3·e_(c mod dim) ± c/dim.</summary>
    public static (FeatureMatrix X, int[] Y) Clusters(int rows, int dim, int classes, double noise, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var x = new float[rows * dim];
        var y = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int c = (int)rng.NextBelow((ulong)classes);
            y[r] = c;
            for (int d = 0; d < dim; d++)
            {
                double centre = d == c % dim ? 3.0 : 0.0;
                if (d == (c / dim + 1) % dim && c >= dim) centre += 2.0;
                x[r * dim + d] = (float)(centre + noise * (Uniform(rng) + Uniform(rng) + Uniform(rng) - 1.5));
            }
        }
        return (new FeatureMatrix(x, rows, dim), y);
    }

    public static double Uniform(SplitMix64 rng) => (rng.Next() >> 11) * (1.0 / (1UL << 53));
}
