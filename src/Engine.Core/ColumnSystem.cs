namespace Engine.Core;

/// <summary>
/// Builds and solves one region's Eq. 7 system straight from its activation columns (one bit set per hidden
/// node), for regions that have no 62-bit index or are visited one by one, into the scratch layout of
/// <see cref="RegionSystem"/> and through the same <see cref="RegionSolve"/> code as the tabulated path. One
/// instance per thread; it owns its scratch.
/// </summary>
/// <remarks>
/// The blocks of Eq. 7 are sums over sets of points: Φ_j over the points where node j is active, Λ_jk over those
/// where j and k both are. Walking the set bits of a_·j and of a_·j AND a_·k adds exactly those points, so a
/// region costs O(Σ_j |A_j| + Σ_(j&lt;k) |A_j ∩ A_k|) small outer products instead of N full ones.
/// </remarks>
public sealed class ColumnSystem
{
    private readonly double[] _points;
    private readonly double[] _targets;
    private readonly double[] _scratch;
    private readonly double _sumTargets;

    /// <summary>Creates a workspace for <paramref name="data"/> and networks of <paramref name="shape"/>'s size.</summary>
    public ColumnSystem(Dataset data, RegionShape shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
        Shape = shape;
        int d = shape.Features;
        // x̃_i row by row, so that the bit walks read contiguous memory.
        _points = new double[data.Count * d];
        for (int i = 0; i < data.Count; i++) ColumnFeasibility.Augmented(data, shape.Bias == 1, i, _points.AsSpan(i * d, d));
        _targets = data.Y.ToArray();
        _scratch = GC.AllocateArray<double>(shape.SolutionScratch, pinned: true);
        SumSquaredTargets = data.SumSquaredTargets;
        foreach (double y in _targets) _sumTargets += y;
    }

    /// <summary>The dataset.</summary>
    public Dataset Data { get; }

    /// <summary>The network's sizes.</summary>
    public RegionShape Shape { get; }

    /// <summary>Σ y_i².</summary>
    public double SumSquaredTargets { get; }

    /// <summary>
    /// Builds and factors the system of the region whose node j has column <paramref name="columns"/>[j], with the
    /// nodes in the bit mask <paramref name="zeroed"/> treated as inactive everywhere; returns loss and rank.
    /// The factorization stays in the scratch for <see cref="MinimumNorm"/> and <see cref="NullSpace"/>.
    /// </summary>
    public unsafe RegionLoss Solve(IReadOnlyList<ulong[]> columns, int zeroed = 0)
    {
        ArgumentNullException.ThrowIfNull(columns);
        int m = Shape.Parameters;
        int d = Shape.Features;
        int hidden = Shape.Hidden;
        Array.Clear(_scratch, 0, m * m + m);
        fixed (double* scratch = _scratch)
        fixed (double* points = _points)
        {
            double* g = scratch;
            double* rhs = scratch + m * m;
            for (int j = 0; j < hidden; j++)
            {
                if (((zeroed >> j) & 1) == 1) continue;
                ulong[] a = columns[j];
                int block = j * d;
                for (int w = 0; w < a.Length; w++)
                {
                    for (ulong bits = a[w]; bits != 0; bits &= bits - 1)
                    {
                        int i = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                        double* x = points + i * d;
                        double y = _targets[i];
                        // Φ_j (lower triangle), Y_j, and with bias the row of c: Σ_(i∈A_j) x̃_iᵀ.
                        for (int r = 0; r < d; r++)
                        {
                            double xr = x[r];
                            for (int c = 0; c <= r; c++) g[(block + r) * m + block + c] += xr * x[c];
                            rhs[block + r] += y * xr;
                            if (Shape.Bias == 1) g[(m - 1) * m + block + r] += xr;
                        }
                    }
                }
                for (int k = j + 1; k < hidden; k++)
                {
                    if (((zeroed >> k) & 1) == 1) continue;
                    ulong[] b = columns[k];
                    int other = k * d;
                    for (int w = 0; w < a.Length; w++)
                    {
                        // Λ_jk: node k's rows sit below node j's, so the whole block is in the lower triangle.
                        for (ulong bits = a[w] & b[w]; bits != 0; bits &= bits - 1)
                        {
                            double* x = points + ((w << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits)) * d;
                            for (int r = 0; r < d; r++)
                            {
                                double xr = x[r];
                                for (int c = 0; c < d; c++) g[(other + r) * m + block + c] += xr * x[c];
                            }
                        }
                    }
                }
            }
            if (Shape.Bias == 1)
            {
                // c is active at every point.
                g[(m - 1) * m + m - 1] = Data.Count;
                rhs[m - 1] = _sumTargets;
            }
            return RegionSolve.Factor(new PointerScratch(scratch), m, SumSquaredTargets);
        }
    }

    /// <summary>After <see cref="Solve"/>, the minimum-norm minimizer (m values, Eq. 4 order).</summary>
    public unsafe double[] MinimumNorm(int rank)
    {
        fixed (double* scratch = _scratch)
        {
            RegionSolve.MinimumNormSolution(new PointerScratch(scratch), Shape.Parameters, rank);
        }
        return _scratch.AsSpan(Shape.LossScratch, Shape.Parameters).ToArray();
    }

    /// <summary>
    /// After <see cref="Solve"/>, a basis of the null space of the Eq. 7 matrix as an m × (m − rank) row-major
    /// matrix: the region's minimizers are p_min + N c for every c.
    /// </summary>
    public unsafe double[] NullSpace(int rank)
    {
        int m = Shape.Parameters;
        int free = m - rank;
        double[] basis = new double[m * free];
        if (free == 0) return basis;
        fixed (double* scratch = _scratch)
        {
            RegionSolve.NullSpace(new PointerScratch(scratch), m, rank);
        }
        int k = Shape.LossScratch;
        int perm = m * m + m;
        for (int c = 0; c < free; c++)
        {
            for (int i = 0; i < rank; i++) basis[(int)_scratch[perm + i] * free + c] = -_scratch[k + i * free + c];
            basis[(int)_scratch[perm + rank + c] * free + c] = 1.0;
        }
        return basis;
    }
}
