namespace Engine.Core;

/// <summary>
/// Builds and solves one region's Eq. 7 system straight from its activation columns (one bit set per hidden
/// node), for regions that have no 62-bit index or are visited one by one: the same packed entry
/// (<see cref="RegionTables.AddOuterProduct"/>), scratch layout and <see cref="RegionSolve"/> code as the
/// tabulated path. One instance per thread; it owns its scratch.
/// </summary>
public sealed class ColumnSystem
{
    private readonly double[] _entry;
    private readonly double[] _z;
    private readonly double[] _scratch;

    /// <summary>Creates a workspace for <paramref name="data"/> and networks of <paramref name="shape"/>'s size.</summary>
    public ColumnSystem(Dataset data, RegionShape shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
        Shape = shape;
        _entry = new double[shape.EntrySize];
        _z = new double[shape.Parameters];
        _scratch = GC.AllocateArray<double>(shape.SolutionScratch, pinned: true);
        SumSquaredTargets = data.SumSquaredTargets;
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
        int hidden = Shape.Hidden;
        bool bias = Shape.Bias == 1;
        Array.Clear(_entry);
        for (int i = 0; i < Data.Count; i++)
        {
            int active = 0;
            for (int j = 0; j < hidden; j++)
            {
                if (ColumnFeasibility.Active(columns[j], i)) active |= 1 << j;
            }
            active &= ~zeroed;
            // Without bias an inactive point has z_i = 0 and adds nothing.
            if (active == 0 && !bias) continue;
            RegionTables.Features(Data, hidden, bias, i, active, _z);
            RegionTables.AddOuterProduct(_z, Data.Y[i], _entry);
        }
        fixed (double* entry = _entry)
        fixed (double* scratch = _scratch)
        {
            var s = new PointerScratch(scratch);
            RegionSystem.LoadEntry(new PointerScratch(entry), 0, s, Shape.Parameters, accumulate: false);
            return RegionSolve.Factor(s, Shape.Parameters, SumSquaredTargets);
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
