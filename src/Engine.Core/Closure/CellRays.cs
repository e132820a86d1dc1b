using System.Numerics;
using Engine.Core.Exact;
using Engine.Core.Geometry;

namespace Engine.Core.Closure;

/// <summary>
/// The extreme rays of one closed cell, on the normalised data: <see cref="Count"/> directions e (unit ∞-norm) and,
/// for each, the node's contributions a_i·x̃_iᵀe to the N points. On the closed cell a node's output is linear in its
/// weights, so every (w_j[, b_j]) of the closure gives a nonnegative combination of these columns, and every such
/// combination is given by one: the closure's part of L_f is a least-squares problem over a cone of columns.
/// </summary>
internal sealed class CellGenerators(int count, double[] rays, double[] values, bool exact)
{
    /// <summary>Extreme rays of the cell's closure, modulo the arrangement's lineality (which changes no output).</summary>
    public int Count { get; } = count;

    /// <summary>Ray r's d values at r·d, largest magnitude 1.</summary>
    public double[] Rays { get; } = rays;

    /// <summary>Ray r's contribution a_i·x̃_iᵀe to point i at r·N + i.</summary>
    public double[] Values { get; } = values;

    /// <summary>Whether the rays came from the exact path because double precision could not separate them.</summary>
    public bool Exact { get; } = exact;
}

/// <summary>
/// The generators of every cell of one node's arrangement (<see cref="ArrangementCells"/>), found on first use.
/// </summary>
/// <remarks>
/// <para>The points x̃_i span a subspace of rank r; the rest (the lineality L) changes no x̃_iᵀw, so a cell's closure is
/// L plus a pointed cone whose extreme rays are what matters. Each extreme ray lies on r − 1 independent facet
/// hyperplanes: the rays are the null vectors of the (d − 1)-row systems made of r − 1 facet rows and a basis of L,
/// oriented into the cell and kept when every facet row has the cell's sign on them. Enumerating the subsets of the
/// facets (<see cref="ArrangementCells.Facets"/>, a handful per cell) finds every extreme ray by construction.</para>
/// <para>In double precision a subset is dependent when its smallest pivot (rows of unit ∞-norm, complete pivoting) is
/// at most <see cref="DependentPivot"/>, rounding of equal rows, and independent when it is at least
/// <see cref="IndependentPivot"/>. A facet row is on the ray's hyperplane when it is within the ray's rounding
/// (<see cref="RayRounding"/>·d over the pivot) of zero, on the wrong side when it is a thousand times that beyond.
/// A cell where some pivot or some row falls between those cuts is not decided in double precision: its rays come
/// from the exact path, integer determinants on the data's exact binary values, so that neither a missed ray (a cone
/// too small, a lower bound too high) nor a false one comes from rounding. <see cref="ExactCells"/> counts those
/// cells. The rank r and the lineality basis are always exact.</para>
/// </remarks>
internal sealed class CellRays
{
    /// <summary>Smallest pivot (rows of unit ∞-norm) of a facet subset that counts as dependent: rounding of equal rows.</summary>
    public const double DependentPivot = 1e-14;

    /// <summary>Smallest pivot of a facet subset that counts as independent; between the two the exact path decides.</summary>
    public const double IndependentPivot = 1e-9;

    /// <summary>
    /// Rounding of a computed ray per unit of dimension over its smallest pivot: a facet row within d times this over the
    /// pivot of zero is a hyperplane through the ray.
    /// </summary>
    public const double RayRounding = 64 * 1.1102230246251565e-16;

    // A row on the wrong side by less than this many times the rounding is too close to call in double precision.
    private const double Ambiguity = 1e3;

    private readonly ArrangementCells _cells;
    private readonly int _d;
    private readonly int _n;
    private readonly double[] _points;
    private readonly BigInteger[][] _integerPoints;
    private readonly int[] _pointShifts;
    private readonly BigInteger[][] _lineality;
    private readonly double[] _linealityRows;
    private readonly CellGenerators?[] _generators;
    private readonly Rational[]?[] _exactValues;
    private long _exactCells;

    public CellRays(ArrangementCells cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        _cells = cells;
        _d = cells.Dimension;
        _n = cells.Data.Count;
        _points = new double[_n * _d];
        _integerPoints = new BigInteger[_n][];
        _pointShifts = new int[_n];
        for (int i = 0; i < _n; i++)
        {
            ColumnFeasibility.Augmented(cells.Normalized.Data, cells.Bias, i, _points.AsSpan(i * _d, _d));
            (_integerPoints[i], _pointShifts[i]) = Integers(_points.AsSpan(i * _d, _d));
        }
        _lineality = ExactAlgebra.NullSpace(_integerPoints, _d);
        Rank = _d - _lineality.Length;
        _linealityRows = new double[_lineality.Length * _d];
        for (int l = 0; l < _lineality.Length; l++) ToUnitDoubles(_lineality[l], _linealityRows.AsSpan(l * _d, _d));
        _generators = new CellGenerators?[cells.Count];
        _exactValues = new Rational[]?[cells.Count];
    }

    /// <summary>Rank r of the points x̃_i: the dimension each cell's pointed part lives in.</summary>
    public int Rank { get; }

    /// <summary>The cells these rays belong to.</summary>
    public ArrangementCells Cells => _cells;

    /// <summary>Cells whose rays double precision could not separate, found exactly instead.</summary>
    public long ExactCells => Interlocked.Read(ref _exactCells);

    /// <summary>x̃_i of the normalised data (d values).</summary>
    public ReadOnlySpan<double> Point(int i) => _points.AsSpan(i * _d, _d);

    /// <summary>The generators of <paramref name="cell"/>'s closure; safe to call from any thread.</summary>
    public CellGenerators Of(int cell)
    {
        CellGenerators? found = Volatile.Read(ref _generators[cell]);
        if (found is not null) return found;
        found = Rounded(cell) ?? FromExact(cell);
        Volatile.Write(ref _generators[cell], found);
        return found;
    }

    /// <summary>
    /// The exact contributions a_i·x̃_iᵀe of each of <paramref name="cell"/>'s exact rays, ray r's at r·N + i, in the
    /// order and directions of <see cref="Of"/>'s rays when those came from the exact path. For the exact fallback.
    /// </summary>
    public Rational[] ExactValues(int cell)
    {
        Rational[]? found = Volatile.Read(ref _exactValues[cell]);
        if (found is not null) return found;
        List<BigInteger[]> rays = ExactRays(cell);
        ulong[] column = _cells.Columns[cell];
        found = new Rational[rays.Count * _n];
        for (int r = 0; r < rays.Count; r++)
        {
            // The ray scaled to unit ∞-norm, as ExactGenerators rounds it, so that a coefficient means the same in both.
            BigInteger largest = rays[r].Select(BigInteger.Abs).Max();
            for (int i = 0; i < _n; i++)
            {
                if (!ColumnFeasibility.Active(column, i)) continue;
                found[r * _n + i] = new Rational(Dot(_integerPoints[i], rays[r]), largest << _pointShifts[i]);
            }
        }
        Volatile.Write(ref _exactValues[cell], found);
        return found;
    }

    /// <summary>The rays of <paramref name="cell"/> found exactly, as <see cref="ExactValues"/> orders them, in doubles.</summary>
    public CellGenerators ExactGenerators(int cell) => Generators(cell, ExactRays(cell));

    // The double-precision rays, or null when some subset or row is too close to call.
    private CellGenerators? Rounded(int cell)
    {
        ulong[] column = _cells.Columns[cell];
        int[] facets = _cells.Facets(cell);
        int k = Rank - 1;
        var rays = new List<(double[] Ray, double Zero)>();
        if (Rank == 0) return Generators(cell, rays);
        if (facets.Length < k) return null;
        Span<double> system = stackalloc double[(_d - 1) * _d];
        Span<double> e = stackalloc double[_d];
        Span<double> sides = stackalloc double[facets.Length];
        foreach (int[] subset in Subsets(facets.Length, k))
        {
            for (int s = 0; s < k; s++) Unit(Point(facets[subset[s]]), system.Slice(s * _d, _d));
            _linealityRows.CopyTo(system[(k * _d)..]);
            double pivot = NullVector(system, _d - 1, _d, e);
            if (pivot <= DependentPivot) continue;
            if (pivot < IndependentPivot) return null;
            // The ray's rounding, relative: each side below it is a hyperplane through the ray.
            double zero = RayRounding * _d / pivot;
            int largest = 0;
            for (int f = 0; f < facets.Length; f++)
            {
                sides[f] = Side(column, facets[f], e);
                if (Math.Abs(sides[f]) > Math.Abs(sides[largest])) largest = f;
            }
            // Every facet row vanishing would make e lineality, which the system excludes.
            if (Math.Abs(sides[largest]) <= zero) return null;
            double orientation = Math.Sign(sides[largest]);
            bool outside = false, ambiguous = false;
            foreach (double side in sides)
            {
                double signed = orientation * side;
                if (signed < -Ambiguity * zero) outside = true;
                else if (signed < -zero) ambiguous = true;
            }
            if (outside) continue;
            if (ambiguous) return null;
            double[] ray = e.ToArray();
            for (int q = 0; q < _d; q++) ray[q] *= orientation;
            if (!rays.Any(r => Same(r.Ray, ray))) rays.Add((ray, zero));
        }
        return Generators(cell, rays);
    }

    private CellGenerators FromExact(int cell)
    {
        Interlocked.Increment(ref _exactCells);
        return ExactGenerators(cell);
    }

    // Rays found in double precision, each with the rounding below which a point's x̃_iᵀe is taken as exactly zero: that
    // point's hyperplane passes through the ray, and rounding noise there must not become a column of its own.
    private CellGenerators Generators(int cell, List<(double[] Ray, double Zero)> rays)
    {
        ulong[] column = _cells.Columns[cell];
        double[] flat = new double[rays.Count * _d];
        double[] values = new double[rays.Count * _n];
        for (int r = 0; r < rays.Count; r++)
        {
            (double[] ray, double zero) = rays[r];
            ray.CopyTo(flat, r * _d);
            for (int i = 0; i < _n; i++)
            {
                if (!ColumnFeasibility.Active(column, i)) continue;
                double u = 0.0, scale = 0.0;
                for (int q = 0; q < _d; q++)
                {
                    u += _points[i * _d + q] * ray[q];
                    scale = Math.Max(scale, Math.Abs(_points[i * _d + q]));
                }
                values[r * _n + i] = Math.Abs(u) <= zero * scale ? 0.0 : u;
            }
        }
        return new CellGenerators(rays.Count, flat, values, exact: false);
    }

    // The exact rays rounded to doubles, with their contributions rounded from the exact ones (so exact zeros stay zero).
    private CellGenerators Generators(int cell, List<BigInteger[]> rays)
    {
        Rational[] exact = ExactValues(cell);
        double[] flat = new double[rays.Count * _d];
        for (int r = 0; r < rays.Count; r++) ToUnitDoubles(rays[r], flat.AsSpan(r * _d, _d));
        return new CellGenerators(rays.Count, flat, [.. exact.Select(v => v.ToDouble())], exact: true);
    }

    // The exact extreme rays of a cell: integer null vectors of r − 1 facet rows and the lineality, signs exact.
    private List<BigInteger[]> ExactRays(int cell)
    {
        ulong[] column = _cells.Columns[cell];
        int[] facets = _cells.Facets(cell);
        int k = Rank - 1;
        var rays = new List<BigInteger[]>();
        if (Rank == 0 || facets.Length < k) return rays;
        var rows = new BigInteger[_d - 1][];
        for (int l = 0; l < _lineality.Length; l++) rows[k + l] = _lineality[l];
        foreach (int[] subset in Subsets(facets.Length, k))
        {
            for (int s = 0; s < k; s++) rows[s] = _integerPoints[facets[subset[s]]];
            BigInteger[] e = ExactAlgebra.CrossProduct(rows, _d);
            if (e.All(v => v.IsZero)) continue;
            int orientation = 0;
            foreach (int i in facets)
            {
                int side = Dot(_integerPoints[i], e).Sign * (ColumnFeasibility.Active(column, i) ? 1 : -1);
                if (side == 0) continue;
                if (orientation == 0) orientation = side;
                else if (orientation != side)
                {
                    orientation = 2;
                    break;
                }
            }
            if (orientation is 0 or 2) continue;
            if (orientation < 0) e = [.. e.Select(v => -v)];
            BigInteger g = e.Aggregate(BigInteger.Zero, BigInteger.GreatestCommonDivisor);
            e = [.. e.Select(v => v / g)];
            if (!rays.Any(r => r.AsSpan().SequenceEqual(e))) rays.Add(e);
        }
        return rays;
    }

    // σ_i·x̃_iᵀe / ‖x̃_i‖∞: the cell's sign at point i, relative to the point's scale (e has unit ∞-norm).
    private double Side(ulong[] column, int i, ReadOnlySpan<double> e)
    {
        ReadOnlySpan<double> x = Point(i);
        double u = 0.0, scale = 0.0;
        for (int q = 0; q < _d; q++)
        {
            u += x[q] * e[q];
            scale = Math.Max(scale, Math.Abs(x[q]));
        }
        return (ColumnFeasibility.Active(column, i) ? u : -u) / scale;
    }

    private static bool Same(double[] a, double[] b)
    {
        for (int q = 0; q < a.Length; q++)
        {
            if (Math.Abs(a[q] - b[q]) > 1e-9) return false;
        }
        return true;
    }

    private static void Unit(ReadOnlySpan<double> x, Span<double> into)
    {
        double scale = 0.0;
        foreach (double v in x) scale = Math.Max(scale, Math.Abs(v));
        for (int q = 0; q < x.Length; q++) into[q] = x[q] / scale;
    }

    /// <summary>
    /// The null vector of a rows×cols system (rows = cols − 1, rows of unit ∞-norm) by elimination with complete
    /// pivoting, scaled to unit ∞-norm, and the smallest pivot: small when the rows are nearly dependent.
    /// </summary>
    private static double NullVector(Span<double> a, int rows, int cols, Span<double> e)
    {
        Span<int> order = stackalloc int[cols];
        for (int q = 0; q < cols; q++) order[q] = q;
        double smallest = double.PositiveInfinity;
        for (int p = 0; p < rows; p++)
        {
            int pr = p, pc = p;
            double best = -1.0;
            for (int r = p; r < rows; r++)
            {
                for (int c = p; c < cols; c++)
                {
                    double v = Math.Abs(a[r * cols + order[c]]);
                    if (v > best)
                    {
                        best = v;
                        pr = r;
                        pc = c;
                    }
                }
            }
            smallest = Math.Min(smallest, best);
            if (best == 0.0) return 0.0;
            if (pr != p)
            {
                for (int c = 0; c < cols; c++) (a[p * cols + c], a[pr * cols + c]) = (a[pr * cols + c], a[p * cols + c]);
            }
            (order[p], order[pc]) = (order[pc], order[p]);
            double pivot = a[p * cols + order[p]];
            for (int r = p + 1; r < rows; r++)
            {
                double f = a[r * cols + order[p]] / pivot;
                if (f == 0.0) continue;
                for (int c = p; c < cols; c++) a[r * cols + order[c]] -= f * a[p * cols + order[c]];
            }
        }
        // The last column in pivot order is free: set it to 1 and solve the triangle upwards.
        e.Clear();
        e[order[cols - 1]] = 1.0;
        for (int p = rows - 1; p >= 0; p--)
        {
            double s = 0.0;
            for (int c = p + 1; c < cols; c++) s += a[p * cols + order[c]] * e[order[c]];
            e[order[p]] = -s / a[p * cols + order[p]];
        }
        double largest = 0.0;
        foreach (double v in e) largest = Math.Max(largest, Math.Abs(v));
        for (int q = 0; q < cols; q++) e[q] /= largest;
        return smallest;
    }

    // Every k-subset of 0..n−1 in lexicographic order (the empty one when k = 0).
    private static IEnumerable<int[]> Subsets(int n, int k)
    {
        int[] s = new int[k];
        for (int q = 0; q < k; q++) s[q] = q;
        while (true)
        {
            yield return s;
            int p = k - 1;
            while (p >= 0 && s[p] == n - k + p) p--;
            if (p < 0) yield break;
            s[p]++;
            for (int q = p + 1; q < k; q++) s[q] = s[q - 1] + 1;
        }
    }

    private static BigInteger Dot(BigInteger[] a, BigInteger[] b)
    {
        BigInteger s = BigInteger.Zero;
        for (int q = 0; q < a.Length; q++) s += a[q] * b[q];
        return s;
    }

    // A row of doubles as integers times 2^−shift (every double is m·2^e, so one power of two clears all denominators).
    private static (BigInteger[] Row, int Shift) Integers(ReadOnlySpan<double> x)
    {
        var exact = new Rational[x.Length];
        BigInteger denominator = BigInteger.One;
        for (int q = 0; q < x.Length; q++)
        {
            exact[q] = Rational.From(x[q]);
            if (exact[q].Denominator > denominator) denominator = exact[q].Denominator;
        }
        var row = new BigInteger[x.Length];
        for (int q = 0; q < x.Length; q++) row[q] = exact[q].Numerator * (denominator / exact[q].Denominator);
        return (row, (int)(denominator.GetBitLength() - 1));
    }

    private static void ToUnitDoubles(BigInteger[] v, Span<double> into)
    {
        BigInteger largest = v.Select(BigInteger.Abs).Max();
        for (int q = 0; q < v.Length; q++) into[q] = new Rational(v[q], largest).ToDouble();
    }
}
