using System.Numerics;
using System.Runtime.CompilerServices;
using Engine.Core.Data;
using Engine.Core.Exact;

namespace Engine.Core.Geometry;

/// <summary>
/// <see cref="Realizability"/>'s question decided in exact rational arithmetic on the data's binary values: the
/// fallback for the regions whose double-precision decision is undecided or rests on a margin, a loss gap or a row too
/// small to trust. A yes carries a network whose every sign and whose loss are checked exactly; a no carries, for every
/// set of zeroed nodes and every sign choice, an exact certificate.
/// </summary>
/// <remarks>
/// <para>The minimizers of L_gA are the solutions of the normal equations ZᵀZ p = Zᵀy, solved by exact elimination:
/// p₀ + N c. Nodes with v_j = 0 need p_j = 0, a further linear system in c; the other nodes need
/// σ_j s_ij p_jᵀx̃_i &gt; 0 for every point. Homogenised with τ &gt; 0 (p = p₀' + N'e/τ), that is a system of strict
/// homogeneous inequalities, decided by <see cref="StrictFeasibility"/> with a solution or Gordan's certificate.</para>
/// <para>Rows that the free directions cannot move force their node's sign (or, when they vanish, rule the set out),
/// so only the other nodes' signs are tried: at most 3^h programs, each of at most N·h + 1 rows.</para>
/// <para>Every number is held to <see cref="BitBudget"/> bits; a region that needs more stays undecided.</para>
/// </remarks>
internal static class ExactRealizability
{
    /// <summary>Most bits of any numerator or denominator on the exact path before a region is left undecided.</summary>
    public const long BitBudget = 1 << 12;

    /// <summary>
    /// The realizable minimum, verified exactly, or null: a no (<paramref name="undecided"/> false, every choice refuted
    /// by an exact certificate) or undecided (the bit budget was reached, or no network rounded to doubles stays in the
    /// region). Only the sets of zeroed nodes (bit j for node j) in <paramref name="zeroedSets"/> are searched: those
    /// whose double-precision decision was in doubt, the others having been refuted with certificates already. <paramref name="cellWitnesses"/>[j] is an
    /// interior point of column j's cell in the data's units, for nodes with v_j = 0; <paramref name="tolerance"/> is how
    /// far the witness's loss may be from the exact minimum (<see cref="Realizability.WitnessTolerance"/>). The
    /// witness's <see cref="NetworkWitness.Loss"/> is the exact minimum rounded to a double: the region's loss, which
    /// callers report in place of the double solve's.
    /// </summary>
    // Rare, but each call does thousands of big-integer steps: compiled fully optimized at once, not run at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RealizedMinimum? Decide(Dataset data, bool bias, IReadOnlyList<ulong[]> columns, IReadOnlyList<double[]> cellWitnesses,
        double tolerance, IReadOnlyList<int> zeroedSets, out bool undecided)
    {
        undecided = false;
        int n = data.Inputs;
        int h = columns.Count;
        int d = n + (bias ? 1 : 0);
        int m = h * d + (bias ? 1 : 0);
        // Each input column and the targets times the power of two that makes them integers: the minimizers scale by
        // these powers (p_jk by 2^(e_y − e_k), q_j and c by 2^e_y), every sign stays, and the normal equations are built
        // from integer products without a single reduction.
        int[] shifts = [.. Enumerable.Range(0, n).Select(k => IntegerShift(Enumerable.Range(0, data.Count).Select(i => data.Point(i)[k])))];
        int targetShift = IntegerShift(data.Y.ToArray());
        if (shifts.Append(targetShift).Any(e => e > BitBudget))
        {
            undecided = true;
            return null;
        }
        BigInteger[][] points = [.. Enumerable.Range(0, data.Count).Select(i => Augmented(data, bias, i, shifts))];
        BigInteger[] y = [.. data.Y.ToArray().Select(v => Integer(v, targetShift))];
        BigInteger[][] z = [.. Enumerable.Range(0, data.Count).Select(i => DesignRow(points[i], columns, i, d, m, bias))];
        (Rational[] Particular, Rational[][] Basis)? minimizers = ExactAlgebra.Solutions(Gram(z, m), Moment(z, y, m), m, BitBudget, out _);
        if (minimizers is null)
        {
            // The normal equations are always consistent: only the budget stops them.
            undecided = true;
            return null;
        }
        (Rational[] p0, Rational[][] basis) = minimizers.Value;
        // The minimum and the minimizers back in the data's units.
        Rational minimum = HalfSquaredResidual(z, y, p0) * PowerOfTwo(-2 * targetShift);
        Rational[] units = [.. Enumerable.Range(0, m).Select(k => PowerOfTwo((k < h * d && k % d < n ? shifts[k % d] : 0) - targetShift))];
        foreach (int zeroed in zeroedSets)
        {
            (Rational[] Point, Rational[][] Directions)? set = Restricted(p0, basis, zeroed, d, h, out bool overBudget);
            undecided |= overBudget;
            if (set is null) continue;
            RealizedMinimum? found = DecideSigns(data, bias, columns, cellWitnesses, tolerance, minimum, points, units, set.Value.Point, set.Value.Directions, zeroed, ref undecided);
            if (found is not null)
            {
                undecided = false;
                return found;
            }
        }
        return null;
    }

    // The minimizers with p_j = 0 for every node j in zeroed: p₀ + N c₀ + N K e, or null when there are none.
    private static (Rational[] Point, Rational[][] Directions)? Restricted(Rational[] p0, Rational[][] basis, int zeroed, int d, int h, out bool overBudget)
    {
        overBudget = false;
        int[] fixedEntries = [.. Enumerable.Range(0, h).Where(j => ((zeroed >> j) & 1) == 1).SelectMany(j => Enumerable.Range(j * d, d))];
        if (fixedEntries.Length == 0) return (p0, basis);
        Rational[][] a = [.. fixedEntries.Select(k => basis.Select(v => v[k]).ToArray())];
        Rational[] b = [.. fixedEntries.Select(k => -p0[k])];
        (Rational[] Particular, Rational[][] Basis)? c = ExactAlgebra.Solutions(a, b, basis.Length, BitBudget, out overBudget);
        if (c is null) return null;
        Rational[] point = Combine(p0, basis, c.Value.Particular);
        Rational[][] directions = [.. c.Value.Basis.Select(k => Combine(new Rational[p0.Length], basis, k))];
        return (point, directions);
    }

    // Every sign choice for the alive nodes of one set of zeroed nodes.
    private static RealizedMinimum? DecideSigns(Dataset data, bool bias, IReadOnlyList<ulong[]> columns, IReadOnlyList<double[]> cellWitnesses,
        double tolerance, Rational minimum, BigInteger[][] points, Rational[] units, Rational[] point, Rational[][] directions, int zeroed, ref bool undecided)
    {
        int h = columns.Count;
        int d = points.Length == 0 ? 0 : points[0].Length;
        int free = directions.Length;
        // The point and the directions as integer vectors: P = a·point, V_f = b_f·direction_f with a, b_f > 0. The rows
        // below are then integer dot products, and the strict system in (e', τ') is the same system with its variables
        // rescaled, the minimizer of a solution being (τ'P + Σe'_f V_f)/(τ'a).
        (BigInteger[] integerPoint, BigInteger scale) = ExactAlgebra.Scaled(point);
        BigInteger[][] integerDirections = [.. directions.Select(v => ExactAlgebra.Scaled(v).Integers)];
        Rational[] Minimizer(BigInteger[] e)
        {
            var p = new Rational[point.Length];
            for (int k = 0; k < p.Length; k++)
            {
                BigInteger numerator = e[free] * integerPoint[k];
                for (int f = 0; f < free; f++) numerator += e[f] * integerDirections[f][k];
                p[k] = new Rational(numerator, e[free] * scale) * units[k];
            }
            return p;
        }
        // Per alive node, its rows s_ij·(β_ijᵀ, α_ij) over (e, τ), and the sign its fixed rows (β = 0) force.
        var moving = new List<BigInteger[]>[h];
        int[] forced = new int[h];
        for (int j = 0; j < h; j++)
        {
            moving[j] = [];
            if (((zeroed >> j) & 1) == 1) continue;
            for (int i = 0; i < points.Length; i++)
            {
                if (points[i].All(e => e.IsZero)) continue;
                int s = ColumnFeasibility.Active(columns[j], i) ? 1 : -1;
                var row = new BigInteger[free + 1];
                for (int e = 0; e < free; e++) row[e] = s * Dot(integerDirections[e], points[i], j * d);
                row[free] = s * Dot(integerPoint, points[i], j * d);
                if (row.Take(free).Any(v => !v.IsZero))
                {
                    moving[j].Add(row);
                    continue;
                }
                // A row no minimizer moves has one sign on all of them; zero is the boundary for either sign.
                int sign = row[free].Sign;
                if (sign == 0 || (forced[j] != 0 && forced[j] != sign)) return null;
                forced[j] = sign;
            }
        }
        int[] open = [.. Enumerable.Range(0, h).Where(j => ((zeroed >> j) & 1) == 0 && forced[j] == 0)];
        for (int choice = 0; choice < 1 << open.Length; choice++)
        {
            int[] signs = new int[h];
            for (int j = 0; j < h; j++) signs[j] = ((zeroed >> j) & 1) == 1 ? 0 : forced[j];
            for (int k = 0; k < open.Length; k++) signs[open[k]] = ((choice >> k) & 1) == 1 ? -1 : 1;
            var rows = new List<BigInteger[]>();
            for (int j = 0; j < h; j++)
            {
                foreach (BigInteger[] row in moving[j]) rows.Add(signs[j] > 0 ? row : [.. row.Select(v => -v)]);
            }
            var positive = new BigInteger[free + 1];
            positive[free] = BigInteger.One;
            rows.Add(positive);
            (bool Feasible, BigInteger[]? Solution)? answer = StrictFeasibility.Decide(rows, free + 1, BitBudget);
            if (answer is null)
            {
                undecided = true;
                continue;
            }
            if (!answer.Value.Feasible) continue;
            // The network of the exact solution, or else of a more central one: Phase I's lies on its dual's vertex, often
            // so near the cone's edge that the network rounded to doubles leaves the region.
            RealizedMinimum? realized = Realize(data, bias, columns, cellWitnesses, tolerance, minimum, Minimizer(answer.Value.Solution!), signs);
            if (realized is null && Central(rows, free + 1) is { } central)
                realized = Realize(data, bias, columns, cellWitnesses, tolerance, minimum, Minimizer(central), signs);
            if (realized is not null) return realized;
            // A point strictly inside whose rounding to doubles leaves the region: yes in exact terms, but without a
            // witness that can be reported, so undecided.
            undecided = true;
        }
        return null;
    }

    // A point deep inside the cone {y : r_kᵀy > 0}, known to be nonempty: the largest t with r̂_kᵀy' ≥ t over the box
    // |y'| ≤ 1, where each variable is rescaled by a power of two to make its column's largest entry near 1 and each row
    // by its largest entry, so that t measures every row's margin on one scale. Solved in doubles, then read as the
    // rationals the doubles are and checked exactly; null when the program or the check fails.
    private static BigInteger[]? Central(List<BigInteger[]> rows, int dimension)
    {
        long[] columnBits = [.. Enumerable.Range(0, dimension).Select(f => rows.Max(r => r[f].GetBitLength()))];
        var program = new LinearProgram([.. Enumerable.Repeat(-1.0, dimension), 0.0], [.. Enumerable.Repeat(1.0, dimension + 1)]);
        var row = new double[dimension + 1];
        foreach (BigInteger[] r in rows)
        {
            for (int f = 0; f < dimension; f++) row[f] = -Scaled(r[f], columnBits[f]);
            double largest = row.Take(dimension).Max(Math.Abs);
            if (largest == 0.0) return null;
            for (int f = 0; f < dimension; f++) row[f] /= largest;
            row[dimension] = 1.0;
            program.AddLessOrEqual(row, 0.0);
        }
        double[] objective = new double[dimension + 1];
        objective[dimension] = 1.0;
        LinearProgramResult result = program.Maximize(objective);
        if (result.Status != LinearProgramStatus.Optimal || !(result.X[dimension] > 0.0)) return null;
        BigInteger[] y = ExactAlgebra.Scaled([.. Enumerable.Range(0, dimension).Select(f => Rational.From(result.X[f]) * PowerOfTwo((int)-columnBits[f]))]).Integers;
        return rows.All(r => Dot(r, y, 0).Sign > 0) ? y : null;
    }

    // v·2^-bits as a double, for |v| below 2^bits: its leading 62 bits converted, then scaled.
    private static double Scaled(BigInteger v, long bits)
    {
        int drop = (int)Math.Max(0, v.GetBitLength() - 62);
        return Math.ScaleB((double)(v >> drop), (int)(drop - bits));
    }

    // The network of an exact minimizer: v_j = σ_j·2^k near √‖p_j‖∞, so w_j = p_j/v_j is p_j rescaled exactly, then
    // rounded to doubles and checked exactly, signs and loss, as NetworkWitness.VerifyExactly does.
    private static RealizedMinimum? Realize(Dataset data, bool bias, IReadOnlyList<ulong[]> columns, IReadOnlyList<double[]> cellWitnesses,
        double tolerance, Rational minimum, Rational[] p, int[] signs)
    {
        int n = data.Inputs;
        int h = columns.Count;
        int d = n + (bias ? 1 : 0);
        double[][] w = new double[h][];
        double[] b = new double[h], v = new double[h];
        double[] parameters = [.. p.Select(e => e.ToDouble())];
        for (int j = 0; j < h; j++)
        {
            if (signs[j] == 0)
            {
                w[j] = cellWitnesses[j][..n];
                if (bias) b[j] = cellWitnesses[j][n];
                continue;
            }
            double largest = parameters.Skip(j * d).Take(d).Max(Math.Abs);
            if (largest == 0.0 || !double.IsFinite(largest)) return null;
            v[j] = signs[j] * Math.ScaleB(1.0, (int)Math.Round(0.5 * Math.Log2(largest)));
            Rational scale = Rational.From(v[j]);
            w[j] = [.. Enumerable.Range(0, n).Select(k => (p[j * d + k] / scale).ToDouble())];
            if (bias) b[j] = (p[j * d + n] / scale).ToDouble();
        }
        double c = bias ? parameters[^1] : 0.0;
        // Held to the exact minimum alone, and reporting it: the double solve's loss may be off by more than the tolerance
        // where the design is ill-conditioned, and the caller reports this one in its place.
        NetworkWitness? witness = NetworkWitness.VerifyExactly(data, bias, columns, w, b, v, c, minimum.ToDouble(), tolerance, minimum);
        return witness is null ? null : new RealizedMinimum(parameters, signs, witness);
    }

    // The least e ≥ 0 with v·2^e an integer for every v.
    private static int IntegerShift(IEnumerable<double> values)
    {
        int shift = 0;
        foreach (double v in values)
        {
            if (v == 0.0) continue;
            (long mantissa, int exponent) = Rational.Split(v);
            shift = Math.Max(shift, -exponent);
        }
        return shift;
    }

    // v·2^shift, an integer when shift is at least v's IntegerShift.
    private static BigInteger Integer(double v, int shift)
    {
        if (v == 0.0) return BigInteger.Zero;
        (long mantissa, int exponent) = Rational.Split(v);
        return new BigInteger(mantissa) << (exponent + shift);
    }

    private static Rational PowerOfTwo(int e) => e >= 0 ? new Rational(BigInteger.One << e, BigInteger.One) : new Rational(BigInteger.One, BigInteger.One << -e);

    private static BigInteger[] Augmented(Dataset data, bool bias, int i, int[] shifts)
    {
        ReadOnlySpan<double> x = data.Point(i);
        var row = new BigInteger[x.Length + (bias ? 1 : 0)];
        for (int k = 0; k < x.Length; k++) row[k] = Integer(x[k], shifts[k]);
        if (bias) row[^1] = BigInteger.One;
        return row;
    }

    private static BigInteger[] DesignRow(BigInteger[] point, IReadOnlyList<ulong[]> columns, int i, int d, int m, bool bias)
    {
        var row = new BigInteger[m];
        for (int j = 0; j < columns.Count; j++)
        {
            if (ColumnFeasibility.Active(columns[j], i)) point.CopyTo(row, j * d);
        }
        if (bias) row[^1] = BigInteger.One;
        return row;
    }

    private static BigInteger[][] Gram(BigInteger[][] z, int m)
    {
        var gram = new BigInteger[m][];
        for (int a = 0; a < m; a++) gram[a] = new BigInteger[m];
        for (int a = 0; a < m; a++)
        {
            for (int b = a; b < m; b++)
            {
                BigInteger sum = BigInteger.Zero;
                foreach (BigInteger[] row in z) sum += row[a] * row[b];
                gram[a][b] = gram[b][a] = sum;
            }
        }
        return gram;
    }

    private static BigInteger[] Moment(BigInteger[][] z, BigInteger[] y, int m)
    {
        var moment = new BigInteger[m];
        for (int a = 0; a < m; a++)
        {
            BigInteger sum = BigInteger.Zero;
            for (int i = 0; i < z.Length; i++) sum += z[i][a] * y[i];
            moment[a] = sum;
        }
        return moment;
    }

    // ½‖y − Z p‖² over p's common denominator D: ½Σ(D y_i − z_iᵀ(D p))² / D², in integers until the one division.
    private static Rational HalfSquaredResidual(BigInteger[][] z, BigInteger[] y, Rational[] p)
    {
        BigInteger denominator = BigInteger.One;
        foreach (Rational e in p) denominator = denominator / BigInteger.GreatestCommonDivisor(denominator, e.Denominator) * e.Denominator;
        BigInteger[] scaled = [.. p.Select(e => e.Numerator * (denominator / e.Denominator))];
        BigInteger sum = BigInteger.Zero;
        for (int i = 0; i < z.Length; i++)
        {
            BigInteger r = y[i] * denominator;
            for (int k = 0; k < scaled.Length; k++) r -= z[i][k] * scaled[k];
            sum += r * r;
        }
        return new Rational(sum, 2 * denominator * denominator);
    }

    // point + Σ_f coefficients_f·basis_f.
    private static Rational[] Combine(Rational[] point, Rational[][] basis, Rational[] coefficients)
    {
        Rational[] result = (Rational[])point.Clone();
        for (int f = 0; f < basis.Length; f++)
        {
            if (coefficients[f].IsZero) continue;
            for (int k = 0; k < result.Length; k++) result[k] += coefficients[f] * basis[f][k];
        }
        return result;
    }

    // p_jᵀx̃ for the node whose block starts at offset.
    private static BigInteger Dot(BigInteger[] p, BigInteger[] x, int offset)
    {
        BigInteger sum = BigInteger.Zero;
        for (int k = 0; k < x.Length; k++) sum += p[offset + k] * x[k];
        return sum;
    }
}
