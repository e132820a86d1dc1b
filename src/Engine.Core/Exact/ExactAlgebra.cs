using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine.Core.Exact;

/// <summary>Exact linear algebra on integers and rationals for the small systems of the exact fallbacks.</summary>
internal static class ExactAlgebra
{
    /// <summary>An integer basis of {x : Ax = 0} for the rows of <paramref name="rows"/> (each of length <paramref name="cols"/>).</summary>
    public static BigInteger[][] NullSpace(IReadOnlyList<BigInteger[]> rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(rows);
        BigInteger[][] a = [.. rows.Select(row => (BigInteger[])row.Clone())];
        return [.. Solutions(a, new BigInteger[a.Length], cols, long.MaxValue, out _)!.Value.Basis.Select(Integers)];
    }

    /// <summary>
    /// <see cref="Solutions(BigInteger[][], BigInteger[], int, long, out bool)"/> for rational A and b: each equation is
    /// first multiplied by the common denominator of its coefficients, which changes no solution.
    /// </summary>
    public static (Rational[] Particular, Rational[][] Basis)? Solutions(Rational[][] a, Rational[] b, int cols, long bitBudget, out bool overBudget)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var integers = new BigInteger[a.Length][];
        var rhs = new BigInteger[a.Length];
        for (int r = 0; r < a.Length; r++)
        {
            BigInteger[] row = Integers([.. a[r], b[r]], reduce: false);
            integers[r] = row[..cols];
            rhs[r] = row[cols];
        }
        return Solutions(integers, rhs, cols, bitBudget, out overBudget);
    }

    /// <summary>
    /// Every solution of A x = b as x₀ + Σ e_k n_k: the particular solution with its free variables zero and a basis of
    /// {x : Ax = 0}, one vector per free column of the echelon form. Null when the system is inconsistent or a number grew
    /// past <paramref name="bitBudget"/> bits (<paramref name="overBudget"/> says which). The elimination is Bareiss's,
    /// fraction-free: after k steps every entry is a k+1-rowed minor of [A b], so each division is exact and entries
    /// grow only as determinants do, with no gcd taken; fractions appear only in the back substitution.
    /// <paramref name="a"/> and <paramref name="b"/> are overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (Rational[] Particular, Rational[][] Basis)? Solutions(BigInteger[][] a, BigInteger[] b, int cols, long bitBudget, out bool overBudget)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        overBudget = false;
        var pivots = new List<int>();
        int rank = 0;
        BigInteger previous = BigInteger.One;
        for (int c = 0; c < cols && rank < a.Length; c++)
        {
            int p = rank;
            while (p < a.Length && a[p][c].IsZero) p++;
            if (p == a.Length) continue;
            (a[rank], a[p]) = (a[p], a[rank]);
            (b[rank], b[p]) = (b[p], b[rank]);
            BigInteger pivot = a[rank][c];
            for (int r = rank + 1; r < a.Length; r++)
            {
                BigInteger factor = a[r][c];
                long bits = 0;
                for (int q = c + 1; q < cols; q++)
                {
                    a[r][q] = (pivot * a[r][q] - factor * a[rank][q]) / previous;
                    bits = Math.Max(bits, a[r][q].GetBitLength());
                }
                b[r] = (pivot * b[r] - factor * b[rank]) / previous;
                a[r][c] = BigInteger.Zero;
                overBudget = Math.Max(bits, b[r].GetBitLength()) > bitBudget;
                if (overBudget) return null;
            }
            previous = pivot;
            pivots.Add(c);
            rank++;
        }
        for (int r = rank; r < a.Length; r++)
        {
            if (!b[r].IsZero) return null;
        }
        bool[] isPivot = new bool[cols];
        foreach (int c in pivots) isPivot[c] = true;
        Rational[] particular = BackSubstitute(a, pivots, cols, previous, b, -1);
        var basis = new List<Rational[]>();
        for (int free = 0; free < cols; free++)
        {
            if (!isPivot[free]) basis.Add(BackSubstitute(a, pivots, cols, previous, null, free));
        }
        return (particular, [.. basis]);
    }

    // The solution of the echelon rows with right-hand sides b (zero when null), free variable `free` at 1 (none when
    // −1), the others 0. Fraction-free: X = D·x with D the last pivot, the determinant of the pivot columns' minor, is
    // an integer vector (D·B⁻¹ is B's adjugate), and each step's division is exact because its equation holds exactly.
    private static Rational[] BackSubstitute(BigInteger[][] a, List<int> pivots, int cols, BigInteger determinant, BigInteger[]? b, int free)
    {
        var x = new BigInteger[cols];
        if (free >= 0) x[free] = determinant;
        for (int r = pivots.Count - 1; r >= 0; r--)
        {
            int c = pivots[r];
            BigInteger sum = b is null ? BigInteger.Zero : determinant * b[r];
            for (int q = c + 1; q < cols; q++)
            {
                if (!a[r][q].IsZero && !x[q].IsZero) sum -= a[r][q] * x[q];
            }
            x[c] = sum / a[r][c];
        }
        return [.. x.Select(v => new Rational(v, determinant))];
    }

    /// <summary>
    /// The generalized cross product of d − 1 integer rows in ℤ^d: e_k = (−1)^k det(rows without column k), orthogonal
    /// to every row, and zero exactly when the rows are dependent.
    /// </summary>
    public static BigInteger[] CrossProduct(IReadOnlyList<BigInteger[]> rows, int d)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var e = new BigInteger[d];
        var minor = new BigInteger[d - 1, d - 1];
        for (int k = 0; k < d; k++)
        {
            for (int r = 0; r < d - 1; r++)
            {
                for (int c = 0, m = 0; c < d; c++)
                {
                    if (c != k) minor[r, m++] = rows[r][c];
                }
            }
            BigInteger det = Determinant(minor, d - 1);
            e[k] = k % 2 == 0 ? det : -det;
        }
        return e;
    }

    /// <summary>The determinant of an integer matrix by Bareiss's fraction-free elimination (the matrix is overwritten).</summary>
    public static BigInteger Determinant(BigInteger[,] a, int n)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (n == 0) return BigInteger.One;
        int sign = 1;
        BigInteger previous = BigInteger.One;
        for (int k = 0; k < n - 1; k++)
        {
            if (a[k, k].IsZero)
            {
                int p = k + 1;
                while (p < n && a[p, k].IsZero) p++;
                if (p == n) return BigInteger.Zero;
                for (int c = 0; c < n; c++) (a[k, c], a[p, c]) = (a[p, c], a[k, c]);
                sign = -sign;
            }
            for (int r = k + 1; r < n; r++)
            {
                for (int c = k + 1; c < n; c++) a[r, c] = (a[r, c] * a[k, k] - a[r, k] * a[k, c]) / previous;
            }
            previous = a[k, k];
        }
        return sign * a[n - 1, n - 1];
    }

    /// <summary>
    /// The solution of the square system a·x = b by Gaussian elimination, or null when a is singular. Both are overwritten.
    /// </summary>
    public static Rational[]? Solve(Rational[,] a, Rational[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int n = b.Length;
        for (int k = 0; k < n; k++)
        {
            int p = k;
            while (p < n && a[p, k].IsZero) p++;
            if (p == n) return null;
            if (p != k)
            {
                for (int c = 0; c < n; c++) (a[k, c], a[p, c]) = (a[p, c], a[k, c]);
                (b[k], b[p]) = (b[p], b[k]);
            }
            for (int r = k + 1; r < n; r++)
            {
                if (a[r, k].IsZero) continue;
                Rational f = a[r, k] / a[k, k];
                for (int c = k; c < n; c++) a[r, c] -= f * a[k, c];
                b[r] -= f * b[k];
            }
        }
        var x = new Rational[n];
        for (int k = n - 1; k >= 0; k--)
        {
            Rational s = b[k];
            for (int c = k + 1; c < n; c++) s -= a[k, c] * x[c];
            x[k] = s / a[k, k];
        }
        return x;
    }

    /// <summary>v as integers P = a·v with a &gt; 0 the least common multiple of its denominators, and a.</summary>
    public static (BigInteger[] Integers, BigInteger Scale) Scaled(Rational[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        BigInteger lcm = BigInteger.One;
        foreach (Rational q in v) lcm = lcm / BigInteger.GreatestCommonDivisor(lcm, q.Denominator) * q.Denominator;
        return ([.. v.Select(q => q.Numerator * (lcm / q.Denominator))], lcm);
    }

    /// <summary>A rational vector times the least common multiple of its denominators, divided by the gcd of the result: the same direction in integers.</summary>
    public static BigInteger[] Integers(Rational[] v) => Integers(v, reduce: true);

    // v times the least common multiple of its denominators, then divided by the gcd of the result when reduce is set.
    private static BigInteger[] Integers(Rational[] v, bool reduce)
    {
        BigInteger lcm = BigInteger.One;
        foreach (Rational q in v) lcm = lcm / BigInteger.GreatestCommonDivisor(lcm, q.Denominator) * q.Denominator;
        BigInteger[] ints = [.. v.Select(q => q.Numerator * (lcm / q.Denominator))];
        BigInteger g = ints.Aggregate(BigInteger.Zero, BigInteger.GreatestCommonDivisor);
        return !reduce || g.IsZero || g.IsOne ? ints : [.. ints.Select(x => x / g)];
    }
}
