using Engine.Core.Data;

namespace Engine.Tests;

/// <summary>
/// The independent reference: builds g_A's design matrix straight from Eq. 4 on the data as given and solves the
/// least-squares problem by one-sided Jacobi SVD (Hestenes). Shares no code with the engine.
/// </summary>
/// <remarks>
/// The rank is LAPACK's rule on the column-equilibrated design Z̃ = Z·diag(1/‖z_k‖): singular values at or below
/// max(N, m)·ε·σ_max count as zero. The loss is ½‖r‖² with r = y − Σ_k ũ_k(ũ_kᵀy) over the kept left singular vectors of
/// Z̃, which loses no accuracy to cancellation. The minimum-norm solution is the pseudo-inverse of Z itself truncated
/// to the same rank.
/// </remarks>
public static class ReferenceLeastSquares
{
    private const double Epsilon = 2.220446049250313e-16;

    /// <param name="Loss">½‖y − Zp‖² at the minimum.</param>
    /// <param name="Rank">Numerical rank of Z̃.</param>
    /// <param name="P">Minimum-norm minimizer.</param>
    /// <param name="RankAmbiguous">Whether some singular value of Z̃ lies within a factor of 10 of the cut.</param>
    /// <param name="Condition">σ_max/σ_rank, the smaller of Z's and Z̃'s: what the loss accuracy is judged by.</param>
    /// <param name="RawCondition">σ_max/σ_rank of Z as given: the minimum-norm solution is defined in the data's own units, and this is its conditioning.</param>
    public readonly record struct Solution(double Loss, int Rank, double[] P, bool RankAmbiguous, double Condition, double RawCondition);

    /// <summary>Row i is [a_i1 x_i, a_i1 (bias), …, a_ih x_i, a_ih, 1 (bias)] for region index bits a_ij = bit i·h+j.</summary>
    public static double[,] Design(Dataset d, int h, bool bias, long index) =>
        Design(d, h, bias, (i, j) => ((index >> (i * h + j)) & 1) != 0);

    /// <summary>The design for activations given point by point and node by node.</summary>
    public static double[,] Design(Dataset d, int h, bool bias, Func<int, int, bool> active)
    {
        int n = d.Inputs;
        int per = n + (bias ? 1 : 0);
        int m = h * per + (bias ? 1 : 0);
        var z = new double[d.Count, m];
        for (int i = 0; i < d.Count; i++)
        {
            for (int j = 0; j < h; j++)
            {
                if (!active(i, j)) continue;
                for (int k = 0; k < n; k++) z[i, j * per + k] = d.X[i * n + k];
                if (bias) z[i, j * per + n] = 1.0;
            }
            if (bias) z[i, m - 1] = 1.0;
        }
        return z;
    }

    public static Solution Solve(Dataset d, int h, bool bias, long index) => Solve(Design(d, h, bias, index), d.Y.ToArray());

    public static Solution Solve(double[,] z, double[] y)
    {
        int rows = z.GetLength(0), cols = z.GetLength(1);
        var equilibrated = (double[,])z.Clone();
        for (int k = 0; k < cols; k++)
        {
            double norm = 0;
            for (int i = 0; i < rows; i++) norm += z[i, k] * z[i, k];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < rows; i++) equilibrated[i, k] = norm > 0 ? z[i, k] / norm : 0;
        }
        (double[] sigma, double[,] u, _) = Jacobi(equilibrated);
        double sigmaMax = sigma.Max();
        double cut = Math.Max(rows, cols) * Epsilon * sigmaMax;
        int[] kept = Enumerable.Range(0, cols).Where(k => sigma[k] > cut).ToArray();
        bool ambiguous = sigma.Any(s => s > cut / 10 && s < cut * 10);

        // r = y − Σ ũ_k(ũ_kᵀ y) over the kept directions, with ũ_k = (Z̃ v_k)/σ_k from the rotated columns.
        double[] r = (double[])y.Clone();
        foreach (int k in kept)
        {
            double uy = 0;
            for (int i = 0; i < rows; i++) uy += u[i, k] * y[i];
            uy /= sigma[k] * sigma[k];
            for (int i = 0; i < rows; i++) r[i] -= u[i, k] * uy;
        }
        double loss = 0.5 * r.Sum(e => e * e);

        (double[] rawSigma, double[,] rawU, double[,] rawV) = Jacobi(z);
        int[] order = Enumerable.Range(0, cols).OrderByDescending(k => rawSigma[k]).Take(kept.Length).ToArray();
        double[] p = new double[cols];
        foreach (int k in order)
        {
            if (!(rawSigma[k] > 0)) continue;
            double uy = 0;
            for (int i = 0; i < rows; i++) uy += rawU[i, k] * y[i];
            double coefficient = uy / (rawSigma[k] * rawSigma[k]);
            for (int j = 0; j < cols; j++) p[j] += coefficient * rawV[j, k];
        }
        double raw = kept.Length == 0 ? 1 : rawSigma.Max() / order.Min(k => rawSigma[k]);
        double kappa = kept.Length == 0 ? 1 : Math.Min(sigmaMax / kept.Min(k => sigma[k]), raw);
        return new Solution(loss, kept.Length, p, ambiguous, kappa, raw);
    }

    // One-sided Jacobi: A V = U Σ with the columns of U not normalised (column k has norm σ_k).
    private static (double[] Sigma, double[,] U, double[,] V) Jacobi(double[,] a)
    {
        int rows = a.GetLength(0), cols = a.GetLength(1);
        var u = (double[,])a.Clone();
        var v = new double[cols, cols];
        for (int k = 0; k < cols; k++) v[k, k] = 1.0;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < cols - 1; p++)
            {
                for (int q = p + 1; q < cols; q++)
                {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int i = 0; i < rows; i++)
                    {
                        alpha += u[i, p] * u[i, p];
                        beta += u[i, q] * u[i, q];
                        gamma += u[i, p] * u[i, q];
                    }
                    if (Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta) || gamma == 0) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    double c = 1 / Math.Sqrt(1 + t * t), s = c * t;
                    for (int i = 0; i < rows; i++)
                    {
                        double up = u[i, p], uq = u[i, q];
                        u[i, p] = c * up - s * uq;
                        u[i, q] = s * up + c * uq;
                    }
                    for (int i = 0; i < cols; i++)
                    {
                        double vp = v[i, p], vq = v[i, q];
                        v[i, p] = c * vp - s * vq;
                        v[i, q] = s * vp + c * vq;
                    }
                }
            }
            if (!rotated) break;
        }
        var sigma = new double[cols];
        for (int k = 0; k < cols; k++)
        {
            double norm = 0;
            for (int i = 0; i < rows; i++) norm += u[i, k] * u[i, k];
            sigma[k] = Math.Sqrt(norm);
        }
        return (sigma, u, v);
    }
}
