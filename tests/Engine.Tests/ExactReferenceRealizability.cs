using Engine.Core.Data;
using Engine.Core.Geometry;

namespace Engine.Tests;

/// <summary>
/// Realizability in exact rational arithmetic, written apart from the engine's exact fallback and sharing nothing with
/// it: the minimizers as the equalities Z p = f* in the parameters themselves (f* the fitted values from Gram–Schmidt,
/// not the normal equations), zeroed nodes as equalities p_j = 0, and strict feasibility decided by Carathéodory's
/// theorem instead of a simplex: r_kᵀy &gt; 0 for all k has no solution iff some at most D + 1 of the rows have a strictly
/// positive dependence (a one-dimensional null space spanned by a vector of one strict sign).
/// </summary>
public static class ExactReferenceRealizability
{
    /// <summary>Whether the subglobal minimum of the region with these columns has a minimizer strictly inside it.</summary>
    public static bool Realizable(Dataset data, bool bias, IReadOnlyList<ulong[]> columns)
    {
        int h = columns.Count;
        int n = data.Inputs;
        int d = n + (bias ? 1 : 0);
        double[,] design = ReferenceLeastSquares.Design(data, h, bias, (i, j) => ColumnFeasibility.Active(columns[j], i));
        int points = data.Count, m = design.GetLength(1);
        Rational[][] z = [.. Enumerable.Range(0, points).Select(i => Enumerable.Range(0, m).Select(k => Rational.From(design[i, k])).ToArray())];
        Rational[] fit = Fitted(z, [.. data.Y.ToArray().Select(Rational.From)]);
        Rational[][] x = [.. Enumerable.Range(0, points).Select(i => data.Point(i).ToArray().Select(Rational.From).Concat(bias ? [Rational.From(1.0)] : []).ToArray())];
        int choices = (int)Math.Pow(3, h);
        for (int choice = 0; choice < choices; choice++)
        {
            int[] signs = new int[h];
            for (int j = 0, c = choice; j < h; j++, c /= 3) signs[j] = c % 3 - 1;
            var equations = new List<Rational[]>();
            var rhs = new List<Rational>();
            for (int i = 0; i < points; i++)
            {
                equations.Add((Rational[])z[i].Clone());
                rhs.Add(fit[i]);
            }
            for (int j = 0; j < h; j++)
            {
                if (signs[j] != 0) continue;
                for (int k = j * d; k < (j + 1) * d; k++)
                {
                    var row = new Rational[m];
                    Array.Fill(row, Rational.Zero);
                    row[k] = Rational.From(1.0);
                    equations.Add(row);
                    rhs.Add(Rational.Zero);
                }
            }
            (Rational[] Point, List<Rational[]> Directions)? set = Affine(equations, rhs, m);
            if (set is null) continue;
            (Rational[] p0, List<Rational[]> directions) = set.Value;
            // Rows over (e, τ): σ_j s_ij x̃_iᵀ(p0_j τ + Σ_e e·dir_j), and τ > 0.
            var rows = new List<Rational[]>();
            for (int j = 0; j < h; j++)
            {
                if (signs[j] == 0) continue;
                for (int i = 0; i < points; i++)
                {
                    if (x[i].All(v => v.IsZero)) continue;
                    int s = signs[j] * (ColumnFeasibility.Active(columns[j], i) ? 1 : -1);
                    Rational[] row = [.. directions.Select(v => Times(s, Dot(v, x[i], j * d))), Times(s, Dot(p0, x[i], j * d))];
                    rows.Add(row);
                }
            }
            Rational[] positive = [.. Enumerable.Repeat(Rational.Zero, directions.Count), Rational.From(1.0)];
            rows.Add(positive);
            if (StrictlyFeasible(rows, directions.Count + 1)) return true;
        }
        return false;
    }

    /// <summary>Whether some y has r_kᵀy &gt; 0 for every row: no subset of at most D + 1 rows is strictly positively dependent.</summary>
    public static bool StrictlyFeasible(IReadOnlyList<Rational[]> rows, int dimension)
    {
        // Rows that are positive multiples of each other impose one condition: keep one of each direction.
        var distinct = new List<Rational[]>();
        var seen = new HashSet<string>();
        foreach (Rational[] row in rows)
        {
            if (row.All(v => v.IsZero)) return false;
            if (seen.Add(Direction(row))) distinct.Add(row);
        }
        for (int size = 1; size <= Math.Min(dimension + 1, distinct.Count); size++)
        {
            foreach (int[] subset in Subsets(distinct.Count, size))
            {
                if (PositivelyDependent([.. subset.Select(k => distinct[k])], dimension)) return false;
            }
        }
        return true;
    }

    // The fitted values P_Z y by Gram–Schmidt on Z's columns.
    private static Rational[] Fitted(Rational[][] z, Rational[] y)
    {
        int rows = z.Length, cols = z[0].Length;
        var basis = new List<Rational[]>();
        for (int k = 0; k < cols; k++)
        {
            Rational[] q = [.. Enumerable.Range(0, rows).Select(i => z[i][k])];
            foreach (Rational[] e in basis)
            {
                Rational f = Dot(e, q) / Dot(e, e);
                for (int i = 0; i < rows; i++) q[i] -= f * e[i];
            }
            if (q.Any(v => !v.IsZero)) basis.Add(q);
        }
        Rational[] fit = [.. Enumerable.Repeat(Rational.Zero, rows)];
        foreach (Rational[] e in basis)
        {
            Rational c = Dot(e, y) / Dot(e, e);
            for (int i = 0; i < rows; i++) fit[i] += c * e[i];
        }
        return fit;
    }

    // Every solution of A p = b as p0 + span(directions) by Gauss–Jordan, or null when there is none.
    private static (Rational[] Point, List<Rational[]> Directions)? Affine(List<Rational[]> a, List<Rational> b, int cols)
    {
        var pivots = new List<int>();
        int rank = 0;
        for (int c = 0; c < cols && rank < a.Count; c++)
        {
            int p = Enumerable.Range(rank, a.Count - rank).FirstOrDefault(r => !a[r][c].IsZero, -1);
            if (p < 0) continue;
            (a[rank], a[p]) = (a[p], a[rank]);
            (b[rank], b[p]) = (b[p], b[rank]);
            Rational pivot = a[rank][c];
            for (int q = 0; q < cols; q++) a[rank][q] /= pivot;
            b[rank] /= pivot;
            for (int r = 0; r < a.Count; r++)
            {
                if (r == rank || a[r][c].IsZero) continue;
                Rational f = a[r][c];
                for (int q = 0; q < cols; q++) a[r][q] -= f * a[rank][q];
                b[r] -= f * b[rank];
            }
            pivots.Add(c);
            rank++;
        }
        for (int r = rank; r < a.Count; r++)
        {
            if (!b[r].IsZero) return null;
        }
        Rational[] point = [.. Enumerable.Repeat(Rational.Zero, cols)];
        for (int r = 0; r < rank; r++) point[pivots[r]] = b[r];
        var directions = new List<Rational[]>();
        for (int free = 0; free < cols; free++)
        {
            if (pivots.Contains(free)) continue;
            Rational[] v = [.. Enumerable.Repeat(Rational.Zero, cols)];
            v[free] = Rational.From(1.0);
            for (int r = 0; r < rank; r++) v[pivots[r]] = Rational.Zero - a[r][free];
            directions.Add(v);
        }
        return (point, directions);
    }

    // Whether the rows (as columns of a D × s matrix) have a one-dimensional null space spanned by a vector of one strict sign.
    private static bool PositivelyDependent(Rational[][] rows, int dimension)
    {
        int s = rows.Length;
        List<Rational[]> a = [.. Enumerable.Range(0, dimension).Select(i => rows.Select(r => r[i]).ToArray())];
        List<Rational> zeros = [.. Enumerable.Repeat(Rational.Zero, dimension)];
        (Rational[] _, List<Rational[]> directions) = Affine(a, zeros, s)!.Value;
        if (directions.Count != 1) return false;
        Rational[] lambda = directions[0];
        return lambda.All(v => v.Numerator.Sign > 0) || lambda.All(v => v.Numerator.Sign < 0);
    }

    private static IEnumerable<int[]> Subsets(int count, int size)
    {
        int[] pick = [.. Enumerable.Range(0, size)];
        while (true)
        {
            yield return (int[])pick.Clone();
            int k = size - 1;
            while (k >= 0 && pick[k] == count - size + k) k--;
            if (k < 0) yield break;
            pick[k]++;
            for (int q = k + 1; q < size; q++) pick[q] = pick[q - 1] + 1;
        }
    }

    // The row scaled so that its first nonzero entry is ±1, as text: equal for rows with the same direction.
    private static string Direction(Rational[] row)
    {
        Rational first = row.First(v => !v.IsZero);
        Rational scale = first.Numerator.Sign > 0 ? first : Rational.Zero - first;
        return string.Join(",", row.Select(v => v / scale));
    }

    private static Rational Times(int s, Rational v) => s > 0 ? v : Rational.Zero - v;

    private static Rational Dot(Rational[] a, Rational[] b)
    {
        Rational sum = Rational.Zero;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static Rational Dot(Rational[] p, Rational[] x, int offset)
    {
        Rational sum = Rational.Zero;
        for (int k = 0; k < x.Length; k++) sum += p[offset + k] * x[k];
        return sum;
    }
}
