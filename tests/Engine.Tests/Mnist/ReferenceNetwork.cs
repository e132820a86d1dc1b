using Engine.Core.Mlp;
using Engine.Core.Mnist;

namespace Engine.Tests.Mnist;

/// <summary>
/// An independent double-precision model of §4.2's network, written plainly from the paper: per repeat and sample,
/// z = W x + b, h = a ⊙ z with a = 𝟙(z &gt; 0) (rich) or the fixed mask bit (random, Eq. 8), softmax cross-entropy.
/// It reads parameters in <see cref="MlpLayout"/>'s documented order and shares no code with the engine's passes.
/// </summary>
internal static class ReferenceNetwork
{
    /// <summary>Σ over repeats of each repeat's mean cross-entropy on <paramref name="batch"/>.</summary>
    public static double Loss(double[] p, MlpLayout l, NetworkMode mode, ulong seed, MnistData data, int[] batch)
    {
        double total = 0.0;
        for (int r = 0; r < l.Repeats; r++)
        {
            ulong repeatSeed = ActivationMask.RepeatSeed(seed, r);
            foreach (int sample in batch)
            {
                double[] x = new double[l.Inputs];
                for (int q = 0; q < l.Inputs; q++) x[q] = data.Pixels[sample * l.Inputs + q] / 255.0;
                double[] h1 = Layer(x, l.Hidden1, j => p[l.B1 + r * l.Hidden1 + j], (q, j) => p[l.W1 + q * l.Hidden1 * l.Repeats + r * l.Hidden1 + j]);
                Gate(h1, mode, repeatSeed, sample, 0);
                int w2 = l.W2 + r * l.Hidden1 * l.Hidden2;
                double[] h2 = Layer(h1, l.Hidden2, j => p[l.B2 + r * l.Hidden2 + j], (q, j) => p[w2 + q * l.Hidden2 + j]);
                Gate(h2, mode, repeatSeed, sample, 1);
                int w3 = l.W3 + r * l.Hidden2 * l.Classes;
                double[] z = Layer(h2, l.Classes, j => p[l.B3 + r * l.Classes + j], (q, j) => p[w3 + q * l.Classes + j]);
                double max = z.Max();
                double logSum = Math.Log(z.Sum(v => Math.Exp(v - max))) + max;
                total += (logSum - z[data.Labels[sample]]) / batch.Length;
            }
        }
        return total;
    }

    /// <summary>Central differences of <see cref="Loss"/> with respect to every parameter.</summary>
    public static double[] NumericGradient(double[] p, MlpLayout l, NetworkMode mode, ulong seed, MnistData data, int[] batch, double h = 1e-5)
    {
        double[] g = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            double keep = p[i];
            p[i] = keep + h;
            double up = Loss(p, l, mode, seed, data, batch);
            p[i] = keep - h;
            double down = Loss(p, l, mode, seed, data, batch);
            p[i] = keep;
            g[i] = (up - down) / (2.0 * h);
        }
        return g;
    }

    private static double[] Layer(double[] input, int units, Func<int, double> bias, Func<int, int, double> weight)
    {
        double[] z = new double[units];
        for (int j = 0; j < units; j++)
        {
            double s = bias(j);
            for (int q = 0; q < input.Length; q++) s += input[q] * weight(q, j);
            z[j] = s;
        }
        return z;
    }

    private static void Gate(double[] z, NetworkMode mode, ulong repeatSeed, int sample, int layer)
    {
        for (int j = 0; j < z.Length; j++)
        {
            double a = mode == NetworkMode.Rich ? (z[j] > 0.0 ? 1.0 : 0.0) : ActivationMask.Bit(repeatSeed, sample, layer, j);
            z[j] *= a;
        }
    }
}
