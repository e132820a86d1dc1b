using Engine.Core.Exact;

namespace Engine.Core.Closure;

/// <summary>
/// The exact fallback of <see cref="ConeLeastSquares"/>: the same problem, min ½‖Ax − y‖² over x_k ≥ 0 past the first
/// <c>free</c> columns, by Lawson and Hanson's method in rational arithmetic. Each step solves the normal equations of the
/// passive columns exactly (squaring the condition number costs nothing without rounding); the method ends in finitely
/// many steps, and its certificate (x ≥ 0, w = Aᵀ(y − Ax) ≤ 0 off the passive set and 0 on it) holds exactly, so the value
/// is the exact minimum of the data's binary values.
/// </summary>
internal static class ExactConeLeastSquares
{
    /// <summary>Most bits any intermediate number may have before the problem is left undecided.</summary>
    public const long BitBudget = 1 << 15;

    /// <summary>The exact minimizer and value, or null when the budget ran out.</summary>
    public static (Rational[] X, Rational Value)? Solve(IReadOnlyList<Rational[]> columns, int free, Rational[] y)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(y);
        int count = columns.Count;
        int rows = y.Length;
        var x = new Rational[count];
        var passive = new List<int>();
        bool[] zero = [.. columns.Select(c => c.All(v => v.IsZero))];
        for (int k = 0; k < free; k++)
        {
            if (!zero[k]) passive.Add(k);
        }
        if (passive.Count > 0 && !Step(columns, free, y, x, passive)) return null;
        for (int iteration = 0; iteration < 4 * count + 10; iteration++)
        {
            Rational[] r = Residual(columns, y, x, rows);
            int t = -1;
            Rational best = Rational.Zero;
            for (int k = free; k < count; k++)
            {
                if (zero[k] || passive.Contains(k)) continue;
                Rational w = Dot(columns[k], r);
                if (w > best)
                {
                    best = w;
                    t = k;
                }
            }
            if (t < 0)
            {
                Rational value = Dot(r, r) * new Rational(1, 2);
                return value.Bits > BitBudget ? null : (x, value);
            }
            passive.Add(t);
            if (!Step(columns, free, y, x, passive)) return null;
        }
        return null;
    }

    // The inner loop: x moves to the passive least-squares solution, dropping constrained columns it would make negative.
    private static bool Step(IReadOnlyList<Rational[]> columns, int free, Rational[] y, Rational[] x, List<int> passive)
    {
        for (int inner = 0; inner <= columns.Count + 1; inner++)
        {
            Rational[]? z = Passive(columns, y, passive);
            if (z is null || z.Any(v => v.Bits > BitBudget)) return false;
            int negative = Enumerable.Range(0, passive.Count).Count(p => passive[p] >= free && z[p].Sign <= 0);
            if (negative == 0)
            {
                for (int p = 0; p < passive.Count; p++) x[passive[p]] = z[p];
                return true;
            }
            Rational alpha = Rational.One;
            for (int p = 0; p < passive.Count; p++)
            {
                int k = passive[p];
                if (k < free || z[p].Sign > 0) continue;
                Rational ratio = x[k] / (x[k] - z[p]);
                if (ratio < alpha) alpha = ratio;
            }
            for (int p = 0; p < passive.Count; p++)
            {
                int k = passive[p];
                x[k] += alpha * (z[p] - x[k]);
            }
            passive.RemoveAll(k => k >= free && x[k].Sign <= 0);
            foreach (int k in Enumerable.Range(free, columns.Count - free).Where(k => !passive.Contains(k))) x[k] = Rational.Zero;
        }
        return false;
    }

    // The least-squares solution on the passive columns by their normal equations, or null when they are dependent.
    private static Rational[]? Passive(IReadOnlyList<Rational[]> columns, Rational[] y, List<int> passive)
    {
        int p = passive.Count;
        var gram = new Rational[p, p];
        var rhs = new Rational[p];
        for (int a = 0; a < p; a++)
        {
            rhs[a] = Dot(columns[passive[a]], y);
            for (int b = a; b < p; b++) gram[a, b] = gram[b, a] = Dot(columns[passive[a]], columns[passive[b]]);
        }
        return ExactAlgebra.Solve(gram, rhs);
    }

    private static Rational[] Residual(IReadOnlyList<Rational[]> columns, Rational[] y, Rational[] x, int rows)
    {
        var r = (Rational[])y.Clone();
        for (int k = 0; k < columns.Count; k++)
        {
            if (x[k].IsZero) continue;
            for (int i = 0; i < rows; i++) r[i] -= x[k] * columns[k][i];
        }
        return r;
    }

    private static Rational Dot(Rational[] a, Rational[] b)
    {
        Rational s = Rational.Zero;
        for (int i = 0; i < a.Length; i++)
        {
            if (!a[i].IsZero && !b[i].IsZero) s += a[i] * b[i];
        }
        return s;
    }
}
