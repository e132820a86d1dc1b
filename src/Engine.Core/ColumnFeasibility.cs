namespace Engine.Core;

/// <summary>
/// Whether one hidden node's activation column a_·j can occur (Definition 2.1, Figure 1): some (w_j, b_j) gives
/// w_jᵀx_i + b_j &gt; 0 exactly where a_ij = 1 and &lt; 0 where a_ij = 0, strictly, so that the parameters are a
/// differentiable point. Columns are bit sets over the data points, 64 points per word.
/// </summary>
/// <remarks>
/// Feasibility is the margin linear program max t subject to s_i·(wᵀx̃_i)/‖x̃_i‖∞ ≥ t, |w_k| ≤ 1, −(d+1) ≤ t ≤ 1, with
/// s_i = ±1 from a_ij and x̃_i = [x_i; 1] with bias (x_i without). The column is feasible iff t* exceeds
/// <see cref="MarginTolerance"/>. Degenerate inputs: without bias a point at the origin has wᵀx_i = 0 for every w,
/// so it is never active (Definition 2.1 reads a_ij = 1(0 &gt; 0) = 0) and, contributing nothing to the network,
/// it does not make the loss non-differentiable; its a_ij = 0 is accepted and a_ij = 1 is infeasible. Duplicate
/// points give identical rows, so only columns agreeing on them are feasible.
/// </remarks>
public static class ColumnFeasibility
{
    /// <summary>
    /// Smallest margin, on rows scaled to unit ∞-norm with |w_k| ≤ 1, that counts as strictly inside: a thousand
    /// times <see cref="LinearProgram.Tolerance"/>, so simplex rounding cannot fake a cell, while any cell of
    /// data given to a few significant digits has margins many orders larger.
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

    /// <summary>Whether <paramref name="column"/> is the activation column of some differentiable (w_j, b_j).</summary>
    public static bool Feasible(Dataset data, bool bias, ReadOnlySpan<ulong> column)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Witness(data, bias, column, Enumerable.Range(0, data.Count).ToArray()) is not null;
    }

    /// <summary>
    /// A strictly interior (w_j[, b_j]) for the entries of <paramref name="column"/> at <paramref name="points"/>,
    /// with |w_k| ≤ 1, or null when they are infeasible together.
    /// </summary>
    public static double[]? Witness(Dataset data, bool bias, ReadOnlySpan<ulong> column, ReadOnlySpan<int> points)
    {
        ArgumentNullException.ThrowIfNull(data);
        int d = data.Inputs + (bias ? 1 : 0);
        double[] lower = new double[d + 1];
        double[] upper = new double[d + 1];
        Array.Fill(lower, -1.0);
        Array.Fill(upper, 1.0);
        // |wᵀx̃|/‖x̃‖∞ ≤ ‖w‖₁ ≤ d, so with t ≥ −(d + 1) the corner w = −1, t = −(d + 1) is feasible: no Phase I.
        lower[d] = -(d + 1.0);
        var program = new LinearProgram(lower, upper);
        double[] x = new double[d];
        double[] row = new double[d + 1];
        foreach (int i in points)
        {
            double norm = Augmented(data, bias, i, x);
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
        }
        double[] objective = new double[d + 1];
        objective[d] = 1.0;
        LinearProgramResult result = program.Maximize(objective);
        if (result.Status != LinearProgramStatus.Optimal || !(result.Objective > MarginTolerance)) return null;
        return result.X[..d];
    }
}
