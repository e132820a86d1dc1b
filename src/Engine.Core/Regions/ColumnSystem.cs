using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Engine.Core.Data;
using Engine.Core.Geometry;

namespace Engine.Core.Regions;

/// <summary>
/// Builds and solves regions' Eq. 7 systems straight from their activation columns (one bit set per hidden node),
/// for regions that have no 62-bit index or are visited by their columns: one at a time into the scratch layout of
/// <see cref="RegionSystem"/> and through the same <see cref="RegionSolve"/> code as the tabulated path, or a lane
/// group at a time through <see cref="RegionLanes"/> (<see cref="SolveLanes"/>). One instance per thread; it owns its
/// scratch.
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
    // The columns of the region last passed to Solve, as an array: the exact path's design reads them per point and
    // node, an array read where the list would take an interface call.
    private ulong[][] _columns = [];
    private int _zeroed;
    private readonly ulong[] _solvedColumns;
    private int _solvedZeroed = -1;
    private readonly Dictionary<ulong, double[]> _cellSums = [];
    private readonly double[] _uncachedSums;
    private readonly ulong[] _recentKeys;
    private readonly double[] _products;
    private readonly int _productStride;
    private readonly double[] _lambda;
    private readonly double[]?[] _recentSums;
    private readonly int _sumsLength;
    private readonly double[] _pointNorms;
    private readonly Dictionary<ReducedKey, RegionLoss> _reducedLosses = new(new ReducedKeyComparer());
    private readonly ulong[] _probe;
    private ColumnSystem? _reducer;
    private double[]? _laneSystems;
    private double[]? _laneZero;
    private double[]? _laneScratch;
    private double[]? _laneSolutions;
    private ulong[]? _laneColumns;
    private readonly SystemLayout _scratchLayout;
    private SystemLayout? _laneLayout;

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
        _recentKeys = new ulong[shape.Hidden];
        // Each point's products x̃_r·x̃_c (lower triangle by rows), padded to whole vectors: Λ blocks add them a vector at a time.
        int triangle = shape.Features * (shape.Features + 1) / 2;
        _productStride = (triangle + Vector<double>.Count - 1) / Vector<double>.Count * Vector<double>.Count;
        _products = GC.AllocateArray<double>(shape.Points * _productStride, pinned: true);
        for (int i = 0; i < shape.Points; i++)
        {
            int t = 0;
            for (int r = 0; r < shape.Features; r++)
            {
                for (int c = 0; c <= r; c++) _products[i * _productStride + t++] = _points[i * shape.Features + r] * _points[i * shape.Features + c];
            }
        }
        _lambda = GC.AllocateArray<double>(_productStride, pinned: true);
        // RegionSystem's scratch: G row-major, m × m, then b.
        int m = shape.Parameters;
        _scratchLayout = new SystemLayout(shape, (row, column) => row * m + column, row => m * m + row);
        _recentSums = new double[]?[shape.Hidden];
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

    // Code run per region or per program is AggressiveOptimization: compiled once, fully optimized, when first called,
    // rather than run from ReadyToRun or tier-0 code until the tiering thread, busy with hundreds of lukewarm methods,
    // reaches it: 5 to 19 % of a half-second nonempty run (see the README's Performance section).

    /// <summary>
    /// <see cref="Solve"/>'s loss and rank for the region with the nodes in <paramref name="zeroed"/> left out, without
    /// disturbing the factor in the scratch, kept per workspace: realizability asks for the same reduced regions again
    /// and again, since every region that shares the alive nodes' columns (in the same positions) has the same one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe RegionLoss Solve(IReadOnlyList<ulong[]> columns, int zeroed = 0)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = columns as ulong[][] ?? [.. columns];
        _zeroed = zeroed;
        // The same region again (realizability right after the enumeration's solve): its factor is still in the scratch.
        if (zeroed == _solvedZeroed && SameColumns(columns)) return _solved;
        _solvedZeroed = -1;
        fixed (double* scratch = _scratch)
        fixed (double* points = _points)
        {
            // Zeroed nodes leave their entries unwritten, and the scalar path reads G's lower triangle as a whole.
            new Span<double>(scratch, Shape.Rhs + Shape.Parameters).Clear();
            Build(columns, zeroed, scratch, _scratchLayout, 1, 0, points);
            return Solved(columns, zeroed, RegionSolve.Solve(new PointerScratch(scratch), Shape, SumSquaredTargets, Normalized.LossScale, Design(points)));
        }
    }

    /// <summary>
    /// <see cref="Solve"/> for a region that <see cref="SolveLanes"/> reported declined: the fast path's steps, which
    /// the lane took and failed, are not taken again, and the region goes on from the steps after them on its design.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe RegionLoss SolveDeclined(IReadOnlyList<ulong[]> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = columns as ulong[][] ?? [.. columns];
        _zeroed = 0;
        fixed (double* scratch = _scratch)
        fixed (double* points = _points)
        {
            return Solved(columns, 0, RegionSolve.OnDesign(new PointerScratch(scratch), Shape, Normalized.LossScale, Design(points), RegionLoss.IndependentRows));
        }
    }

    // Keeps which region the factor in the scratch belongs to, for a repeated Solve.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private RegionLoss Solved(IReadOnlyList<ulong[]> columns, int zeroed, RegionLoss solved)
    {
        _solved = solved;
        int words = ColumnFeasibility.Words(Shape.Points);
        for (int j = 0; j < Shape.Hidden; j++) columns[j].AsSpan(0, words).CopyTo(_solvedColumns.AsSpan(j * words, words));
        _solvedZeroed = zeroed;
        return solved;
    }

    /// <summary>
    /// Regions <see cref="SolveLanes"/> takes at once: <see cref="HostRegionSolver.LaneWidth"/>, or 0 where the lane path
    /// does not apply (no SIMD, m above <see cref="RegionLanes.MaxParameters"/>, or more parameters than points).
    /// </summary>
    public int LaneWidth => Shape.Parameters <= RegionLanes.MaxParameters && Shape.Parameters <= Shape.Points ? HostRegionSolver.LaneWidth : 0;

    /// <summary>
    /// Solves <see cref="LaneWidth"/> regions at once, lane k's node j having column <paramref name="regions"/>[k][j]:
    /// each system is built as <see cref="Solve"/> builds it and the group is factored by <see cref="RegionLanes.Factor"/>.
    /// Returns the certified lanes as a bit mask. A certified lane has rank m and its loss (data's units) in
    /// <paramref name="losses"/>[k], with the bits <see cref="Solve"/> gives, since the lanes take the scalar path's
    /// steps; with <paramref name="minimizers"/>, its unique minimizer is kept for <see cref="LaneMinimizer"/> and
    /// <see cref="RefutedUnique"/>. The other lanes must go through <see cref="SolveDeclined"/> when they are in
    /// <paramref name="declined"/> (the scalar fast path declines them too), else through <see cref="Solve"/>. The
    /// scratch keeps no factor afterwards.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe uint SolveLanes(IReadOnlyList<IReadOnlyList<ulong[]>> regions, double[] losses, bool minimizers, out uint declined)
    {
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(losses);
        int width = LaneWidth;
        if (width == 0) throw new InvalidOperationException("the lane path does not apply to this shape or machine");
        int m = Shape.Parameters;
        _laneSystems ??= GC.AllocateArray<double>(Shape.EntrySize * width, pinned: true);
        _laneZero ??= GC.AllocateArray<double>(Shape.EntrySize, pinned: true);
        _laneScratch ??= GC.AllocateArray<double>(RegionLanes.FactorScratchPerLane(Shape) * width, pinned: true);
        _laneSolutions ??= GC.AllocateArray<double>(m * width, pinned: true);
        _solvedZeroed = -1;
        fixed (double* points = _points)
        fixed (double* systems = _laneSystems)
        fixed (double* zero = _laneZero)
        fixed (double* lanes = _laneScratch)
        fixed (double* solutions = _laneSolutions)
        fixed (double* loss = losses)
        {
            // With every node alive each lane's entries are all written: no clearing.
            for (int lane = 0; lane < width; lane++) Build(regions[lane], 0, systems, _laneLayout ??= LaneLayout(), width, lane, points);
            return width == Twice<Lanes512, Vector512<double>>.Count
                ? Group<Twice<Lanes512, Vector512<double>>, Pair<Vector512<double>>>(systems, zero, lanes, loss, points, solutions, minimizers, out declined)
                : Group<Twice<Lanes256, Vector256<double>>, Pair<Vector256<double>>>(systems, zero, lanes, loss, points, solutions, minimizers, out declined);
        }
    }

    /// <summary>
    /// After <see cref="SolveLanes"/> with minimizers, certified lane <paramref name="lane"/>'s unique minimizer in the
    /// normalised data's units, with the bits <see cref="MinimumNorm"/> gives after <see cref="Solve"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double[] LaneMinimizer(int lane)
    {
        int width = LaneWidth;
        double[] p = new double[Shape.Parameters];
        for (int i = 0; i < p.Length; i++) p[i] = _laneSolutions![i * width + lane];
        return p;
    }

    /// <summary>
    /// After <see cref="SolveLanes"/> with minimizers, the lanes among <paramref name="certified"/> that
    /// <see cref="Realizability.RefutedUnique"/> finds not realizable: the same <paramref name="regions"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe uint RefutedUnique(IReadOnlyList<IReadOnlyList<ulong[]>> regions, uint certified)
    {
        ArgumentNullException.ThrowIfNull(regions);
        if (certified == 0) return 0;
        int width = LaneWidth;
        int words = ColumnFeasibility.Words(Shape.Points);
        _laneColumns ??= GC.AllocateArray<ulong>(Shape.Hidden * words * width, pinned: true);
        for (int lane = 0; lane < width; lane++)
        {
            for (int j = 0; j < Shape.Hidden; j++)
            {
                ulong[] column = regions[lane][j];
                for (int w = 0; w < words; w++) _laneColumns[(j * words + w) * width + lane] = column[w];
            }
        }
        fixed (double* points = _points)
        fixed (double* norms = _pointNorms)
        fixed (double* solutions = _laneSolutions)
        fixed (ulong* columns = _laneColumns)
        {
            uint refuted = width == Twice<Lanes512, Vector512<double>>.Count
                ? Realizability.RefutedUnique<Twice<Lanes512, Vector512<double>>, Pair<Vector512<double>>>(Shape, solutions, columns, points, norms)
                : Realizability.RefutedUnique<Twice<Lanes256, Vector256<double>>, Pair<Vector256<double>>>(Shape, solutions, columns, points, norms);
            return refuted & certified;
        }
    }

    // RegionLanes' packed system of one lane: G's upper triangle by rows ((i, j ≥ i) is G_ji), then b.
    private SystemLayout LaneLayout()
    {
        int m = Shape.Parameters;
        return new SystemLayout(Shape, (row, column) => column * m - column * (column - 1) / 2 + (row - column), row => m * (m + 1) / 2 + row);
    }

    // The lane factorization of a packed group (shared entry zero), then its certified lanes' minimizers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe uint Group<TL, TV>(double* systems, double* zero, double* lanes, double* losses, double* points, double* solutions, bool minimizers, out uint declined)
        where TL : struct, ILanes<TV>
        where TV : unmanaged
    {
        uint certified = RegionLanes.Factor<TL, TV>(zero, systems, Shape, SumSquaredTargets, Normalized.LossScale, losses, (TV*)lanes, out declined);
        if (minimizers && certified != 0) RegionLanes.Minimizer<TL, TV>(Shape, points + RegionDesign.Units(Shape), (TV*)lanes, solutions);
        return certified;
    }

    // The lower triangle of the region's Eq. 7 system G and its right-hand side b, written where the layout puts them,
    // element e at target[e·stride + offset]; nodes in the zeroed mask are left out, and so are their entries, which the
    // caller clears.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Build(IReadOnlyList<ulong[]> columns, int zeroed, double* target, SystemLayout layout, int stride, int offset, double* points)
    {
        int d = Shape.Features;
        int hidden = Shape.Hidden;
        for (int j = 0; j < hidden; j++)
        {
            if (((zeroed >> j) & 1) == 1) continue;
            ulong[] a = columns[j];
            // Φ_j (lower triangle), Y_j, and with bias the row of c depend on node j's column alone. Nothing else
            // touches those entries, so the cell's sums (added in the same order) are assigned as they are.
            double[] sums = CellSums(j, a, points);
            int[] cell = layout.Cells[j];
            for (int e = 0; e < cell.Length; e++) target[cell[e] * stride + offset] = sums[e];
            for (int k = j + 1; k < hidden; k++)
            {
                if (((zeroed >> k) & 1) == 1) continue;
                // Λ_jk = Σ x̃_i x̃_iᵀ over the points where both are active is symmetric: its lower triangle is summed, in
                // point order, and mirrored, which gives the sums of the full block since x_r·x_c = x_c·x_r exactly. The
                // products are the point's kept ones, so the vector sums have the bits of a scalar loop over the entries.
                Lambda(a, columns[k]);
                int[] pair = layout.Pairs[j * hidden + k];
                for (int e = 0; e < d * d; e++) target[pair[e] * stride + offset] = _lambda[layout.Mirror[e]];
            }
        }
        if (Shape.Bias == 1)
        {
            // c is active at every point.
            target[layout.Corner * stride + offset] = Shape.Points;
            target[layout.CornerRhs * stride + offset] = _sumTargets;
        }
    }

    // Where Build writes: element indices of G's lower triangle (row ≥ column) and of b, for each node's cell sums in
    // CellSums' order, for each node pair's Λ block row by row, and for c's corner; Mirror gives the entry of Λ's kept
    // lower triangle that each position of the block reads. Made once per workspace and layout.
    private sealed class SystemLayout
    {
        public SystemLayout(in RegionShape shape, Func<int, int, int> entry, Func<int, int> rhs)
        {
            int m = shape.Parameters;
            int d = shape.Features;
            int hidden = shape.Hidden;
            Cells = new int[hidden][];
            Pairs = new int[hidden * hidden][];
            for (int j = 0; j < hidden; j++)
            {
                int block = j * d;
                var cell = new List<int>();
                for (int r = 0; r < d; r++)
                {
                    for (int c = 0; c <= r; c++) cell.Add(entry(block + r, block + c));
                }
                for (int r = 0; r < d; r++) cell.Add(rhs(block + r));
                for (int r = 0; shape.Bias == 1 && r < d; r++) cell.Add(entry(m - 1, block + r));
                Cells[j] = [.. cell];
                // Node k's rows sit below node j's, so the whole block is in the lower triangle.
                for (int k = j + 1; k < hidden; k++)
                {
                    int[] pair = Pairs[j * hidden + k] = new int[d * d];
                    for (int r = 0; r < d; r++)
                    {
                        for (int c = 0; c < d; c++) pair[r * d + c] = entry(k * d + r, block + c);
                    }
                }
            }
            Mirror = new int[d * d];
            for (int r = 0; r < d; r++)
            {
                for (int c = 0; c < d; c++) Mirror[r * d + c] = c <= r ? r * (r + 1) / 2 + c : c * (c + 1) / 2 + r;
            }
            Corner = entry(m - 1, m - 1);
            CornerRhs = rhs(m - 1);
        }

        public int[][] Cells { get; }

        public int[][] Pairs { get; }

        public int[] Mirror { get; }

        public int Corner { get; }

        public int CornerRhs { get; }
    }

    // Σ over the points of a AND b of their kept products x̃_r·x̃_c, in point order, into _lambda.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Lambda(ulong[] a, ulong[] b)
    {
        int chunks = _productStride / Vector<double>.Count;
        fixed (double* products = _products)
        fixed (double* lambda = _lambda)
        {
            for (int v = 0; v < chunks; v++)
            {
                Vector<double> sum = Vector<double>.Zero;
                double* column = products + v * Vector<double>.Count;
                for (int w = 0; w < a.Length; w++)
                {
                    for (ulong bits = a[w] & b[w]; bits != 0; bits &= bits - 1)
                    {
                        int i = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                        sum += Vector.Load(column + i * _productStride);
                    }
                }
                sum.Store(lambda + v * Vector<double>.Count);
            }
        }
    }

    /// <summary>
    /// After <see cref="Solve"/>, the minimizer of smallest norm in the normalised data's units (m values, Eq. 4
    /// order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    // The data's near-degeneracy, found once per dataset and kept here so that each decision reads a field.
    internal NearDegeneracy Degeneracy => _degeneracy ??= NearDegeneracy.Of(Normalized);

    private NearDegeneracy? _degeneracy;

    /// <summary>
    /// After <see cref="MinimumNorm"/>, |R₁₁|/|R_rr| of the exact path's pivoted QR of the equilibrated design (r its
    /// rank): a lower bound on the condition number of the columns it kept, which a least-squares minimizer with a
    /// residual is only known to about its square times ε. 1 after the certified fast path, whose accuracy is certified.
    /// </summary>
    public double PivotRatio()
    {
        int rank = _solved.Rank;
        if (_solved.Path != RegionLoss.QR || rank == 0) return 1.0;
        int m = Shape.Parameters;
        return Math.Abs(_scratch[0]) / Math.Abs(_scratch[(rank - 1) * m + rank - 1]);
    }

    /// <summary>
    /// After <see cref="Solve"/>, a basis of the null space of Z in the normalised data's units, as an m × (m − rank)
    /// row-major matrix whose columns have unit ∞-norm: the region's minimizers are p_min + N c for every c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe double[] CellSums(int node, ulong[] a, double* points)
    {
        bool keyed = a.Length == 1;
        // An odometer over the nodes changes the last node's column every row and the others' rarely: each node's last
        // kept sums are checked before the dictionary.
        if (keyed && _recentSums[node] is { } recent && _recentKeys[node] == a[0]) return recent;
        if (keyed && _cellSums.TryGetValue(a[0], out double[]? kept))
        {
            _recentKeys[node] = a[0];
            return _recentSums[node] = kept;
        }
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
        if (!ReferenceEquals(sums, _uncachedSums))
        {
            _cellSums[a[0]] = sums;
            _recentKeys[node] = a[0];
            _recentSums[node] = sums;
        }
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    private readonly struct ColumnDesign(ulong[][] columns, int zeroed, PointerScratch points) : IRegionDesign
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Write<TS>(TS s, in RegionShape shape) where TS : struct, IScratch
        {
            int rows = 0;
            int zeroRows = shape.Points;
            for (int i = 0; i < shape.Points; i++) rows = RegionDesign.WriteRow(s, shape, points, i, Active(i, shape.Hidden), rows, ref zeroRows);
            return rows;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
