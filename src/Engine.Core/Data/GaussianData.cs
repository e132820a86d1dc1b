namespace Engine.Core.Data;

/// <summary>
/// Deterministic Gaussian datasets: x_i ~ N(0, I) and y_i ~ N(0, 1), drawn with a fixed-algorithm generator
/// so that a seed names the same data on every machine and .NET version.
/// </summary>
public static class GaussianData
{
    /// <summary>Draws N points of dimension n and their targets from <paramref name="seed"/>.</summary>
    public static Dataset Create(string name, int count, int inputs, int seed)
    {
        var rng = new SplitMix64((ulong)(uint)seed);
        double[] x = new double[count * inputs];
        double[] y = new double[count];
        for (int i = 0; i < count; i++)
        {
            for (int k = 0; k < inputs; k++) x[i * inputs + k] = rng.NextGaussian();
            y[i] = rng.NextGaussian();
        }
        return new Dataset(name, inputs, x, y);
    }

    /// <summary>
    /// SplitMix64 with Box–Muller: System.Random's algorithm is not a documented contract, this one is.
    /// </summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        private ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        // 53 random bits in (0, 1], so the logarithm below is finite.
        private double NextUnit() => ((Next() >> 11) + 1) * (1.0 / (1UL << 53));

        public double NextGaussian()
        {
            double u1 = NextUnit();
            double u2 = NextUnit();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
