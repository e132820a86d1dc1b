using Engine.Core.Data;
using Engine.Core.Exact;
using Engine.Core.Network;
using Engine.Core.Regions;

namespace Engine.Core.Geometry;

/// <summary>
/// A parameter point θ = (W, b, v, c) of the real network f(x) = vᵀσ(Wx + b) + c (Eq. 1) that is a differentiable
/// local minimum: its activation pattern is exactly a region's, with every sign certain despite rounding, and its
/// loss L_f(θ) (Eq. 3) equals that region's subglobal minimum. Only <see cref="Verify"/> makes one, on the data as
/// given, so holding a witness means it was checked.
/// </summary>
public sealed class NetworkWitness
{
    private NetworkWitness(double[][] w, double[] b, double[] v, double c, double loss, double margin, bool bias)
    {
        W = w;
        B = b;
        V = v;
        C = c;
        Loss = loss;
        Margin = margin;
        Bias = bias;
    }

    /// <summary>W, one row w_j per hidden node.</summary>
    public IReadOnlyList<double[]> W { get; }

    /// <summary>b (zeros when the network has no biases).</summary>
    public IReadOnlyList<double> B { get; }

    /// <summary>v, the output weights.</summary>
    public IReadOnlyList<double> V { get; }

    /// <summary>c (0 without biases).</summary>
    public double C { get; }

    /// <summary>The subglobal minimum this point attains.</summary>
    public double Loss { get; }

    /// <summary>
    /// The smallest relative margin min |w_jᵀx_i + b_j| / (Σ_k |w_jk x_ik| + |b_j|) over every node and every point that
    /// is not the origin of a bias-free network: how far θ is from the region's boundary.
    /// </summary>
    public double Margin { get; }

    /// <summary>Whether the network has biases b and c.</summary>
    public bool Bias { get; }

    /// <summary>θ = [vec(W), v, b, c] in the layout of <see cref="ReluNetwork"/>.</summary>
    public double[] Theta()
    {
        int hidden = V.Count;
        int n = W[0].Length;
        double[] theta = new double[ReluNetwork.Parameters(n, hidden, Bias)];
        for (int j = 0; j < hidden; j++)
        {
            W[j].CopyTo(theta, j * n);
            theta[hidden * n + j] = V[j];
            if (Bias) theta[hidden * n + hidden + j] = B[j];
        }
        if (Bias) theta[^1] = C;
        return theta;
    }

    /// <summary>
    /// This witness with its nodes in another order: node <paramref name="order"/>[j] of the result is node j here, checked
    /// again on <paramref name="data"/> against <paramref name="columns"/>, the columns in the new order. Hidden nodes are
    /// interchangeable, so a region decided with its nodes sorted gives every ordering of them the same answer.
    /// </summary>
    public NetworkWitness? Reordered(IReadOnlyList<int> order, Dataset data, IReadOnlyList<ulong[]> columns, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(order);
        int h = V.Count;
        double[][] w = new double[h][];
        double[] b = new double[h], v = new double[h];
        for (int j = 0; j < h; j++)
        {
            w[order[j]] = (double[])W[j].Clone();
            b[order[j]] = B[j];
            v[order[j]] = V[j];
        }
        return Verify(data, Bias, columns, w, b, v, C, Loss, tolerance);
    }

    /// <summary>
    /// The witness (W, b, v, c) when it passes every check on <paramref name="data"/>: all values finite; for every
    /// node j and point i, w_jᵀx_i + b_j has the sign a_ij of <paramref name="columns"/>[j] with a magnitude above its
    /// rounding bound (a bias-free origin, never active, excepted); and |L_f(θ) − <paramref name="loss"/>| within
    /// <paramref name="tolerance"/> plus the rounding of evaluating L_f (<see cref="ReluNetwork.LossRounding"/>). A point
    /// whose margins or loss are too close to call in doubles is checked again in exact arithmetic, where the only
    /// tolerance left is <paramref name="tolerance"/> on the loss. Null when any check fails.
    /// </summary>
    public static NetworkWitness? Verify(Dataset data, bool bias, IReadOnlyList<ulong[]> columns, double[][] w, double[] b, double[] v, double c, double loss, double tolerance) =>
        VerifyRounded(data, bias, columns, w, b, v, c, loss, tolerance) ?? VerifyExactly(data, bias, columns, w, b, v, c, loss, tolerance);

    private static NetworkWitness? VerifyRounded(Dataset data, bool bias, IReadOnlyList<ulong[]> columns, double[][] w, double[] b, double[] v, double c, double loss, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(v);
        int n = data.Inputs;
        if (!double.IsFinite(c) || v.Any(e => !double.IsFinite(e)) || b.Any(e => !double.IsFinite(e)) || w.Any(row => row.Any(e => !double.IsFinite(e)))) return null;
        double margin = double.PositiveInfinity;
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<double> x = data.Point(i);
            bool origin = !bias && !x.ContainsAnyExcept(0.0);
            for (int j = 0; j < v.Length; j++)
            {
                bool active = ColumnFeasibility.Active(columns[j], i);
                if (origin)
                {
                    // wᵀ0 = 0 for every w: Definition 2.1 makes the origin inactive, and it contributes nothing to f.
                    if (active) return null;
                    continue;
                }
                double u = bias ? b[j] : 0.0;
                double size = Math.Abs(u);
                for (int k = 0; k < n; k++)
                {
                    u += w[j][k] * x[k];
                    size += Math.Abs(w[j][k] * x[k]);
                }
                double rounding = (n + 2) * RegionSolve.UnitRoundoff * size;
                if (active ? !(u > rounding) : !(u < -rounding)) return null;
                margin = Math.Min(margin, Math.Abs(u) / size);
            }
        }
        var witness = new NetworkWitness(w, bias ? b : new double[v.Length], v, bias ? c : 0.0, loss, double.IsPositiveInfinity(margin) ? 1.0 : margin, bias);
        double[] theta = witness.Theta();
        double actual = ReluNetwork.Loss(data, v.Length, bias, theta);
        return Math.Abs(actual - loss) <= tolerance + ReluNetwork.LossRounding(data, v.Length, bias, theta) ? witness : null;
    }

    /// <summary>
    /// <see cref="Verify"/> in exact arithmetic: every w_jᵀx_i + b_j has the sign a_ij exactly (no rounding bound: the
    /// values are the doubles themselves, read as the rationals they are), and the exact L_f(θ) is within
    /// <paramref name="tolerance"/> of <paramref name="loss"/> and, when given, of the exact subglobal minimum
    /// <paramref name="minimum"/> (the exact fallback's). Null when any check fails.
    /// </summary>
    internal static NetworkWitness? VerifyExactly(Dataset data, bool bias, IReadOnlyList<ulong[]> columns, double[][] w, double[] b, double[] v, double c, double loss,
        double tolerance, Rational? minimum = null)
    {
        int n = data.Inputs;
        if (!double.IsFinite(c) || v.Any(e => !double.IsFinite(e)) || b.Any(e => !double.IsFinite(e)) || w.Any(row => row.Any(e => !double.IsFinite(e)))) return null;
        double margin = double.PositiveInfinity;
        Rational residuals = Rational.Zero;
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<double> x = data.Point(i);
            bool origin = !bias && !x.ContainsAnyExcept(0.0);
            Rational f = Rational.From(bias ? c : 0.0);
            for (int j = 0; j < v.Length; j++)
            {
                bool active = ColumnFeasibility.Active(columns[j], i);
                if (origin)
                {
                    if (active) return null;
                    continue;
                }
                Rational u = Rational.From(bias ? b[j] : 0.0);
                double size = Math.Abs(bias ? b[j] : 0.0);
                for (int k = 0; k < n; k++)
                {
                    u += Rational.From(w[j][k]) * Rational.From(x[k]);
                    size += Math.Abs(w[j][k] * x[k]);
                }
                if (active ? u.Sign <= 0 : u.Sign >= 0) return null;
                if (active) f += Rational.From(v[j]) * u;
                margin = Math.Min(margin, Math.Abs(u.ToDouble()) / size);
            }
            Rational r = f - Rational.From(data.Y[i]);
            residuals += r * r;
        }
        Rational actual = residuals / new Rational(2, 1);
        if (Distance(actual, Rational.From(loss)) > Rational.From(tolerance)) return null;
        if (minimum is { } exact && Distance(actual, exact) > Rational.From(tolerance)) return null;
        return new NetworkWitness(w, bias ? b : new double[v.Length], v, bias ? c : 0.0, loss, double.IsPositiveInfinity(margin) || !double.IsFinite(margin) ? 1.0 : margin, bias);
    }

    private static Rational Distance(Rational a, Rational b)
    {
        Rational gap = a - b;
        return gap.Sign < 0 ? -gap : gap;
    }
}
