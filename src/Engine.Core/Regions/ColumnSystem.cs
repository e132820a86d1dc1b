using Engine.Core.Data;
using Engine.Core.Geometry;

namespace Engine.Core.Regions;

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
    // The point store of RegionDesign: x̃_i row by row, so that the bit walks read contiguous memory, then ỹ and units.
    private readonly double[] _points;
    private readonly double[] _scratch;
    private readonly double _sumTargets;
    private RegionLoss _solved;
    private IReadOnlyList<ulong[]> _columns = [];
    private int _zeroed;
    private readonly ulong[] _solvedColumns;
    private int _solvedZeroed = -1;
    private readonly Dictionary<ulong, double[]> _cellSums = [];
    private readonly double[] _uncachedSums;
    private readonly int _sumsLength;
    private readonly double[] _pointNorms;
    private readonly Dictionary<ReducedKey, RegionLoss> _reducedLosses = new(new ReducedKeyComparer());
    private readonly ulong[] _probe;
    private ColumnSystem? _reducer;

    // Cells whose sums one workspace keeps (about 12 MiB for d = 3 with bias), far more than an arrangement of the
    // point counts a nonempty run can finish has.
    private const int MaxCellSums = 1 << 16;

    // Reduced regions whose losses one workspace keeps: with h = 2 a run meets every cell's single-node region in
    // thousands of regions, and with h = 3 every pair's.
    private const int MaxReducedLosses = 1 << 16;

    /// <summary>Creates a workspace for <paramref name="data"/> and networks of <paramref name="shape"/>'s size.</summary>
    public ColumnSystem(Dataset data, RegionShape shape) : this(NormalizedData.Create(data, shape.Bias == 1), shape)
    {
    }

    /// <summary>Creates a workspace for data already normalised for <paramref name="shape"/>'s bias.</summary>
    public ColumnSystem(NormalizedData normalized, RegionShape shape)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        Normalized = normalized;
        Shape = shape;
        _points = GC.AllocateArray<double>(RegionDesign.PointsLength(shape), pinned: true);
        // Solutions here serve realizability, which works in the normalised data's units.
        RegionDesign.FillPoints(normalized, shape, _points, dataUnits: false);
        _scratch = GC.AllocateArray<double>(shape.SolutionScratch, pinned: true);
        _solvedColumns = new ulong[shape.Hidden * ColumnFeasibility.Words(shape.Points)];
        _sumsLength = shape.Features * (shape.Features + 1) / 2 + shape.Features * (1 + shape.Bias);
        _uncachedSums = new double[_sumsLength];
        foreach (double y in normalized.Data.Y) _sumTargets += y;
        _pointNorms = new double[shape.Points];
        for (int i = 0; i < shape.Points; i++)
        {
            foreach (double x in Point(i)) _pointNorms[i] = Math.Max(_pointNorms[i], Math.Abs(x));
        }
        _probe = new ulong[shape.Hidden * ColumnFeasibility.Words(shape.Points)];
    }

    /// <summary>The dataset as given.</summary>
    public Dataset Data => Normalized.Source;

    /// <summary>The normalised copy the systems are built from.</summary>
    public NormalizedData Normalized { get; }

    /// <summary>The network's sizes.</summary>
    public RegionShape Shape { get; }

    /// <summary>Σ ỹ_i² of the normalised targets.</summary>
    public double SumSquaredTargets => Normalized.SumSquaredTargets;

    /// <summary>x̃_i of the normalised data: x_i, then 1 with bias (<see cref="ColumnFeasibility.Augmented"/>'s values).</summary>
    public ReadOnlySpan<double> Point(int point) => _points.AsSpan(point * Shape.Features, Shape.Features);

    /// <summary>‖x̃_i‖∞ of <see cref="Point"/>.</summary>
    public double PointNorm(int point) => _pointNorms[point];

    /// <summary>
    /// <see cref="Solve"/>'s loss and rank for the region with the nodes in <paramref name="zeroed"/> left out, without
    /// disturbing the factor in the scratch, kept per workspace: realizability asks for the same reduced regions again
    /// and again, since every region that shares the alive nodes' columns (in the same positions) has the same one.
    /// </summary>
    public RegionLoss ReducedLoss(IReadOnlyList<ulong[]> columns, int zeroed)
    {
        ArgumentNullException.ThrowIfNull(columns);
        int words = ColumnFeasibility.Words(Shape.Points);
        Array.Clear(_probe);
        for (int j = 0; j < Shape.Hidden; j++)
        {
            if (((zeroed >> j) & 1) == 0) columns[j].AsSpan(0, words).CopyTo(_probe.AsSpan(j * words, words));
        }
        if (_reducedLosses.TryGetValue(new ReducedKey(zeroed, _probe), out RegionLoss kept)) return kept;
        // A workspace of its own, so that the factor MinimumNorm and NullSpace read stays this one's.
        RegionLoss reduced = (_reducer ??= new ColumnSystem(Normalized, Shape)).Solve(columns, zeroed);
        if (_reducedLosses.Count < MaxReducedLosses) _reducedLosses[new ReducedKey(zeroed, (ulong[])_probe.Clone())] = reduced;
        return reduced;
    }

    /// <summary>
    /// Builds and solves the system of the region whose node j has column <paramref name="columns"/>[j], with the
    /// nodes in the bit mask <paramref name="zeroed"/> treated as inactive everywhere; returns loss (in the data's
    /// units) and rank, by the certified fast path or the exact path (<see cref="RegionSolve"/>). The factor stays in
    /// the scratch for <see cref="MinimumNorm"/> and <see cref="NullSpace"/>.
    /// </summary>
    public unsafe RegionLoss Solve(IReadOnlyList<ulong[]> columns, int zeroed = 0)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = columns;
        _zeroed = zeroed;
        // The same region again (realizability right after the enumeration's solve): its factor is still in the scratch.
        if (zeroed == _solvedZeroed && SameColumns(columns)) return _solved;
        _solvedZeroed = -1;
        int m = Shape.Parameters;
        int d = Shape.Features;
        int hidden = Shape.Hidden;
        int yBase = Shape.Points * d;
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
                // Φ_j (lower triangle), Y_j, and with bias the row of c depend on node j's column alone. Nothing else
                // touches those entries, so the cell's sums (added in the same order) are assigned as they are.
                double[] sums = CellSums(a, points);
                int e = 0;
                for (int r = 0; r < d; r++)
                {
                    for (int c = 0; c <= r; c++) g[(block + r) * m + block + c] = sums[e++];
                }
                for (int r = 0; r < d; r++) rhs[block + r] = sums[e++];
                for (int r = 0; Shape.Bias == 1 && r < d; r++) g[(m - 1) * m + block + r] = sums[e++];
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
                g[(m - 1) * m + m - 1] = Shape.Points;
                rhs[m - 1] = _sumTargets;
            }
            _solved = RegionSolve.Solve(new PointerScratch(scratch), Shape, SumSquaredTargets, Normalized.LossScale, Design(points));
            int words = ColumnFeasibility.Words(Shape.Points);
            for (int j = 0; j < hidden; j++) columns[j].AsSpan(0, words).CopyTo(_solvedColumns.AsSpan(j * words, words));
            _solvedZeroed = zeroed;
            return _solved;
        }
    }

    /// <summary>
    /// After <see cref="Solve"/>, the minimizer of smallest norm in the normalised data's units (m values, Eq. 4
    /// order).
    /// </summary>
    public unsafe double[] MinimumNorm()
    {
        fixed (double* scratch = _scratch)
        fixed (double* points = _points)
        {
            _solved = RegionSolve.Factored(new PointerScratch(scratch), Shape, _solved, Design(points));
            RegionSolve.MinimumNormSolution(new PointerScratch(scratch), Shape, _solved, Design(points));
        }
        return _scratch.AsSpan(Shape.LossScratch, Shape.Parameters).ToArray();
    }

    /// <summary>
    /// After <see cref="Solve"/>, a basis of the null space of Z in the normalised data's units, as an m × (m − rank)
    /// row-major matrix whose columns have unit ∞-norm: the region's minimizers are p_min + N c for every c.
    /// </summary>
    public unsafe double[] NullSpace()
    {
        fixed (double* scratch = _scratch)
        fixed (double* points = _points)
        {
            _solved = RegionSolve.Factored(new PointerScratch(scratch), Shape, _solved, Design(points));
        }
        int rank = _solved.Rank;
        int m = Shape.Parameters;
        int free = m - rank;
        double[] basis = new double[m * free];
        if (free == 0) return basis;
        fixed (double* scratch = _scratch)
        {
            RegionSolve.NullSpace(new PointerScratch(scratch), Shape, rank);
        }
        int k = Shape.LossScratch;
        int perm = Shape.Permutation;
        double[] scale = new double[m];
        fixed (double* scratch = _scratch)
        {
            for (int i = 0; i < m; i++) scale[i] = RegionSolve.Scale(new PointerScratch(scratch), Shape, _solved, i);
        }
        for (int c = 0; c < free; c++)
        {
            // Column c is P·D·[−K; I]e_c, then scaled so that its largest entry is 1.
            double largest = scale[rank + c];
            for (int i = 0; i < rank; i++) largest = Math.Max(largest, Math.Abs(scale[i] * _scratch[k + i * free + c]));
            for (int i = 0; i < rank; i++) basis[(int)_scratch[perm + i] * free + c] = -scale[i] * _scratch[k + i * free + c] / largest;
            basis[(int)_scratch[perm + rank + c] * free + c] = scale[rank + c] / largest;
        }
        return basis;
    }

    // Σ_(i∈A) x̃_i x̃_iᵀ (lower triangle by rows), Σ y_i x̃_i and Σ x̃_i over the points of column `a`. Columns of one
    // word (N ≤ 64, every indexed region) are kept by value, at most MaxCellSums of them: a nonempty run meets each
    // cell in many regions.
    private unsafe double[] CellSums(ulong[] a, double* points)
    {
        bool keyed = a.Length == 1;
        if (keyed && _cellSums.TryGetValue(a[0], out double[]? kept)) return kept;
        int d = Shape.Features;
        int yBase = Shape.Points * d;
        double[] sums = keyed && _cellSums.Count < MaxCellSums ? new double[_sumsLength] : _uncachedSums;
        Array.Clear(sums);
        for (int w = 0; w < a.Length; w++)
        {
            for (ulong bits = a[w]; bits != 0; bits &= bits - 1)
            {
                int i = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                double* x = points + i * d;
                double y = points[yBase + i];
                int e = 0;
                for (int r = 0; r < d; r++)
                {
                    double xr = x[r];
                    for (int c = 0; c <= r; c++) sums[e++] += xr * x[c];
                }
                for (int r = 0; r < d; r++) sums[e++] += y * x[r];
                for (int r = 0; Shape.Bias == 1 && r < d; r++) sums[e++] += x[r];
            }
        }
        if (!ReferenceEquals(sums, _uncachedSums)) _cellSums[a[0]] = sums;
        return sums;
    }

    // A reduced region: its zeroed nodes, and the alive nodes' columns in their positions (zero words for the others).
    private readonly record struct ReducedKey(int Zeroed, ulong[] Words);

    private sealed class ReducedKeyComparer : IEqualityComparer<ReducedKey>
    {
        public bool Equals(ReducedKey a, ReducedKey b) => a.Zeroed == b.Zeroed && a.Words.AsSpan().SequenceEqual(b.Words);

        public int GetHashCode(ReducedKey key)
        {
            var hash = new HashCode();
            hash.Add(key.Zeroed);
            foreach (ulong word in key.Words) hash.Add(word);
            return hash.ToHashCode();
        }
    }

    // Whether columns are, word for word, those of the last solve.
    private bool SameColumns(IReadOnlyList<ulong[]> columns)
    {
        int words = ColumnFeasibility.Words(Shape.Points);
        for (int j = 0; j < Shape.Hidden; j++)
        {
            if (!_solvedColumns.AsSpan(j * words, words).SequenceEqual(columns[j].AsSpan(0, words))) return false;
        }
        return true;
    }

    // The design of the region last passed to Solve, over this workspace's point store.
    private unsafe ColumnDesign Design(double* points) => new(_columns, _zeroed, new PointerScratch(points));

    // The design of a region given by its columns, nodes in the zeroed mask left out.
    private readonly struct ColumnDesign(IReadOnlyList<ulong[]> columns, int zeroed, PointerScratch points) : IRegionDesign
    {
        public int Write<TS>(TS s, in RegionShape shape) where TS : struct, IScratch
        {
            int rows = 0;
            int zeroRows = shape.Points;
            for (int i = 0; i < shape.Points; i++) rows = RegionDesign.WriteRow(s, shape, points, i, Active(i, shape.Hidden), rows, ref zeroRows);
            return rows;
        }

        public long Active(int point, int hidden)
        {
            long active = 0;
            for (int j = 0; j < hidden; j++)
            {
                if (((zeroed >> j) & 1) == 0 && ColumnFeasibility.Active(columns[j], point)) active |= 1L << j;
            }
            return active;
        }

        public double Store(int offset) => points[offset];
    }
}
