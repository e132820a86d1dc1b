using Engine.Core;

namespace Engine.Tests;

/// <summary>
/// The independent reference: builds g_A's design matrix straight from Eq. 4 and solves the least-squares
/// problem by one-sided Jacobi SVD (Hestenes), giving the minimum-norm solution and the loss from the
/// residual itself. Shares no code with the engine.
/// </summary>
public static class ReferenceLeastSquares
{
    public readonly record struct Solution(double Loss, int Rank, double[] P);

    /// <summary>Row i is [a_i1 x_i, a_i1 (bias), …, a_ih x_i, a_ih, 1 (bias)] for region index bits a_ij = bit i·h+j.</summary>
    public static double[,] Design(Dataset d, int h, bool bias, long index)
    {
        int n = d.Inputs;
        int per = n + (bias ? 1 : 0);
        int m = h * per + (bias ? 1 : 0);
        var z = new double[d.Count, m];
        for (int i = 0; i < d.Count; i++)
        {
            for (int j = 0; j < h; j++)
            {
                if (((index >> (i * h + j)) & 1) == 0) continue;
                for (int k = 0; k < n; k++) z[i, j * per + k] = d.X[i * n + k];
                if (bias) z[i, j * per + n] = 1.0;
            }
            if (bias) z[i, m - 1] = 1.0;
        }
        return z;
    }

    public static Solution Solve(Dataset d, int h, bool bias, long index)
    {
        double[,] a = Design(d, h, bias, index);
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
        double sigmaMax = 0;
        for (int k = 0; k < cols; k++)
        {
            double norm = 0;
            for (int i = 0; i < rows; i++) norm += u[i, k] * u[i, k];
            sigma[k] = Math.Sqrt(norm);
            sigmaMax = Math.Max(sigmaMax, sigma[k]);
        }
        var solution = new double[cols];
        int rank = 0;
        for (int k = 0; k < cols; k++)
        {
            if (!(sigma[k] > Tolerances.ReferenceRcond * sigmaMax)) continue;
            rank++;
            // A v_k = σ_k u_k, so the k-th term of A⁺y is v_k (u_kᵀ y) / σ_k with u_k = (A v_k)/σ_k.
            double uy = 0;
            for (int i = 0; i < rows; i++) uy += u[i, k] * d.Y[i];
            double coefficient = uy / (sigma[k] * sigma[k]);
            for (int j = 0; j < cols; j++) solution[j] += coefficient * v[j, k];
        }
        double loss = 0;
        for (int i = 0; i < rows; i++)
        {
            double f = 0;
            for (int j = 0; j < cols; j++) f += a[i, j] * solution[j];
            loss += (f - d.Y[i]) * (f - d.Y[i]);
        }
        return new Solution(0.5 * loss, rank, solution);
    }
}
