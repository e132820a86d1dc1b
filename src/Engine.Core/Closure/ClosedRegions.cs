using System.Runtime.CompilerServices;
using Engine.Core.Data;
using Engine.Core.Exact;
using Engine.Core.Geometry;
using Engine.Core.Network;
using Engine.Core.Regions;

namespace Engine.Core.Closure;

/// <summary>How a closed region's minimum was proven.</summary>
internal enum ClosureProof
{
    /// <summary>Double precision, with its KKT certificate checked on the data (<see cref="ConeLeastSquares"/>).</summary>
    Double,

    /// <summary>Rational arithmetic on the data's exact values (<see cref="ExactConeLeastSquares"/>), after the certificate failed.</summary>
    Exact,

    /// <summary>Neither: the exact path ran past its budget. The value is a network's loss, not a proven minimum.</summary>
    Undecided,
}

/// <summary>
/// A point θ = (W, b, v, c) of the real network (Eq. 1) in the closure of a region, checked on the data as given:
/// every pre-activation w_jᵀx_i + b_j has the region's sign or is zero within its rounding, and L_f(θ) (Eq. 3) equals
/// <see cref="Loss"/> within the level tolerance. Only <see cref="ClosedRegions"/> makes one.
/// </summary>
/// <param name="W">W, one row per hidden node.</param>
/// <param name="B">b (zeros without biases).</param>
/// <param name="V">v.</param>
/// <param name="C">c (0 without biases).</param>
/// <param name="Loss">L_f(θ) as evaluated on the data.</param>
/// <param name="Boundary">The (point, node) pairs whose pre-activation is zero within rounding: θ lies on those hyperplanes.</param>
internal sealed record ClosedNetwork(double[][] W, double[] B, double[] V, double C, double Loss, (int Point, int Node)[] Boundary);

/// <summary>One sign choice of one region, solved: its minimum over the closure and how it was proven.</summary>
/// <param name="Loss">min L_f over the closed region with these signs of v, in the data's units.</param>
/// <param name="Proof">How the value was proven.</param>
/// <param name="Network">A network attaining it, verified; null when the check failed (counted by the caller).</param>
internal sealed record ClosedMinimum(double Loss, ClosureProof Proof, ClosedNetwork? Network);

/// <summary>
/// L_f on the closure of a nonempty region A with h nodes, for a sign s_j of each v_j: with p_j = v_j·(w_j, b_j) the loss
/// there is ½‖Z_A p − y‖², and the closure with v_j of sign s_j is the cone s_j·cl(cell_j) for each p_j (v_j = 0 is p_j = 0).
/// Written over the cells' extreme rays (<see cref="CellRays"/>), p_j = s_j·Σ_r x_jr e_r with x ≥ 0, this is a least-squares
/// problem over a cone of columns: nonnegative least squares, with c free when the network has biases.
/// </summary>
/// <remarks>
/// Every parameter point lies in the closure of its own region, which is nonempty, so inf L_f is the least of these
/// minima over nonempty regions and signs, and it is attained. A region's subglobal minimum bounds all of its sign
/// choices from below (the unconstrained problem). Everything runs on the normalised data; losses come back in the data's
/// units.
/// </remarks>
internal sealed class ClosedRegions
{
    private readonly CellRays _rays;
    private readonly NormalizedData _normalized;
    private readonly int _n;
    private readonly int _d;
    private readonly bool _bias;
    private long _double;
    private long _exact;
    private long _undecided;
    private long _failedWitnesses;

    public ClosedRegions(CellRays rays, int hidden)
    {
        ArgumentNullException.ThrowIfNull(rays);
        _rays = rays;
        _normalized = rays.Cells.Normalized;
        _n = _normalized.Data.Count;
        _d = rays.Cells.Dimension;
        _bias = rays.Cells.Bias;
        Hidden = hidden;
        Shape = RegionShape.ForColumns(_n, _normalized.Data.Inputs, hidden, _bias);
    }

    /// <summary>Hidden nodes h.</summary>
    public int Hidden { get; }

    /// <summary>The network's sizes.</summary>
    public RegionShape Shape { get; }

    /// <summary>The cells' rays.</summary>
    public CellRays Rays => _rays;

    /// <summary>Sign choices proven in double precision.</summary>
    public long DoubleProofs => Interlocked.Read(ref _double);

    /// <summary>Sign choices proven in rational arithmetic after the double-precision certificate failed.</summary>
    public long ExactProofs => Interlocked.Read(ref _exact);

    /// <summary>Sign choices left unproven: the exact path ran past its budget.</summary>
    public long Undecided => Interlocked.Read(ref _undecided);

    /// <summary>Minima whose network failed its check on the data as given.</summary>
    public long FailedWitnesses => Interlocked.Read(ref _failedWitnesses);

    /// <summary>
    /// The sign choices of a region given as non-decreasing cells: ±1 per node, and among nodes of the same cell only
    /// the non-decreasing ones (nodes are interchangeable, so the others repeat them).
    /// </summary>
    public static List<int[]> Signs(ReadOnlySpan<int> cells)
    {
        int h = cells.Length;
        var choices = new List<int[]>();
        for (int bits = 0; bits < 1 << h; bits++)
        {
            bool canonical = true;
            for (int j = 1; j < h && canonical; j++)
            {
                // Within a run of equal cells, a −1 (bit set) may not precede a +1.
                if (cells[j] == cells[j - 1] && ((bits >> (j - 1)) & 1) == 1 && ((bits >> j) & 1) == 0) canonical = false;
            }
            if (!canonical) continue;
            int[] signs = new int[h];
            for (int j = 0; j < h; j++) signs[j] = ((bits >> j) & 1) == 1 ? -1 : 1;
            choices.Add(signs);
        }
        return choices;
    }

    /// <summary>
    /// The minimum of L_f over the closure of the region with these cells (one per node) and signs of v, proven, and a
    /// verified network attaining it. <paramref name="workspace"/> belongs to the calling thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ClosedMinimum Solve(ReadOnlySpan<int> cells, ReadOnlySpan<int> signs, Workspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        int free = _bias ? 1 : 0;
        int count = free;
        for (int j = 0; j < Hidden; j++) count += _rays.Of(cells[j]).Count;
        double[] a = workspace.Columns(count * _n);
        double[] x = workspace.Solution(count);
        if (_bias) a.AsSpan(0, _n).Fill(1.0);
        int k = free;
        for (int j = 0; j < Hidden; j++)
        {
            CellGenerators g = _rays.Of(cells[j]);
            for (int r = 0; r < g.Count; r++, k++)
            {
                for (int i = 0; i < _n; i++) a[k * _n + i] = signs[j] * g.Values[r * _n + i];
            }
        }
        ReadOnlySpan<double> y = _normalized.Data.Y;
        if (workspace.Solver.Solve(a.AsSpan(0, count * _n), _n, count, free, y, x.AsSpan(0, count), out double value))
        {
            Interlocked.Increment(ref _double);
            int[] chosen = cells.ToArray();
            return Finish(cells, signs, value, x, j => _rays.Of(chosen[j]), ClosureProof.Double);
        }
        return SolveExactly(cells, signs, free);
    }

    // The rational fallback on the exact rays; the value it proves is rounded once, at the end.
    private ClosedMinimum SolveExactly(ReadOnlySpan<int> cells, ReadOnlySpan<int> signs, int free)
    {
        var columns = new List<Rational[]>();
        if (_bias) columns.Add([.. Enumerable.Repeat(Rational.One, _n)]);
        for (int j = 0; j < Hidden; j++)
        {
            Rational[] values = _rays.ExactValues(cells[j]);
            Rational sign = signs[j] > 0 ? Rational.One : -Rational.One;
            for (int r = 0; r < values.Length / Math.Max(_n, 1); r++)
            {
                var column = new Rational[_n];
                for (int i = 0; i < _n; i++) column[i] = sign * values[r * _n + i];
                columns.Add(column);
            }
        }
        Rational[] y = [.. _normalized.Data.Y.ToArray().Select(Rational.From)];
        (Rational[] X, Rational Value)? exact = ExactConeLeastSquares.Solve(columns, free, y);
        int[] cellCopy = cells.ToArray();
        if (exact is not { } solved)
        {
            // Unproven: the double-precision answer stands as an upper bound only, its network still checked.
            Interlocked.Increment(ref _undecided);
            var workspace = new Workspace();
            int count = columns.Count;
            double[] a = new double[count * _n];
            for (int k = 0; k < count; k++)
            {
                for (int i = 0; i < _n; i++) a[k * _n + i] = columns[k][i].ToDouble();
            }
            double[] x = new double[count];
            workspace.Solver.Solve(a, _n, count, free, _normalized.Data.Y, x, out double value);
            return Finish(cells, signs, value, x, j => _rays.ExactGenerators(cellCopy[j]), ClosureProof.Undecided);
        }
        Interlocked.Increment(ref _exact);
        return Finish(cells, signs, solved.Value.ToDouble(), [.. solved.X.Select(v => v.ToDouble())], j => _rays.ExactGenerators(cellCopy[j]), ClosureProof.Exact);
    }

    // The loss in the data's units and the network of the solution, checked.
    private ClosedMinimum Finish(ReadOnlySpan<int> cells, ReadOnlySpan<int> signs, double value, double[] x, Func<int, CellGenerators> generators, ClosureProof proof)
    {
        double loss = value * _normalized.LossScale;
        ClosedNetwork? network = Network(cells, signs, x, generators, loss);
        if (network is null) Interlocked.Increment(ref _failedWitnesses);
        return new ClosedMinimum(loss, proof, network);
    }

    /// <summary>
    /// The network of a solution x over the columns (c first with bias, then each node's rays), in the data's units, or
    /// null when it fails its check: p_j = s_j·Σ_r x_jr e_r; v_j = s_j·√‖p_j‖ and w_j = p_j / v_j, or v_j = 0 and w_j the
    /// cell's interior point when p_j = 0.
    /// </summary>
    private ClosedNetwork? Network(ReadOnlySpan<int> cells, ReadOnlySpan<int> signs, double[] x, Func<int, CellGenerators> generators, double loss)
    {
        Dataset data = _normalized.Source;
        int n = data.Inputs;
        int h = Hidden;
        double[][] w = new double[h][];
        double[] b = new double[h];
        double[] v = new double[h];
        int k = _bias ? 1 : 0;
        double[] p = new double[_d];
        for (int j = 0; j < h; j++)
        {
            CellGenerators g = generators(j);
            Array.Clear(p);
            for (int r = 0; r < g.Count; r++, k++)
            {
                for (int q = 0; q < _d; q++) p[q] += x[k] * g.Rays[r * _d + q];
            }
            double scale = Realizability.OutputScale(p, _normalized.TargetScale);
            // In the data's units: p_jk·s/σ_k for the weights, p_j,n·s for the bias (s the target scale).
            for (int q = 0; q < n; q++) p[q] = signs[j] * _normalized.TargetScale * p[q] / _normalized.InputScales[q];
            if (_bias) p[n] = signs[j] * _normalized.TargetScale * p[n];
            double size = Norm(p);
            if (size == 0.0)
            {
                w[j] = _rays.Cells.Witnesses[cells[j]][..n];
                if (_bias) b[j] = _rays.Cells.Witnesses[cells[j]][n];
                continue;
            }
            v[j] = signs[j] * scale;
            w[j] = new double[n];
            for (int q = 0; q < n; q++) w[j][q] = p[q] / v[j];
            if (_bias) b[j] = p[n] / v[j];
        }
        double c = _bias ? _normalized.TargetScale * x[0] + _normalized.TargetOffset : 0.0;
        return Verify(data, cells, w, b, v, c, loss);
    }

    // The checks of a ClosedNetwork (see its summary); the boundary pairs are those within rounding of zero.
    private ClosedNetwork? Verify(Dataset data, ReadOnlySpan<int> cells, double[][] w, double[] b, double[] v, double c, double loss)
    {
        int n = data.Inputs;
        int h = Hidden;
        if (!double.IsFinite(c) || v.Any(e => !double.IsFinite(e)) || b.Any(e => !double.IsFinite(e)) || w.Any(row => row.Any(e => !double.IsFinite(e)))) return null;
        var boundary = new List<(int, int)>();
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<double> xi = data.Point(i);
            bool origin = !_bias && !xi.ContainsAnyExcept(0.0);
            for (int j = 0; j < h; j++)
            {
                bool active = ColumnFeasibility.Active(_rays.Cells.Columns[cells[j]], i);
                if (origin)
                {
                    if (active) return null;
                    continue;
                }
                double u = _bias ? b[j] : 0.0;
                double size = Math.Abs(u);
                for (int q = 0; q < n; q++)
                {
                    u += w[j][q] * xi[q];
                    size += Math.Abs(w[j][q] * xi[q]);
                }
                // The rays carry their own rounding (a relative 1e-13 on well-separated data) into p_j.
                if (Math.Abs(u) <= BoundaryRounding * size)
                {
                    if (v[j] != 0.0) boundary.Add((i, j));
                    continue;
                }
                if (active != u > 0.0) return null;
            }
        }
        double[] theta = new double[ReluNetwork.Parameters(n, h, _bias)];
        for (int j = 0; j < h; j++)
        {
            w[j].CopyTo(theta, j * n);
            theta[h * n + j] = v[j];
            if (_bias) theta[h * n + h + j] = b[j];
        }
        if (_bias) theta[^1] = c;
        double actual = ReluNetwork.Loss(data, h, _bias, theta);
        if (!(Math.Abs(actual - loss) <= Realizability.WitnessTolerance(_normalized, Shape) + ReluNetwork.LossRounding(data, h, _bias, theta))) return null;
        return new ClosedNetwork(w, _bias ? b : new double[h], v, _bias ? c : 0.0, actual, [.. boundary]);
    }

    /// <summary>
    /// Relative size |w_jᵀx_i + b_j| / Σ|terms| at or below which a pre-activation counts as zero: the network lies on that
    /// hyperplane. Rays are accurate to about 1e-13 relative where double precision separates them (<see cref="CellRays"/>).
    /// </summary>
    public const double BoundaryRounding = 1e-10;

    private static double Norm(ReadOnlySpan<double> a)
    {
        double largest = 0.0;
        foreach (double e in a) largest = Math.Max(largest, Math.Abs(e));
        if (largest == 0.0 || !double.IsFinite(largest)) return largest;
        double sum = 0.0;
        foreach (double e in a) sum += e / largest * (e / largest);
        return largest * Math.Sqrt(sum);
    }

    /// <summary>One thread's storage for <see cref="Solve"/>.</summary>
    public sealed class Workspace
    {
        private double[] _columns = [];
        private double[] _solution = [];

        public ConeLeastSquares Solver { get; } = new();

        public double[] Columns(int length) => _columns.Length >= length ? _columns : _columns = new double[length];

        public double[] Solution(int length) => _solution.Length >= length ? _solution : _solution = new double[length];
    }
}
