using System.Numerics;

namespace Engine.Core.Exact;

/// <summary>Exact linear algebra on integers and rationals for the small systems of the exact fallbacks.</summary>
internal static class ExactAlgebra
{
    /// <summary>An integer basis of {x : Ax = 0} for the rows of <paramref name="rows"/> (each of length <paramref name="cols"/>).</summary>
    public static BigInteger[][] NullSpace(IReadOnlyList<BigInteger[]> rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var a = new List<Rational[]>(rows.Count);
        foreach (BigInteger[] row in rows) a.Add([.. row.Select(v => new Rational(v, BigInteger.One))]);
        // Reduced row echelon form: pivot columns and the rows that hold them.
        var pivots = new List<int>();
        int rank = 0;
        for (int c = 0; c < cols && rank < a.Count; c++)
        {
            int p = rank;
            while (p < a.Count && a[p][c].IsZero) p++;
            if (p == a.Count) continue;
            (a[rank], a[p]) = (a[p], a[rank]);
            Rational inverse = Rational.One / a[rank][c];
            for (int q = 0; q < cols; q++) a[rank][q] *= inverse;
            for (int r = 0; r < a.Count; r++)
            {
                if (r == rank || a[r][c].IsZero) continue;
                Rational f = a[r][c];
                for (int q = 0; q < cols; q++) a[r][q] -= f * a[rank][q];
            }
            pivots.Add(c);
            rank++;
        }
        var basis = new List<BigInteger[]>();
        for (int free = 0; free < cols; free++)
        {
            if (pivots.Contains(free)) continue;
            var v = new Rational[cols];
            v[free] = Rational.One;
            for (int r = 0; r < pivots.Count; r++) v[pivots[r]] = -a[r][free];
            basis.Add(Integers(v));
        }
        return [.. basis];
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

    // A rational vector times the least common multiple of its denominators, divided by the gcd of the result.
    private static BigInteger[] Integers(Rational[] v)
    {
        BigInteger lcm = BigInteger.One;
        foreach (Rational q in v) lcm = lcm / BigInteger.GreatestCommonDivisor(lcm, q.Denominator) * q.Denominator;
        BigInteger[] ints = [.. v.Select(q => q.Numerator * (lcm / q.Denominator))];
        BigInteger g = ints.Aggregate(BigInteger.Zero, BigInteger.GreatestCommonDivisor);
        return g.IsZero || g.IsOne ? ints : [.. ints.Select(x => x / g)];
    }
}
