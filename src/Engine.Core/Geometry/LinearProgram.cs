using System.Runtime.CompilerServices;
using Engine.Core.Regions;

namespace Engine.Core.Geometry;

/// <summary>How a <see cref="LinearProgram"/> ended.</summary>
public enum LinearProgramStatus
{
    /// <summary>An optimal vertex was found and passed the check in the original problem.</summary>
    Optimal,
    /// <summary>No point satisfies the constraints.</summary>
    Infeasible,
    /// <summary>The objective grows without bound on the feasible set.</summary>
    Unbounded,
    /// <summary>The pivot budget ran out. This is "no answer", never "infeasible": callers go to the trusted solver.</summary>
    PivotLimit,
    /// <summary>
    /// Rounding made the answer untrustworthy: no usable pivot, or a returned point that breaks the program's own
    /// constraints. Callers go to the trusted solver.
    /// </summary>
    NumericalTrouble,
}

/// <summary>
/// Outcome of <see cref="LinearProgram.Maximize"/>: status, optimal value, an optimal point, and a multiplier
/// y_r ≥ 0 for each row added (in order), from which <see cref="LinearProgram.UpperBound"/> certifies the value.
/// </summary>
public readonly record struct LinearProgramResult(LinearProgramStatus Status, double Objective, double[] X, double[] Duals);

/// <summary>
/// A small dense linear program: maximize cᵀx subject to rows aᵀx ≤ β and aᵀx = β and bounds l ≤ x ≤ u
/// (finite lower bounds; an infinite upper bound means none). It serves the margin programs of region
/// geometry (a few to a few hundred rows, a handful of variables), so it is the textbook two-phase simplex
/// on a condensed (Tucker) tableau that stores only the nonbasic columns: a pivot costs O(rows · variables)
/// however many slack variables there are. <see cref="MaximizeTrusted"/> solves the same program with GLOP.
/// </summary>
/// <remarks>
/// <para>Phase I adds one artificial variable x₀ and maximizes −x₀ (Cormen et al., <i>Introduction to Algorithms</i>,
/// §29.5). The entering variable follows Bland's rule (smallest index), against cycling on these highly degenerate
/// programs (every margin row passes through the origin). The leaving row follows Harris's two-pass ratio test: among
/// the rows whose ratio lies within a tolerance of the smallest, the largest pivot wins, so that a pivot of 1e-11 is
/// never chosen over one of 5 because both tie at ratio 0. Basic values that rounding leaves slightly negative are
/// treated as zero, in the ratio test and in the pivot alike.</para>
/// <para>Every optimum is checked in the original program before it is returned: bounds and rows within
/// <see cref="CheckTolerance"/> of their scale. A program that fails the check, runs out of pivots or finds no usable
/// pivot says so; it never turns trouble into "infeasible". Callers should scale rows to unit size, since the
/// tolerances are absolute.</para>
/// </remarks>
public sealed partial class LinearProgram
{
    /// <summary>Reduced costs above this enter the basis. Rows of unit size keep tableau entries O(1), rounding ≈ 1e-15.</summary>
    public const double OptimalityTolerance = 1e-11;

    /// <summary>Pivot elements at or below this are never used: dividing by them would amplify rounding a billionfold.</summary>
    public const double PivotTolerance = 1e-9;

    /// <summary>Harris's bound on the primal infeasibility a ratio test may accept in exchange for a larger pivot.</summary>
    public const double FeasibilityTolerance = 1e-11;

    /// <summary>Largest violation of a bound or row, relative to its scale, that a returned point may show.</summary>
    public const double CheckTolerance = 1e-9;

    private double[] _lower = [];
    private double[] _upper = [];
    // Row r's coefficients at [r·n, (r+1)·n): one growing array rather than an array per row.
    private readonly List<double> _rows = [];
    private readonly List<double> _rhs = [];
    // Kept between solves, like the rows' storage, so that a program reused through Reset allocates nothing once warm.
    private readonly Tableau _tableau = new();

    /// <summary>Creates a program over variables with bounds <paramref name="lower"/> ≤ x ≤ <paramref name="upper"/>.</summary>
    public LinearProgram(ReadOnlySpan<double> lower, ReadOnlySpan<double> upper) => Reset(lower, upper);

    // Code run per region or per program is AggressiveOptimization: compiled once, fully optimized, when first called,
    // rather than run from ReadyToRun or tier-0 code until the tiering thread, busy with hundreds of lukewarm methods,
    // reaches it: 5 to 19 % of a half-second nonempty run (see the README's Performance section).

    /// <summary>
    /// Empties the program and sets new bounds, keeping its storage: callers that solve many programs of similar size
    /// on one thread (the margin programs of every sign choice) reuse one instance.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Reset(ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        if (lower.Length != upper.Length)
            throw new ArgumentException($"{lower.Length} lower bounds for {upper.Length} upper bounds");
        foreach (double l in lower)
        {
            if (!double.IsFinite(l)) throw new ArgumentException("lower bounds must be finite");
        }
        if (_lower.Length != lower.Length)
        {
            _lower = new double[lower.Length];
            _upper = new double[upper.Length];
        }
        lower.CopyTo(_lower);
        upper.CopyTo(_upper);
        _rows.Clear();
        _rhs.Clear();
    }

    /// <summary>Number of variables.</summary>
    public int Variables => _lower.Length;

    /// <summary>Number of rows added (an equality counts twice).</summary>
    public int Rows => _rhs.Count;

    /// <summary>Adds the row aᵀx ≤ <paramref name="rhs"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddLessOrEqual(ReadOnlySpan<double> a, double rhs)
    {
        if (a.Length != Variables) throw new ArgumentException($"row has {a.Length} coefficients for {Variables} variables");
        _rows.AddRange(a);
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

    /// <summary>Maximizes <paramref name="objective"/>ᵀx over the constraints added so far with the simplex.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public LinearProgramResult Maximize(ReadOnlySpan<double> objective)
    {
        if (objective.Length != Variables) throw new ArgumentException($"objective has {objective.Length} coefficients for {Variables} variables");
        Tableau tableau = _tableau.Load(this);
        LinearProgramStatus phase1 = tableau.FindFeasibleBasis();
        if (phase1 != LinearProgramStatus.Optimal) return Failed(phase1);
        LinearProgramStatus phase2 = tableau.Optimize(objective);
        if (phase2 != LinearProgramStatus.Optimal) return Failed(phase2);
        double[] x = tableau.Solution();
        for (int k = 0; k < Variables; k++) x[k] += _lower[k];
        if (!Satisfies(x)) return Failed(LinearProgramStatus.NumericalTrouble);
        double[] duals = tableau.Duals(Rows);
        return new LinearProgramResult(LinearProgramStatus.Optimal, Value(objective, x), x, duals);
    }

    /// <summary>
    /// A rigorous upper bound on the program's optimum from any multipliers y ≥ 0 of its rows (negative entries count
    /// as 0): for every x in the box with Ax ≤ β, cᵀx = yᵀAx + (c − Aᵀy)ᵀx ≤ yᵀβ + Σ_k max(r_k l_k, r_k u_k) with
    /// r = c − Aᵀy. It needs no optimality of y, so a wrong tableau cannot fake it; the rounding of this sum is added.
    /// +∞ when an unbounded variable has a positive r_k.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double UpperBound(ReadOnlySpan<double> objective, ReadOnlySpan<double> duals)
    {
        if (duals.Length != Rows) throw new ArgumentException($"{duals.Length} multipliers for {Rows} rows");
        double bound = 0.0;
        double rounding = 0.0;
        for (int r = 0; r < Rows; r++)
        {
            double y = Math.Max(duals[r], 0.0);
            bound += y * _rhs[r];
            rounding += Math.Abs(y * _rhs[r]);
        }
        for (int k = 0; k < Variables; k++)
        {
            double reduced = objective[k];
            double size = Math.Abs(objective[k]);
            for (int r = 0; r < Rows; r++)
            {
                double term = Math.Max(duals[r], 0.0) * Coefficient(r, k);
                reduced -= term;
                size += Math.Abs(term);
            }
            double reach = Math.Max(Math.Abs(_lower[k]), Math.Abs(_upper[k]));
            if (reduced > 0.0 && double.IsPositiveInfinity(_upper[k])) return double.PositiveInfinity;
            bound += reduced >= 0.0 ? reduced * _upper[k] : reduced * _lower[k];
            if (double.IsFinite(reach)) rounding += size * reach;
        }
        return bound + 4.0 * (Rows + Variables + 2) * RegionSolve.UnitRoundoff * rounding;
    }

    /// <summary>Whether <paramref name="x"/> satisfies every bound and row within <see cref="CheckTolerance"/> of its scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Satisfies(ReadOnlySpan<double> x)
    {
        for (int k = 0; k < Variables; k++)
        {
            if (!double.IsFinite(x[k])) return false;
            if (x[k] < _lower[k] - CheckTolerance * (1.0 + Math.Abs(_lower[k]))) return false;
            if (x[k] > _upper[k] + CheckTolerance * (1.0 + Math.Abs(_upper[k]))) return false;
        }
        for (int r = 0; r < Rows; r++)
        {
            double lhs = 0.0;
            double scale = Math.Abs(_rhs[r]);
            for (int k = 0; k < Variables; k++)
            {
                lhs += Coefficient(r, k) * x[k];
                scale += Math.Abs(Coefficient(r, k) * x[k]);
            }
            if (lhs > _rhs[r] + CheckTolerance * (1.0 + scale)) return false;
        }
        return true;
    }

    private double Coefficient(int row, int variable) => _rows[row * Variables + variable];

    private static double Value(ReadOnlySpan<double> objective, double[] x)
    {
        double value = 0.0;
        for (int k = 0; k < x.Length; k++) value += objective[k] * x[k];
        return value;
    }

    private static LinearProgramResult Failed(LinearProgramStatus status) =>
        new(status, status == LinearProgramStatus.Unbounded ? double.PositiveInfinity : double.NaN, [], []);

    /// <summary>
    /// The condensed tableau x_B = b − A x_N with objective z = z₀ + cᵀx_N. Variable labels: originals
    /// 0..n−1, slacks n..n+m−1 (one per row), the artificial x₀ last.
    /// </summary>
    private sealed class Tableau
    {
        private int _m;
        private int _n;
        private int _columns;
        private double[] _a = [];
        private double[] _b = [];
        private double[] _c = [];
        private int[] _basic = [];
        private int[] _nonbasic = [];
        private int _artificial;

        // The program with x shifted to x' = x − l ≥ 0; finite upper bounds become rows x'_k ≤ u_k − l_k after the
        // program's own. Storage grows to the largest program seen and is reused.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tableau Load(LinearProgram program)
        {
            int n = program.Variables;
            int bounded = 0;
            foreach (double u in program._upper) bounded += double.IsPositiveInfinity(u) ? 0 : 1;
            _m = program.Rows + bounded;
            _n = n;
            _columns = n + 1;
            _artificial = n + _m;
            if (_a.Length < _m * _columns) _a = new double[Math.Max(_m * _columns, 2 * _a.Length)];
            if (_b.Length < _m)
            {
                _b = new double[Math.Max(_m, 2 * _b.Length)];
                _basic = new int[_b.Length];
            }
            if (_c.Length < _columns)
            {
                _c = new double[_columns];
                _nonbasic = new int[_columns];
            }
            Array.Clear(_a, 0, _m * _columns);
            for (int r = 0; r < program.Rows; r++)
            {
                double b = program._rhs[r];
                for (int k = 0; k < n; k++)
                {
                    double a = program.Coefficient(r, k);
                    _a[r * _columns + k] = a;
                    b -= a * program._lower[k];
                }
                _b[r] = b;
            }
            for (int k = 0, r = program.Rows; k < n; k++)
            {
                if (double.IsPositiveInfinity(program._upper[k])) continue;
                _a[r * _columns + k] = 1.0;
                _b[r++] = program._upper[k] - program._lower[k];
            }
            for (int r = 0; r < _m; r++)
            {
                // The artificial column enters as x_B = b − A x_N + x₀.
                _a[r * _columns + n] = -1.0;
                _basic[r] = n + r;
            }
            for (int k = 0; k < n; k++) _nonbasic[k] = k;
            _nonbasic[n] = _artificial;
            Value = 0.0;
            return this;
        }

        public double Value { get; private set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public LinearProgramStatus FindFeasibleBasis()
        {
            int worst = -1;
            for (int r = 0; r < _m; r++)
            {
                if (_b[r] < -FeasibilityTolerance && (worst < 0 || _b[r] < _b[worst])) worst = r;
            }
            if (worst >= 0)
            {
                Array.Clear(_c);
                _c[_n] = -1.0;
                Value = 0.0;
                Pivot(worst, _n);
                // Phase I is bounded above by 0, so it ends optimal, at the pivot limit or in trouble.
                LinearProgramStatus status = Run(allowArtificial: true);
                if (status != LinearProgramStatus.Optimal) return status == LinearProgramStatus.Unbounded ? LinearProgramStatus.NumericalTrouble : status;
                if (Value < -FeasibilityTolerance) return LinearProgramStatus.Infeasible;
                int row = _basic.AsSpan(0, _m).IndexOf(_artificial);
                if (row >= 0)
                {
                    // x₀ is basic at zero: a degenerate pivot on the largest usable entry of its row moves it out.
                    int column = -1;
                    for (int k = 0; k < _columns; k++)
                    {
                        if (Math.Abs(_a[row * _columns + k]) > PivotTolerance && (column < 0 || Math.Abs(_a[row * _columns + k]) > Math.Abs(_a[row * _columns + column]))) column = k;
                    }
                    if (column < 0) return LinearProgramStatus.NumericalTrouble;
                    _b[row] = 0.0;
                    Pivot(row, column);
                }
            }
            // Freeze x₀ at zero: its column never enters again.
            int artificialColumn = _nonbasic.AsSpan(0, _columns).IndexOf(_artificial);
            if (artificialColumn >= 0)
            {
                for (int r = 0; r < _m; r++) _a[r * _columns + artificialColumn] = 0.0;
            }
            return LinearProgramStatus.Optimal;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double[] Solution()
        {
            double[] x = new double[_n];
            for (int r = 0; r < _m; r++)
            {
                if (_basic[r] < _n) x[_basic[r]] = Math.Max(_b[r], 0.0);
            }
            return x;
        }

        // At an optimum a row whose slack is nonbasic has shadow price −c̄ ≥ 0; a basic slack's row is slack, price 0.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double[] Duals(int rows)
        {
            double[] y = new double[rows];
            for (int k = 0; k < _columns; k++)
            {
                int row = _nonbasic[k] - _n;
                if (row >= 0 && row < rows) y[row] = Math.Max(0.0, -_c[k]);
            }
            return y;
        }

        // Bland's entering rule and Harris's ratio test to optimality, unboundedness, trouble or the pivot budget. The
        // arrays are read through locals: the loops store into them, and the JIT would otherwise reload every field.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private LinearProgramStatus Run(bool allowArtificial)
        {
            double[] a = _a, b = _b, c = _c;
            int[] basic = _basic, nonbasic = _nonbasic;
            int m = _m, w = _columns;
            // Far more than the handful of pivots per row these programs take.
            long budget = 100L * (m + w);
            for (long pivots = 0; pivots < budget; pivots++)
            {
                int enter = -1;
                for (int k = 0; k < w; k++)
                {
                    if (!allowArtificial && nonbasic[k] == _artificial) continue;
                    if (c[k] > OptimalityTolerance && (enter < 0 || nonbasic[k] < nonbasic[enter])) enter = k;
                }
                if (enter < 0) return LinearProgramStatus.Optimal;
                // Pass 1: the longest step that keeps every basic variable above −δ.
                double limit = double.PositiveInfinity;
                bool usable = false;
                for (int r = 0; r < m; r++)
                {
                    double e = a[r * w + enter];
                    if (e > PivotTolerance)
                    {
                        limit = Math.Min(limit, (Math.Max(b[r], 0.0) + FeasibilityTolerance) / e);
                        usable = true;
                    }
                }
                if (!usable)
                {
                    // Tiny positive entries might be a bounded direction blurred by rounding: not a proof of unboundedness.
                    for (int r = 0; r < m; r++)
                    {
                        if (a[r * w + enter] > 0.0) return LinearProgramStatus.NumericalTrouble;
                    }
                    return LinearProgramStatus.Unbounded;
                }
                // Pass 2: within that step, the largest pivot; ties go to the smallest basic label.
                int leave = -1;
                for (int r = 0; r < m; r++)
                {
                    double e = a[r * w + enter];
                    if (e <= PivotTolerance || Math.Max(b[r], 0.0) / e > limit) continue;
                    if (leave < 0 || e > a[leave * w + enter] || (e == a[leave * w + enter] && basic[r] < basic[leave])) leave = r;
                }
                b[leave] = Math.Max(b[leave], 0.0);
                Pivot(leave, enter);
            }
            return LinearProgramStatus.PivotLimit;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Pivot(int l, int e)
        {
            double[] a = _a, b = _b, c = _c;
            int m = _m, w = _columns;
            Span<double> pivotRow = a.AsSpan(l * w, w);
            double inverse = 1.0 / pivotRow[e];
            for (int k = 0; k < w; k++) pivotRow[k] *= inverse;
            pivotRow[e] = inverse;
            b[l] *= inverse;
            for (int r = 0; r < m; r++)
            {
                if (r == l) continue;
                Span<double> row = a.AsSpan(r * w, w);
                double f = row[e];
                if (f == 0.0) continue;
                for (int k = 0; k < w; k++) row[k] -= f * pivotRow[k];
                row[e] = -f * inverse;
                b[r] -= f * b[l];
            }
            double g = c[e];
            if (g != 0.0)
            {
                for (int k = 0; k < w; k++) c[k] -= g * pivotRow[k];
                c[e] = -g * inverse;
                Value += g * b[l];
            }
            (_basic[l], _nonbasic[e]) = (_nonbasic[e], _basic[l]);
        }
    }
}
