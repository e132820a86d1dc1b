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
    /// The points of <see cref="Create"/> (the same x_i for the same seed) with targets from a teacher: a random ReLU
    /// network with <paramref name="teacherHidden"/> hidden nodes, y = Σ_k v_k σ(w_kᵀx + b_k) + c with every weight
    /// N(0, 1) (b and c only with <paramref name="bias"/>), plus Gaussian noise of standard deviation
    /// <paramref name="noise"/> times that of the teacher's outputs. The teacher's weights and the noise come from a second
    /// stream of the same documented generator, so a seed names the same targets everywhere.
    /// </summary>
    public static Dataset Teacher(string name, int count, int inputs, int seed, int teacherHidden, bool bias, double noise)
    {
        Dataset points = Create(name, count, inputs, seed);
        var rng = new SplitMix64((ulong)(uint)seed ^ 0x7EAC4E5000000000UL);
        double[] w = new double[teacherHidden * inputs], b = new double[teacherHidden], v = new double[teacherHidden];
        for (int k = 0; k < w.Length; k++) w[k] = rng.NextGaussian();
        for (int j = 0; j < teacherHidden; j++)
        {
            b[j] = bias ? rng.NextGaussian() : 0.0;
            v[j] = rng.NextGaussian();
        }
        double c = bias ? rng.NextGaussian() : 0.0;
        double[] y = new double[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<double> x = points.Point(i);
            double f = c;
            for (int j = 0; j < teacherHidden; j++)
            {
                double u = b[j];
                for (int k = 0; k < inputs; k++) u += w[j * inputs + k] * x[k];
                f += v[j] * Math.Max(u, 0.0);
            }
            y[i] = f;
        }
        if (noise > 0.0)
        {
            double mean = y.Average();
            double spread = Math.Sqrt(y.Sum(t => (t - mean) * (t - mean)) / count);
            for (int i = 0; i < count; i++) y[i] += noise * spread * rng.NextGaussian();
        }
        return new Dataset(name, inputs, points.X.ToArray(), y);
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
