using Engine.Core.Data;

namespace Engine.Tests;

/// <summary>
/// An independent reference for the minimum of L_f over a closed activation region with given signs of v: the convex
/// QP min ½‖Z_A p − y‖² subject to s_j(2a_ij − 1)·x̃_iᵀp_j ≥ 0 for every point and node, in the constraint form over
/// every point on the data as given, solved by Mehrotra's primal-dual interior-point method. The engine solves the
/// same minimum as nonnegative least squares over the cells' extreme rays on normalised data; this shares neither the
/// formulation, nor the method, nor any code with it.
/// </summary>
public static class ReferenceClosure
{
    /// <param name="Value">½‖Zp − y‖² at the interior-point method's last iterate.</param>
    /// <param name="Accuracy">How far the value may be from the true minimum: the complementarity gap plus the
    /// loss change the remaining constraint violation and stationarity residual allow.</param>
    public readonly record struct Result(double Value, double Accuracy);

    /// <summary>The closed region's minimum for activations a_ij = <paramref name="active"/>(i, j) and signs s_j.</summary>
    public static Result Solve(Dataset data, int hidden, bool bias, Func<int, int, bool> active, IReadOnlyList<int> signs)
    {
        double[,] z = ReferenceLeastSquares.Design(data, hidden, bias, active);
        int n = data.Inputs, per = n + (bias ? 1 : 0), m = z.GetLength(1), rows = data.Count;
        var constraints = new List<double[]>();
        for (int i = 0; i < rows; i++)
        {
            bool origin = !bias && Enumerable.Range(0, n).All(k => data.X[i * n + k] == 0.0);
            if (origin) continue;
            for (int j = 0; j < hidden; j++)
            {
                double sign = signs[j] * (active(i, j) ? 1.0 : -1.0);
                double[] g = new double[m];
                for (int k = 0; k < n; k++) g[j * per + k] = sign * data.X[i * n + k];
                if (bias) g[j * per + n] = sign;
                constraints.Add(g);
            }
        }
        double[] y = data.Y.ToArray();
        return InteriorPoint(z, y, [.. constraints]);
    }

    /// <summary>
    /// inf L_f by brute force: the least closed-region minimum over all 2^(N·h) activation patterns and all 2^h signs.
    /// Empty patterns are included: on the closed cone of any pattern the real network computes Z_A·p, so each value is
    /// attained by a network, and the nonempty ones cover parameter space. Tiny data only.
    /// </summary>
    public static Result BruteForceGlobal(Dataset data, int hidden, bool bias)
    {
        int bits = data.Count * hidden;
        if (bits > 12) throw new ArgumentException("brute force is for tiny data", nameof(data));
        Result best = new(double.PositiveInfinity, 0.0);
        for (long index = 0; index < 1L << bits; index++)
        {
            for (int choice = 0; choice < 1 << hidden; choice++)
            {
                int[] signs = [.. Enumerable.Range(0, hidden).Select(j => ((choice >> j) & 1) == 1 ? -1 : 1)];
                long pattern = index;
                Result r = Solve(data, hidden, bias, (i, j) => ((pattern >> (i * hidden + j)) & 1) != 0, signs);
                if (r.Value < best.Value) best = r;
            }
        }
        return best;
    }

    // min ½‖Zx − y‖² s.t. Gx ≥ 0 with slacks s = Gx ≥ 0 and multipliers λ ≥ 0 (Nocedal & Wright, Algorithm 16.4).
    private static Result InteriorPoint(double[,] z, double[] y, double[][] g)
    {
        int rows = z.GetLength(0), m = z.GetLength(1), q = g.Length;
        double[,] h = new double[m, m];
        double[] c = new double[m];
        for (int a = 0; a < m; a++)
        {
            for (int i = 0; i < rows; i++) c[a] -= z[i, a] * y[i];
            for (int b = 0; b < m; b++)
            {
                for (int i = 0; i < rows; i++) h[a, b] += z[i, a] * z[i, b];
            }
        }
        double scale = 1.0 + y.Sum(v => v * v);
        double[] x = new double[m], s = Enumerable.Repeat(1.0, q).ToArray(), l = Enumerable.Repeat(1.0, q).ToArray();
        for (int iteration = 0; iteration < 200; iteration++)
        {
            double[] rd = Residual(h, c, g, x, l);
            double[] rp = new double[q];
            for (int k = 0; k < q; k++) rp[k] = Dot(g[k], x) - s[k];
            double mu = q == 0 ? 0.0 : Enumerable.Range(0, q).Sum(k => s[k] * l[k]) / q;
            // Stationarity is judged against the size of its terms: near the end λ/s spans many orders of magnitude, and the
            // reduced equations then hold Hx + c − Gᵀλ only to about 1e-10 of them (measured); its effect on the value is
            // part of the accuracy reported.
            double terms = 1.0 + c.Max(Math.Abs) + (q == 0 ? 0.0 : Enumerable.Range(0, m).Max(a => Enumerable.Range(0, q).Sum(k => Math.Abs(g[k][a] * l[k]))));
            bool stationary = rd.Max(Math.Abs) <= 1e-9 * terms;
            bool feasible = q == 0 || rp.Max(Math.Abs) <= 1e-12 * (1.0 + x.Max(Math.Abs));
            if (q * mu <= 1e-15 * scale && stationary && feasible) break;
            double[,] matrix = (double[,])h.Clone();
            for (int k = 0; k < q; k++)
            {
                double d = l[k] / s[k];
                for (int a = 0; a < m; a++)
                {
                    for (int b = 0; b < m; b++) matrix[a, b] += d * g[k][a] * g[k][b];
                }
            }
            // A flat direction (a node whose points do not span its weights) moves nothing: a tiny ridge keeps it at 0.
            for (int a = 0; a < m; a++) matrix[a, a] += 1e-14 * (1.0 + matrix[a, a]);
            (double[] dx, double[] ds, double[] dl) = Direction(matrix, g, rd, rp, s, l, [.. Enumerable.Range(0, q).Select(k => s[k] * l[k])]);
            double alpha = StepLength(s, ds, l, dl);
            double affine = Enumerable.Range(0, q).Sum(k => (s[k] + alpha * ds[k]) * (l[k] + alpha * dl[k])) / Math.Max(q, 1);
            double sigma = mu > 0.0 ? Math.Pow(affine / mu, 3) : 0.0;
            double[] rc = [.. Enumerable.Range(0, q).Select(k => s[k] * l[k] + ds[k] * dl[k] - sigma * mu)];
            (dx, ds, dl) = Direction(matrix, g, rd, rp, s, l, rc);
            // A fraction 0.995 of the way to the boundary keeps s and λ strictly positive.
            alpha = Math.Min(1.0, 0.995 * MaxStep(s, ds, l, dl));
            double[] nx = [.. x.Select((v, a) => v + alpha * dx[a])];
            double[] ns = [.. s.Select((v, k) => v + alpha * ds[k])];
            double[] nl = [.. l.Select((v, k) => v + alpha * dl[k])];
            // A step that leaves the finite numbers or empties a slack ends the method at the last good iterate.
            if (!nx.Concat(ns).Concat(nl).All(double.IsFinite) || ns.Any(v => v <= 0.0) || nl.Any(v => v <= 0.0)) break;
            (x, s, l) = (nx, ns, nl);
        }
        double value = 0.0;
        for (int i = 0; i < rows; i++)
        {
            double r = -y[i];
            for (int a = 0; a < m; a++) r += z[i, a] * x[a];
            value += r * r;
        }
        value *= 0.5;
        // Complementarity plus what the leftover violations could move: the minimum lies within this of the value.
        double gap = Enumerable.Range(0, q).Sum(k => Math.Abs(Dot(g[k], x) * l[k]));
        double[] final = Residual(h, c, g, x, l);
        double violation = g.Length == 0 ? 0.0 : g.Max(row => Math.Max(0.0, -Dot(row, x)));
        double accuracy = gap + final.Max(Math.Abs) * (1.0 + x.Max(Math.Abs)) + violation * Math.Sqrt(scale) * (1.0 + l.DefaultIfEmpty().Max());
        return new Result(value, accuracy);
    }

    // Hx + c − Gᵀλ.
    private static double[] Residual(double[,] h, double[] c, double[][] g, double[] x, double[] l)
    {
        int m = c.Length;
        double[] r = new double[m];
        for (int a = 0; a < m; a++)
        {
            r[a] = c[a];
            for (int b = 0; b < m; b++) r[a] += h[a, b] * x[b];
            for (int k = 0; k < g.Length; k++) r[a] -= g[k][a] * l[k];
        }
        return r;
    }

    // The Newton step of the KKT system with complementarity right-hand side rc, by the reduced (normal) equations.
    private static (double[], double[], double[]) Direction(double[,] matrix, double[][] g, double[] rd, double[] rp, double[] s, double[] l, double[] rc)
    {
        int m = rd.Length, q = g.Length;
        double[] rhs = [.. rd.Select(v => -v)];
        for (int k = 0; k < q; k++)
        {
            double f = (rc[k] + l[k] * rp[k]) / s[k];
            for (int a = 0; a < m; a++) rhs[a] -= g[k][a] * f;
        }
        double[] dx = Gauss((double[,])matrix.Clone(), rhs);
        double[] ds = new double[q], dl = new double[q];
        for (int k = 0; k < q; k++)
        {
            ds[k] = Dot(g[k], dx) + rp[k];
            dl[k] = -(rc[k] + l[k] * ds[k]) / s[k];
        }
        return (dx, ds, dl);
    }

    private static double StepLength(double[] s, double[] ds, double[] l, double[] dl) => Math.Min(1.0, MaxStep(s, ds, l, dl));

    private static double MaxStep(double[] s, double[] ds, double[] l, double[] dl)
    {
        double alpha = double.PositiveInfinity;
        for (int k = 0; k < s.Length; k++)
        {
            if (ds[k] < 0.0) alpha = Math.Min(alpha, -s[k] / ds[k]);
            if (dl[k] < 0.0) alpha = Math.Min(alpha, -l[k] / dl[k]);
        }
        return alpha;
    }

    // Gaussian elimination with partial pivoting.
    private static double[] Gauss(double[,] a, double[] b)
    {
        int n = b.Length;
        for (int k = 0; k < n; k++)
        {
            int p = k;
            for (int r = k + 1; r < n; r++)
            {
                if (Math.Abs(a[r, k]) > Math.Abs(a[p, k])) p = r;
            }
            for (int c = 0; c < n; c++) (a[k, c], a[p, c]) = (a[p, c], a[k, c]);
            (b[k], b[p]) = (b[p], b[k]);
            for (int r = k + 1; r < n; r++)
            {
                double f = a[r, k] / a[k, k];
                for (int c = k; c < n; c++) a[r, c] -= f * a[k, c];
                b[r] -= f * b[k];
            }
        }
        double[] x = new double[n];
        for (int k = n - 1; k >= 0; k--)
        {
            double v = b[k];
            for (int c = k + 1; c < n; c++) v -= a[k, c] * x[c];
            x[k] = v / a[k, k];
        }
        return x;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0.0;
        for (int k = 0; k < a.Length; k++) s += a[k] * b[k];
        return s;
    }
}
