using System.Runtime.CompilerServices;

namespace Engine.Core.Closure;

/// <summary>
/// min ½‖Ax − y‖² over x_k ≥ 0 for the constrained columns (the first <c>free</c> columns are unconstrained), by
/// Lawson and Hanson's active-set method (<i>Solving Least Squares Problems</i>, 1974, ch. 23) on columns scaled to
/// unit length, with a Householder QR of the passive columns at every step: the design itself is factored, never
/// AᵀA, so rank is decided on the data. One instance per thread; it keeps its storage between solves.
/// </summary>
/// <remarks>
/// <para>The answer counts only with its KKT certificate, checked on the unscaled data: x ≥ 0 holds by construction;
/// the gradient w = Aᵀ(y − Ax) must be at most <see cref="DualTolerance"/>·‖A_k‖·‖y‖ on every constrained column
/// (multipliers ≥ 0: r = Ax − y lies in the polar of the cone, so no column lowers the loss) and within it in magnitude
/// on every column in use (stationarity); and the duality gap Σ_k x_k|w_k| between the value ½‖r‖² and the dual value
/// −½‖r‖² − rᵀy must be at most <see cref="GapTolerance"/>·½‖y‖². A column with w_k at the tolerance could lower the loss
/// alone by at most ½τ²‖y‖², far below the gap tolerance. Both are relative to ‖y‖ and to each column's norm, so they do
/// not change when the targets or a column are rescaled.</para>
/// </remarks>
internal sealed class ConeLeastSquares
{
    /// <summary>Largest gradient, relative to ‖A_k‖·‖y‖, that a column may have at a certified minimum.</summary>
    public const double DualTolerance = 1e-9;

    /// <summary>Largest duality gap, relative to ½‖y‖², of a certified minimum: the value is proven to this.</summary>
    public const double GapTolerance = 1e-9;

    // A column whose QR diagonal falls below this (columns of unit length) lies in the span of the passive ones.
    private const double RankCut = 1e-11;

    private double[] _columns = [];
    private double[] _scales = [];
    private double[] _x = [];
    private double[] _z = [];
    private double[] _w = [];
    private double[] _qr = [];
    private double[] _rhs = [];
    private double[] _tau = [];
    private int[] _passive = [];
    private bool[] _inP = [];
    private bool[] _barred = [];

    /// <summary>
    /// Solves the problem for <paramref name="count"/> columns of <paramref name="rows"/> values each, column k at
    /// <paramref name="a"/>[k·rows ..], the first <paramref name="free"/> unconstrained. Writes the solution into
    /// <paramref name="x"/> and returns whether its certificate holds, with the value ½‖Ax − y‖².
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Solve(ReadOnlySpan<double> a, int rows, int count, int free, ReadOnlySpan<double> y, Span<double> x, out double value)
    {
        Reserve(rows, count);
        double yNorm = Norm(y);
        for (int k = 0; k < count; k++)
        {
            double s = Norm(a.Slice(k * rows, rows));
            _scales[k] = s;
            for (int i = 0; i < rows; i++) _columns[k * rows + i] = s > 0.0 ? a[k * rows + i] / s : 0.0;
            _x[k] = 0.0;
            _inP[k] = false;
            _barred[k] = s == 0.0;
        }
        int passive = 0;
        for (int k = 0; k < free; k++)
        {
            if (_barred[k]) continue;
            _passive[passive++] = k;
            _inP[k] = true;
        }
        bool solved = passive == 0 || Step(rows, ref passive, free, y);
        int limit = 3 * count + 10;
        for (int iteration = 0; solved && iteration < limit; iteration++)
        {
            Gradient(rows, count, y);
            int t = -1;
            double best = DualTolerance * yNorm;
            for (int k = free; k < count; k++)
            {
                if (!_inP[k] && !_barred[k] && _w[k] > best)
                {
                    best = _w[k];
                    t = k;
                }
            }
            if (t < 0) break;
            _passive[passive++] = t;
            _inP[t] = true;
            solved = Step(rows, ref passive, free, y);
        }
        for (int k = 0; k < count; k++) x[k] = _scales[k] > 0.0 ? _x[k] / _scales[k] : 0.0;
        return Certify(a, rows, count, free, y, x, yNorm, out value);
    }

    // Moves x to the least-squares solution on the passive columns, dropping constrained columns that it would make
    // negative (the inner loop). A new column found to lie in the passive span is barred and taken out again.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Step(int rows, ref int passive, int free, ReadOnlySpan<double> y)
    {
        for (int inner = 0; inner <= passive + 1; inner++)
        {
            int dependent = Factor(rows, passive, y);
            if (dependent >= 0)
            {
                int k = _passive[dependent];
                _barred[k] = true;
                _inP[k] = false;
                _passive[dependent] = _passive[--passive];
                continue;
            }
            bool positive = true;
            for (int p = 0; p < passive; p++) positive &= _passive[p] < free || _z[p] > 0.0;
            if (positive)
            {
                for (int p = 0; p < passive; p++) _x[_passive[p]] = _z[p];
                return true;
            }
            // Step from x towards z as far as every constrained passive column stays nonnegative.
            double alpha = double.PositiveInfinity;
            int blocking = -1;
            for (int p = 0; p < passive; p++)
            {
                int k = _passive[p];
                if (k < free || _z[p] > 0.0) continue;
                double ratio = _x[k] / (_x[k] - _z[p]);
                if (ratio < alpha)
                {
                    alpha = ratio;
                    blocking = k;
                }
            }
            for (int p = 0; p < passive; p++)
            {
                int k = _passive[p];
                _x[k] += alpha * (_z[p] - _x[k]);
            }
            // The blocking column reaches zero exactly, as in exact arithmetic; rounding must not leave it at 1e-17.
            _x[blocking] = 0.0;
            for (int p = passive - 1; p >= 0; p--)
            {
                int k = _passive[p];
                if (k < free || _x[k] > 0.0) continue;
                _x[k] = 0.0;
                _inP[k] = false;
                _passive[p] = _passive[--passive];
            }
        }
        return false;
    }

    // Householder QR of the passive columns and z = R⁻¹Qᵀy; returns the position of a column whose diagonal falls
    // below the rank cut, or −1.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Factor(int rows, int passive, ReadOnlySpan<double> y)
    {
        if (passive > rows) return passive - 1;
        Span<double> q = _qr.AsSpan(0, rows * passive);
        for (int p = 0; p < passive; p++) _columns.AsSpan(_passive[p] * rows, rows).CopyTo(q.Slice(p * rows, rows));
        Span<double> b = _rhs.AsSpan(0, rows);
        y.CopyTo(b);
        for (int p = 0; p < passive; p++)
        {
            Span<double> col = q.Slice(p * rows, rows);
            double norm = Norm(col[p..]);
            if (norm <= RankCut) return p;
            double alpha = col[p] > 0.0 ? -norm : norm;
            double v0 = col[p] - alpha;
            // v = (v0, col[p+1..]), H = I − 2vvᵀ/vᵀv; vᵀv = 2·norm·|v0|... computed directly for clarity.
            double vv = v0 * v0;
            for (int i = p + 1; i < rows; i++) vv += col[i] * col[i];
            col[p] = v0;
            _tau[p] = vv > 0.0 ? 2.0 / vv : 0.0;
            for (int c = p + 1; c < passive; c++) Reflect(q.Slice(c * rows, rows), col, p, rows, _tau[p]);
            Reflect(b, col, p, rows, _tau[p]);
            col[p] = alpha;
        }
        for (int p = passive - 1; p >= 0; p--)
        {
            double s = b[p];
            for (int c = p + 1; c < passive; c++) s -= q[c * rows + p] * _z[c];
            _z[p] = s / q[p * rows + p];
        }
        return -1;
    }

    // target −= τ·v·(vᵀtarget) over entries p.., with v's first entry in col[p] and the rest below it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Reflect(Span<double> target, Span<double> col, int p, int rows, double tau)
    {
        double dot = 0.0;
        for (int i = p; i < rows; i++) dot += col[i] * target[i];
        dot *= tau;
        for (int i = p; i < rows; i++) target[i] -= dot * col[i];
    }

    // w = Âᵀ(y − Âx̂) on the scaled columns.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Gradient(int rows, int count, ReadOnlySpan<double> y)
    {
        Span<double> r = _rhs.AsSpan(0, rows);
        y.CopyTo(r);
        for (int k = 0; k < count; k++)
        {
            double xk = _x[k];
            if (xk == 0.0) continue;
            for (int i = 0; i < rows; i++) r[i] -= xk * _columns[k * rows + i];
        }
        for (int k = 0; k < count; k++)
        {
            double s = 0.0;
            for (int i = 0; i < rows; i++) s += _columns[k * rows + i] * r[i];
            _w[k] = s;
        }
    }

    // The KKT certificate on the unscaled data (see the remarks).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Certify(ReadOnlySpan<double> a, int rows, int count, int free, ReadOnlySpan<double> y, ReadOnlySpan<double> x, double yNorm, out double value)
    {
        Span<double> r = _rhs.AsSpan(0, rows);
        y.CopyTo(r);
        for (int k = 0; k < count; k++)
        {
            if (x[k] == 0.0) continue;
            for (int i = 0; i < rows; i++) r[i] -= x[k] * a[k * rows + i];
        }
        double sum = 0.0;
        foreach (double e in r) sum += e * e;
        value = 0.5 * sum;
        bool certified = double.IsFinite(value);
        double gap = 0.0;
        for (int k = 0; k < count && certified; k++)
        {
            double w = 0.0;
            for (int i = 0; i < rows; i++) w += a[k * rows + i] * r[i];
            double bound = DualTolerance * _scales[k] * yNorm;
            bool used = k < free || x[k] > 0.0;
            certified &= used ? Math.Abs(w) <= bound : w <= bound;
            gap += Math.Abs(x[k] * w);
        }
        return certified && gap <= GapTolerance * 0.5 * yNorm * yNorm;
    }

    private void Reserve(int rows, int count)
    {
        if (_columns.Length < rows * count) _columns = new double[rows * count];
        if (_qr.Length < rows * count) _qr = new double[rows * count];
        if (_rhs.Length < rows) _rhs = new double[rows];
        if (_scales.Length < count)
        {
            _scales = new double[count];
            _x = new double[count];
            _z = new double[count];
            _w = new double[count];
            _tau = new double[count];
            _passive = new int[count];
            _inP = new bool[count];
            _barred = new bool[count];
        }
    }

    // ‖v‖₂ without overflow or underflow of the squares.
    private static double Norm(ReadOnlySpan<double> v)
    {
        double largest = 0.0;
        foreach (double e in v) largest = Math.Max(largest, Math.Abs(e));
        if (largest == 0.0) return 0.0;
        double s = 0.0;
        foreach (double e in v) s += e / largest * (e / largest);
        return largest * Math.Sqrt(s);
    }
}
