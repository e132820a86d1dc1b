namespace Engine.Core;

/// <summary>
/// A realizable subglobal minimum: a global minimizer of L_gA (Eq. 4 parameters p_j, q_j, c) whose network
/// lies strictly inside R_A, and the sign of v_j that realizes each node.
/// </summary>
/// <param name="Parameters">The minimizer, m values in the order of <see cref="RegionShape.Parameters"/>.</param>
/// <param name="Signs">σ_j ∈ {+1, −1, 0}: v_j &gt; 0, v_j &lt; 0, or v_j = 0 with p_j = q_j = 0.</param>
public sealed record RealizedMinimum(double[] Parameters, int[] Signs);

/// <summary>
/// Decides whether a nonempty region's subglobal minimum is a differentiable local minimum of the real loss
/// L_f (Lemma 2.2 with Theorem 2.5): whether some global minimizer of L_gA maps back, through p_j = v_j w_j and
/// q_j = v_j b_j, to parameters strictly inside R_A. The whole optimal set {p_min + N c} is searched, not one
/// particular solution.
/// </summary>
/// <remarks>
/// <para>Node j of a minimizer p is realizable with v_j &gt; 0 when σ_j s_ij (p_jᵀx̃_i) &gt; 0 for all i with σ_j = +1
/// (s_ij = +1 if a_ij = 1, else −1; then w_j = p_j / v_j has column j's signs), with v_j &lt; 0 when the same holds for
/// σ_j = −1, and with v_j = 0 when p_j = q_j = 0 (w_j is then any point of column j's cell, which exists because
/// the region is nonempty).</para>
/// <para>For a set Z of nodes with v_j = 0, the minimizers with p_j = 0 for j ∈ Z are the minimizers of the region with
/// those columns zeroed, provided that region attains the same loss; zeroing columns frees p_j entirely, so no
/// equality constraints are needed. For each Z (2^h of them) and each σ ∈ {±1} on the other nodes, the margin
/// program max t over (c, τ) with σ_j s_ij (τ p_minᵀx̃_i + (N c)ᵀx̃_i) ≥ t (rows scaled to unit ∞-norm),
/// t ≤ τ, 0 ≤ τ ≤ 1, |c_k| ≤ 1 decides strict feasibility: t* &gt; 0 forces τ &gt; 0, and p_min + N c/τ is strictly
/// inside; conversely any strictly inside minimizer scales into the box. A unique minimizer needs no program: its
/// nodes decouple and each admits at most one sign.</para>
/// <para>Points with x̃_i = 0 (the origin, without bias) give no condition: they are never active and contribute
/// nothing. A row whose coefficients all vanish (below <see cref="ZeroTolerance"/> relative to its scale) pins
/// p_jᵀx̃_i to 0, the boundary of the region, so that sign choice fails.</para>
/// </remarks>
public static class Realizability
{
    /// <summary>
    /// Relative tolerance for a row of the margin program being zero, against ‖x̃_i‖∞·max(1, ‖p_min‖∞): minimizers
    /// come from a solve whose relative error is about 1e-12 on these problems (<see cref="RegionSolve.RankTolerance"/>).
    /// </summary>
    public const double ZeroTolerance = 1e-9;

    /// <summary>
    /// Loss gap, relative to 1 + ½Σy², within which zeroing nodes is taken to keep the minimum: equal minima
    /// reached by different systems differ by rounding (≈1e-14), unequal ones by far more.
    /// </summary>
    public const double LossTolerance = 1e-9;

    /// <summary>
    /// The realizable minimizer of the region whose node j has column <paramref name="columns"/>[j] and whose
    /// subglobal minimum is <paramref name="loss"/>, or null when none is strictly inside. The region must be
    /// nonempty (every column feasible). <paramref name="system"/> is the calling thread's workspace.
    /// </summary>
    public static RealizedMinimum? Decide(ColumnSystem system, IReadOnlyList<ulong[]> columns, double loss)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(columns);
        int hidden = system.Shape.Hidden;
        double lossGap = LossTolerance * (1.0 + 0.5 * system.SumSquaredTargets);
        // Fewest zeroed nodes first: the most common realization keeps every node alive, and the full region's
        // minimizer set tells which nodes can never be zeroed.
        int pinned = 0;
        foreach (int zeroed in Enumerable.Range(0, 1 << hidden).OrderBy(z => System.Numerics.BitOperations.PopCount((uint)z)))
        {
            if ((zeroed & pinned) != 0) continue;
            RegionLoss reduced = system.Solve(columns, zeroed);
            if (reduced.Loss - loss > lossGap) continue;
            double[] minimizer = system.MinimumNorm(reduced.Rank);
            double[] basis = system.NullSpace(reduced.Rank);
            if (zeroed == 0) pinned = Pinned(system.Shape, minimizer, basis, reduced.Rank);
            if (reduced.Rank == system.Shape.Parameters)
            {
                // A unique minimizer: the nodes decouple, and each has at most one sign that works.
                int[]? unique = UniqueSigns(system, columns, minimizer, zeroed);
                if (unique is not null) return new RealizedMinimum(Zeroed(minimizer, unique, system.Shape.Features), unique);
                continue;
            }
            int alive = hidden - System.Numerics.BitOperations.PopCount((uint)zeroed);
            for (int choice = 0; choice < 1 << alive; choice++)
            {
                int[] signs = Signs(hidden, zeroed, choice);
                double[]? point = Inside(system, columns, minimizer, basis, reduced.Rank, signs);
                if (point is not null) return new RealizedMinimum(point, signs);
            }
        }
        return null;
    }

    // Nodes whose (p_j, q_j) is the same nonzero vector on every minimizer: no minimizer has them zero, so no set of
    // zeroed nodes containing them keeps the loss. On full-rank regions this skips every reduced solve.
    private static int Pinned(RegionShape shape, double[] minimizer, double[] basis, int rank)
    {
        int d = shape.Features;
        int free = shape.Parameters - rank;
        double scale = 1.0;
        foreach (double v in minimizer) scale = Math.Max(scale, Math.Abs(v));
        int pinned = 0;
        for (int j = 0; j < shape.Hidden; j++)
        {
            bool moves = false, nonzero = false;
            for (int k = j * d; k < (j + 1) * d; k++)
            {
                nonzero |= Math.Abs(minimizer[k]) > ZeroTolerance * scale;
                for (int c = 0; c < free; c++) moves |= Math.Abs(basis[k * free + c]) > ZeroTolerance;
            }
            if (nonzero && !moves) pinned |= 1 << j;
        }
        return pinned;
    }

    // The sign of each alive node under which the unique minimizer is strictly inside, or null when a node has none:
    // the test of Inside without a null space, node by node.
    private static int[]? UniqueSigns(ColumnSystem system, IReadOnlyList<ulong[]> columns, double[] minimizer, int zeroed)
    {
        Dataset data = system.Data;
        RegionShape shape = system.Shape;
        bool bias = shape.Bias == 1;
        int d = shape.Features;
        double scale = 1.0;
        foreach (double v in minimizer) scale = Math.Max(scale, Math.Abs(v));
        double[] x = new double[d];
        int[] signs = new int[shape.Hidden];
        for (int j = 0; j < shape.Hidden; j++)
        {
            if (((zeroed >> j) & 1) == 1) continue;
            for (int i = 0; i < data.Count; i++)
            {
                double norm = ColumnFeasibility.Augmented(data, bias, i, x);
                if (norm == 0.0) continue;
                double alpha = 0.0;
                for (int k = 0; k < d; k++) alpha += minimizer[j * d + k] * x[k];
                alpha *= ColumnFeasibility.Active(columns[j], i) ? 1.0 : -1.0;
                if (!(Math.Abs(alpha) > ZeroTolerance * norm * scale)) return null;
                int sign = Math.Sign(alpha);
                if (signs[j] == 0) signs[j] = sign;
                else if (signs[j] != sign) return null;
            }
            // A node with no conditions (every point at the origin) takes v_j > 0.
            if (signs[j] == 0) signs[j] = 1;
        }
        return signs;
    }

    // σ_j for the alive nodes from the bits of choice (bit set = −1), 0 for zeroed nodes.
    private static int[] Signs(int hidden, int zeroed, int choice)
    {
        int[] signs = new int[hidden];
        int bit = 0;
        for (int j = 0; j < hidden; j++)
        {
            if (((zeroed >> j) & 1) == 1) continue;
            signs[j] = ((choice >> bit++) & 1) == 1 ? -1 : 1;
        }
        return signs;
    }

    // A minimizer p_min + N c strictly inside for the sign choice, or null.
    private static double[]? Inside(ColumnSystem system, IReadOnlyList<ulong[]> columns, double[] minimizer, double[] basis, int rank, int[] signs)
    {
        Dataset data = system.Data;
        RegionShape shape = system.Shape;
        bool bias = shape.Bias == 1;
        int d = shape.Features;
        int m = shape.Parameters;
        int free = m - rank;
        double scale = 1.0;
        foreach (double v in minimizer) scale = Math.Max(scale, Math.Abs(v));

        // Rows over (c_1..c_free, τ, t): −(α τ + βᵀc)/‖(α, β)‖ + t ≤ 0.
        var rows = new List<double[]>();
        double[] x = new double[d];
        for (int j = 0; j < shape.Hidden; j++)
        {
            if (signs[j] == 0) continue;
            int node = j * d;
            for (int i = 0; i < data.Count; i++)
            {
                double norm = ColumnFeasibility.Augmented(data, bias, i, x);
                if (norm == 0.0) continue;
                double s = signs[j] * (ColumnFeasibility.Active(columns[j], i) ? 1.0 : -1.0);
                double[] row = new double[free + 2];
                for (int k = 0; k < d; k++) row[free] += s * minimizer[node + k] * x[k];
                double size = Math.Abs(row[free]);
                for (int c = 0; c < free; c++)
                {
                    double b = 0.0;
                    for (int k = 0; k < d; k++) b += basis[(node + k) * free + c] * x[k];
                    row[c] = s * b;
                    size = Math.Max(size, Math.Abs(row[c]));
                }
                if (size <= ZeroTolerance * norm * scale) return null;
                for (int c = 0; c <= free; c++) row[c] = -row[c] / size;
                row[free + 1] = 1.0;
                rows.Add(row);
            }
        }
        double[] lower = new double[free + 2];
        double[] upper = new double[free + 2];
        Array.Fill(lower, -1.0);
        Array.Fill(upper, 1.0);
        lower[free] = 0.0;
        var program = new LinearProgram(lower, upper);
        foreach (double[] row in rows) program.AddLessOrEqual(row, 0.0);
        // t ≤ τ: a positive margin needs τ > 0, so the point can be divided by it.
        double[] link = new double[free + 2];
        link[free] = -1.0;
        link[free + 1] = 1.0;
        program.AddLessOrEqual(link, 0.0);
        double[] objective = new double[free + 2];
        objective[free + 1] = 1.0;
        LinearProgramResult result = program.Maximize(objective);
        if (result.Status != LinearProgramStatus.Optimal || !(result.Objective > ColumnFeasibility.MarginTolerance)) return null;
        double[] point = (double[])minimizer.Clone();
        double tau = result.X[free];
        for (int r = 0; r < m; r++)
        {
            for (int c = 0; c < free; c++) point[r] += basis[r * free + c] * result.X[c] / tau;
        }
        return Zeroed(point, signs, d);
    }

    // Zeroed nodes have p_j = q_j = 0 exactly: their parameters are free in the reduced system.
    private static double[] Zeroed(double[] point, int[] signs, int d)
    {
        for (int j = 0; j < signs.Length; j++)
        {
            if (signs[j] == 0) Array.Clear(point, j * d, d);
        }
        return point;
    }
}
