namespace Engine.Core;

/// <summary>How a <see cref="LinearProgram"/> ended.</summary>
public enum LinearProgramStatus
{
    /// <summary>An optimal vertex was found.</summary>
    Optimal,
    /// <summary>No point satisfies the constraints.</summary>
    Infeasible,
    /// <summary>The objective grows without bound on the feasible set.</summary>
    Unbounded,
    /// <summary>
    /// The pivot budget ran out: Bland's rule cannot cycle in exact arithmetic, but rounding could make it, and a
    /// caller must never hang. Callers treat it as "no answer" (a geometry test that fails conservatively).
    /// </summary>
    PivotLimit,
}

/// <summary>Outcome of <see cref="LinearProgram.Maximize"/>: status, optimal value and an optimal point.</summary>
public readonly record struct LinearProgramResult(LinearProgramStatus Status, double Objective, double[] X);

/// <summary>
/// A small dense linear program: maximize cᵀx subject to rows aᵀx ≤ β and aᵀx = β and bounds l ≤ x ≤ u
/// (finite lower bounds; an infinite upper bound means none). It serves the margin programs of region
/// geometry (a few to a few hundred rows, a handful of variables), so it is the textbook two-phase simplex
/// on a condensed (Tucker) tableau that stores only the nonbasic columns: a pivot costs O(rows · variables)
/// however many slack variables there are.
/// </summary>
/// <remarks>
/// Phase I adds one artificial variable x₀ and maximizes −x₀ (Cormen et al., <i>Introduction to Algorithms</i>,
/// §29.5). Both phases pivot by Bland's rule (smallest index enters, ties in the ratio test leave by smallest
/// index), which cannot cycle: the margin programs are highly degenerate (every row passes through the origin).
/// Callers should scale rows to unit size, since <see cref="Tolerance"/> is absolute.
/// </remarks>
public sealed class LinearProgram
{
    /// <summary>
    /// Absolute tolerance on reduced costs, pivot elements and Phase I infeasibility. Rows scaled to unit
    /// ∞-norm keep tableau entries O(1) on these small problems, so 1e-11 is far above rounding (≈1e-15)
    /// and far below the margins 1e-9 that geometry treats as meaningful.
    /// </summary>
    public const double Tolerance = 1e-11;

    private readonly double[] _lower;
    private readonly double[] _upper;
    private readonly List<double[]> _rows = [];
    private readonly List<double> _rhs = [];

    /// <summary>Creates a program over variables with bounds <paramref name="lower"/> ≤ x ≤ <paramref name="upper"/>.</summary>
    public LinearProgram(ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        if (lower.Length != upper.Length)
            throw new ArgumentException($"{lower.Length} lower bounds for {upper.Length} upper bounds");
        foreach (double l in lower)
        {
            if (!double.IsFinite(l)) throw new ArgumentException("lower bounds must be finite");
        }
        _lower = lower.ToArray();
        _upper = upper.ToArray();
    }

    /// <summary>Number of variables.</summary>
    public int Variables => _lower.Length;

    /// <summary>Adds the row aᵀx ≤ <paramref name="rhs"/>.</summary>
    public void AddLessOrEqual(ReadOnlySpan<double> a, double rhs)
    {
        if (a.Length != Variables) throw new ArgumentException($"row has {a.Length} coefficients for {Variables} variables");
        _rows.Add(a.ToArray());
        _rhs.Add(rhs);
    }

    /// <summary>Adds the row aᵀx = <paramref name="rhs"/> (as two inequalities).</summary>
    public void AddEqual(ReadOnlySpan<double> a, double rhs)
    {
        AddLessOrEqual(a, rhs);
        double[] negated = a.ToArray();
        for (int k = 0; k < negated.Length; k++) negated[k] = -negated[k];
        AddLessOrEqual(negated, -rhs);
    }

    /// <summary>Maximizes <paramref name="objective"/>ᵀx over the constraints added so far.</summary>
    public LinearProgramResult Maximize(ReadOnlySpan<double> objective)
    {
        if (objective.Length != Variables) throw new ArgumentException($"objective has {objective.Length} coefficients for {Variables} variables");
        int n = Variables;
        // Shift x = l + x' so that x' ≥ 0; finite upper bounds become rows x'_k ≤ u_k − l_k.
        var rows = new List<(double[] A, double B)>(_rows.Count + n);
        for (int r = 0; r < _rows.Count; r++)
        {
            double b = _rhs[r];
            for (int k = 0; k < n; k++) b -= _rows[r][k] * _lower[k];
            rows.Add((_rows[r], b));
        }
        for (int k = 0; k < n; k++)
        {
            if (double.IsPositiveInfinity(_upper[k])) continue;
            double[] unit = new double[n];
            unit[k] = 1.0;
            rows.Add((unit, _upper[k] - _lower[k]));
        }
        var tableau = new Tableau(rows, n);
        LinearProgramStatus phase1 = tableau.FindFeasibleBasis();
        if (phase1 != LinearProgramStatus.Optimal)
            return new LinearProgramResult(phase1, double.NaN, []);
        double offset = 0.0;
        for (int k = 0; k < n; k++) offset += objective[k] * _lower[k];
        LinearProgramStatus phase2 = tableau.Optimize(objective);
        if (phase2 != LinearProgramStatus.Optimal)
            return new LinearProgramResult(phase2, phase2 == LinearProgramStatus.Unbounded ? double.PositiveInfinity : double.NaN, []);
        double[] x = tableau.Solution();
        for (int k = 0; k < n; k++) x[k] += _lower[k];
        return new LinearProgramResult(LinearProgramStatus.Optimal, tableau.Value + offset, x);
    }

    /// <summary>
    /// The condensed tableau x_B = b − A x_N with objective z = z₀ + cᵀx_N. Variable labels: originals
    /// 0..n−1, slacks n..n+m−1 (one per row), the artificial x₀ last.
    /// </summary>
    private sealed class Tableau
    {
        private readonly int _m;
        private readonly int _n;
        private readonly int _columns;
        private readonly double[] _a;
        private readonly double[] _b;
        private readonly double[] _c;
        private readonly int[] _basic;
        private readonly int[] _nonbasic;
        private readonly int _artificial;

        public Tableau(List<(double[] A, double B)> rows, int n)
        {
            _m = rows.Count;
            _n = n;
            _columns = n + 1;
            _artificial = n + _m;
            _a = new double[_m * _columns];
            _b = new double[_m];
            _c = new double[_columns];
            _basic = new int[_m];
            _nonbasic = new int[_columns];
            for (int r = 0; r < _m; r++)
            {
                for (int k = 0; k < n; k++) _a[r * _columns + k] = rows[r].A[k];
                // The artificial column enters as x_B = b − A x_N + x₀.
                _a[r * _columns + n] = -1.0;
                _b[r] = rows[r].B;
                _basic[r] = n + r;
            }
            for (int k = 0; k < n; k++) _nonbasic[k] = k;
            _nonbasic[n] = _artificial;
        }

        public double Value { get; private set; }

        public LinearProgramStatus FindFeasibleBasis()
        {
            int worst = -1;
            for (int r = 0; r < _m; r++)
            {
                if (_b[r] < -Tolerance && (worst < 0 || _b[r] < _b[worst])) worst = r;
            }
            if (worst >= 0)
            {
                Array.Clear(_c);
                _c[_n] = -1.0;
                Value = 0.0;
                Pivot(worst, _n);
                // Phase I is bounded above by 0, so it ends optimal or at the pivot limit.
                if (Run(allowArtificial: true) == LinearProgramStatus.PivotLimit) return LinearProgramStatus.PivotLimit;
                if (Value < -Tolerance) return LinearProgramStatus.Infeasible;
                int row = Array.IndexOf(_basic, _artificial);
                if (row >= 0)
                {
                    // x₀ is basic at zero: a degenerate pivot on any usable entry of its row moves it out.
                    int column = -1;
                    for (int k = 0; k < _columns; k++)
                    {
                        if (Math.Abs(_a[row * _columns + k]) > Tolerance && (column < 0 || Math.Abs(_a[row * _columns + k]) > Math.Abs(_a[row * _columns + column]))) column = k;
                    }
                    if (column >= 0) Pivot(row, column);
                }
            }
            // Freeze x₀ at zero: its column never enters again.
            int artificialColumn = Array.IndexOf(_nonbasic, _artificial);
            if (artificialColumn >= 0)
            {
                for (int r = 0; r < _m; r++) _a[r * _columns + artificialColumn] = 0.0;
            }
            return LinearProgramStatus.Optimal;
        }

        public LinearProgramStatus Optimize(ReadOnlySpan<double> objective)
        {
            Array.Clear(_c);
            Value = 0.0;
            for (int k = 0; k < _columns; k++)
            {
                if (_nonbasic[k] < _n) _c[k] += objective[_nonbasic[k]];
            }
            for (int r = 0; r < _m; r++)
            {
                int label = _basic[r];
                if (label >= _n) continue;
                double weight = objective[label];
                Value += weight * _b[r];
                for (int k = 0; k < _columns; k++) _c[k] -= weight * _a[r * _columns + k];
            }
            return Run(allowArtificial: false);
        }

        public double[] Solution()
        {
            double[] x = new double[_n];
            for (int r = 0; r < _m; r++)
            {
                if (_basic[r] < _n) x[_basic[r]] = _b[r];
            }
            return x;
        }

        // Bland's rule to optimality, unboundedness or the pivot budget.
        private LinearProgramStatus Run(bool allowArtificial)
        {
            // Far more than the handful of pivots per row these programs take.
            long budget = 100L * (_m + _columns);
            for (long pivots = 0; pivots < budget; pivots++)
            {
                int enter = -1;
                for (int k = 0; k < _columns; k++)
                {
                    if (!allowArtificial && _nonbasic[k] == _artificial) continue;
                    if (_c[k] > Tolerance && (enter < 0 || _nonbasic[k] < _nonbasic[enter])) enter = k;
                }
                if (enter < 0) return LinearProgramStatus.Optimal;
                int leave = -1;
                double ratio = double.PositiveInfinity;
                for (int r = 0; r < _m; r++)
                {
                    double a = _a[r * _columns + enter];
                    if (a <= Tolerance) continue;
                    double q = Math.Max(0.0, _b[r]) / a;
                    if (q < ratio - Tolerance || (q <= ratio + Tolerance && _basic[r] < _basic[leave]))
                    {
                        if (q < ratio) ratio = q;
                        leave = r;
                    }
                }
                if (leave < 0) return LinearProgramStatus.Unbounded;
                Pivot(leave, enter);
            }
            return LinearProgramStatus.PivotLimit;
        }

        private void Pivot(int l, int e)
        {
            int w = _columns;
            double pivot = _a[l * w + e];
            double inverse = 1.0 / pivot;
            for (int k = 0; k < w; k++) _a[l * w + k] *= inverse;
            _a[l * w + e] = inverse;
            _b[l] *= inverse;
            for (int r = 0; r < _m; r++)
            {
                if (r == l) continue;
                double f = _a[r * w + e];
                if (f == 0.0) continue;
                for (int k = 0; k < w; k++) _a[r * w + k] -= f * _a[l * w + k];
                _a[r * w + e] = -f * inverse;
                _b[r] -= f * _b[l];
            }
            double g = _c[e];
            if (g != 0.0)
            {
                for (int k = 0; k < w; k++) _c[k] -= g * _a[l * w + k];
                _c[e] = -g * inverse;
                Value += g * _b[l];
            }
            (_basic[l], _nonbasic[e]) = (_nonbasic[e], _basic[l]);
        }
    }
}
