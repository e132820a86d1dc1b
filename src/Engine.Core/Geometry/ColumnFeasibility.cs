using Engine.Core.Data;
using Engine.Core.Regions;

namespace Engine.Core.Geometry;

/// <summary>
/// Whether one hidden node's activation column a_·j can occur (Definition 2.1, Figure 1): some (w_j, b_j) gives
/// w_jᵀx_i + b_j &gt; 0 exactly where a_ij = 1 and &lt; 0 where a_ij = 0, strictly, so that the parameters are a
/// differentiable point. Columns are bit sets over the data points, 64 points per word.
/// </summary>
/// <remarks>
/// Feasibility is the margin linear program max t subject to s_i·(wᵀx̃_i)/‖x̃_i‖∞ ≥ t, |w_k| ≤ 1, −(d+1) ≤ t ≤ 1, on
/// the normalised data (<see cref="NormalizedData"/>), with s_i = ±1 from a_ij and x̃_i = [x_i; 1] with bias (x_i
/// without). The column is feasible iff t* exceeds <see cref="MarginTolerance"/>, decided by
/// <see cref="MarginProgram"/>: a yes carries a witness w whose signs are checked with a rounding bound, a no a
/// certificate bounding t*. Degenerate inputs: without bias a point at the origin has wᵀx_i = 0 for every w, so it
/// is never active (Definition 2.1 reads a_ij = 1(0 &gt; 0) = 0) and, contributing nothing to the network, it does
/// not make the loss non-differentiable; its a_ij = 0 is accepted and a_ij = 1 is infeasible. Duplicate points give
/// identical rows, so only columns agreeing on them are feasible.
/// </remarks>
public static class ColumnFeasibility
{
    /// <summary>
    /// Smallest margin, on rows scaled to unit ∞-norm with |w_k| ≤ 1, that counts as strictly inside: a hundred times
    /// the simplex's feasibility tolerance, so rounding cannot fake a cell, while any cell of data given to a few
    /// significant digits has margins many orders larger.
    /// </summary>
    public const double MarginTolerance = 1e-9;

    /// <summary>64-bit words a column over <paramref name="points"/> points takes.</summary>
    public static int Words(int points) => (points + 63) >> 6;

    /// <summary>a_ij of <paramref name="column"/> at <paramref name="point"/>.</summary>
    public static bool Active(ReadOnlySpan<ulong> column, int point) => ((column[point >> 6] >> (point & 63)) & 1UL) != 0;

    /// <summary>Sets a_ij of <paramref name="column"/> at <paramref name="point"/>.</summary>
    public static void SetActive(Span<ulong> column, int point) => column[point >> 6] |= 1UL << (point & 63);

    /// <summary>Writes x̃_i (x_i, then 1 with bias) into <paramref name="x"/> and returns its ∞-norm.</summary>
    public static double Augmented(Dataset data, bool bias, int point, Span<double> x)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.Point(point).CopyTo(x);
        if (bias) x[data.Inputs] = 1.0;
        double norm = 0.0;
        for (int k = 0; k < x.Length; k++) norm = Math.Max(norm, Math.Abs(x[k]));
        return norm;
    }

    /// <summary>Whether <paramref name="column"/> is the activation column of some differentiable (w_j, b_j) on <paramref name="data"/>.</summary>
    public static bool Feasible(Dataset data, bool bias, ReadOnlySpan<ulong> column)
    {
        NormalizedData normalized = NormalizedData.Create(data, bias);
        return Witness(normalized, column, Enumerable.Range(0, data.Count).ToArray(), new DecisionCounts()) is not null;
    }

    /// <summary>
    /// A strictly interior (w_j[, b_j]) of the normalised data for the entries of <paramref name="column"/> at
    /// <paramref name="points"/>, with |w_k| ≤ 1 and its signs verified, or null when a certificate shows they are
    /// infeasible together.
    /// </summary>
    public static double[]? Witness(NormalizedData data, ReadOnlySpan<ulong> column, ReadOnlySpan<int> points, DecisionCounts counts)
    {
        ArgumentNullException.ThrowIfNull(data);
        bool bias = data.Bias;
        Dataset normalized = data.Data;
        int d = normalized.Inputs + (bias ? 1 : 0);
        double[] lower = new double[d + 1];
        double[] upper = new double[d + 1];
        Array.Fill(lower, -1.0);
        Array.Fill(upper, 1.0);
        // |wᵀx̃|/‖x̃‖∞ ≤ ‖w‖₁ ≤ d, so with t ≥ −(d + 1) the corner w = −1, t = −(d + 1) is feasible: no Phase I.
        lower[d] = -(d + 1.0);
        var program = new LinearProgram(lower, upper);
        double[] x = new double[d];
        double[] row = new double[d + 1];
        var rows = new List<int>(points.Length);
        foreach (int i in points)
        {
            double norm = Augmented(normalized, bias, i, x);
            bool active = Active(column, i);
            if (norm == 0.0)
            {
                if (active) return null;
                continue;
            }
            double sign = active ? 1.0 : -1.0;
            // −s·wᵀx̃/‖x̃‖ + t ≤ 0.
            for (int k = 0; k < d; k++) row[k] = -sign * x[k] / norm;
            row[d] = 1.0;
            program.AddLessOrEqual(row, 0.0);
            rows.Add(i);
        }
        double[] objective = new double[d + 1];
        objective[d] = 1.0;
        ulong[] pattern = column.ToArray();
        int[] checkedPoints = [.. rows];
        return MarginProgram.Decide(program, objective, MarginTolerance, point =>
        {
            double[] w = point[..d];
            return StrictlyInside(normalized, bias, pattern, checkedPoints, w) ? w : null;
        }, counts);
    }

    /// <summary>
    /// Whether (w[, b]) puts every point of <paramref name="points"/> strictly on its side of <paramref name="column"/>,
    /// with each sign certain despite rounding: |wᵀx̃_i| must exceed the error bound (d + 2)·u·Σ_k|w_k x̃_ik| of its
    /// evaluation.
    /// </summary>
    public static bool StrictlyInside(Dataset data, bool bias, ReadOnlySpan<ulong> column, ReadOnlySpan<int> points, ReadOnlySpan<double> w)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Inputs;
        foreach (int i in points)
        {
            ReadOnlySpan<double> x = data.Point(i);
            double u = bias ? w[n] : 0.0;
            double size = Math.Abs(u);
            for (int k = 0; k < n; k++)
            {
                u += w[k] * x[k];
                size += Math.Abs(w[k] * x[k]);
            }
            if (!double.IsFinite(u)) return false;
            double rounding = (n + 2) * RegionSolve.UnitRoundoff * size;
            if (Active(column, i) ? !(u > rounding) : !(u < -rounding)) return false;
        }
        return true;
    }
}
