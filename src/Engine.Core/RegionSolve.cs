namespace Engine.Core;

/// <summary>Outcome of one region's least-squares solve.</summary>
public readonly struct RegionLoss
{
    /// <summary>Creates the outcome.</summary>
    public RegionLoss(double loss, int rank)
    {
        Loss = loss;
        Rank = rank;
    }

    /// <summary>Subglobal-minimum loss ½Σ_i (g_A(x_i) − y_i)², the paper's Eq. 3 convention.</summary>
    public double Loss { get; }

    /// <summary>Numerical rank of the Eq. 7 matrix; below m the region's minimizers form an affine set.</summary>
    public int Rank { get; }
}

/// <summary>
/// Solves the Eq. 7 normal equations G p = b of one region in double precision, in place in the scratch
/// laid out by <see cref="RegionSystem"/>: G (m×m, row-major, lower triangle used), b (m), then a permutation (m).
/// Called by the kernels and the host twin alike.
/// </summary>
/// <remarks>
/// G = ZᵀZ is positive semidefinite and usually singular (N &lt; m is the common case), so it is factored by
/// Cholesky with diagonal pivoting, PᵀGP = LLᵀ, stopping at rank r when the largest remaining pivot falls to
/// <see cref="RankTolerance"/> times the largest diagonal of G. With z = L⁻¹Pᵀb (computed alongside the
/// factorization) the least-squares residual is Σy² − ‖z‖², so the loss needs no back substitution at all.
/// </remarks>
public static class RegionSolve
{
    /// <summary>
    /// Relative pivot threshold. Columns that are exactly dependent (an inactive node, a node active on fewer
    /// than n points, q_j equal to c) leave Schur-complement pivots of order m·ε ≈ 1e-15 times the diagonal;
    /// 1e-11 sits four orders above that noise. Pivots are squared singular values of Z, so directions of Z
    /// with σ below about 3e-6·σ_max are treated as dependent.
    /// </summary>
    public const double RankTolerance = 1e-11;

    /// <summary>
    /// Factors the system in <paramref name="s"/> (destroying it) and returns the subglobal-minimum loss and rank.
    /// <paramref name="sumSquaredTargets"/> is Σ y_i².
    /// </summary>
    public static RegionLoss Factor<TS>(TS s, int parameters, double sumSquaredTargets) where TS : struct, IScratch
    {
        int m = parameters;
        int rhs = m * m;
        int perm = rhs + m;
        double maxDiagonal = 0.0;
        for (int i = 0; i < m; i++)
        {
            s[perm + i] = i;
            maxDiagonal = Math.Max(maxDiagonal, s[i * m + i]);
        }
        double threshold = RankTolerance * maxDiagonal;
        double explained = 0.0;
        int rank = 0;
        for (int k = 0; k < m; k++)
        {
            int pivot = k;
            double best = s[k * m + k];
            for (int i = k + 1; i < m; i++)
            {
                double d = s[i * m + i];
                if (d > best)
                {
                    best = d;
                    pivot = i;
                }
            }
            if (!(best > threshold)) break;
            if (pivot != k) SwapSymmetric(s, m, k, pivot);

            double diagonal = Math.Sqrt(best);
            double inverse = 1.0 / diagonal;
            s[k * m + k] = diagonal;
            double zk = s[rhs + k] * inverse;
            s[rhs + k] = zk;
            explained += zk * zk;
            for (int i = k + 1; i < m; i++)
            {
                double lik = s[i * m + k] * inverse;
                s[i * m + k] = lik;
                s[rhs + i] -= lik * zk;
            }
            // Trailing Schur complement, lower triangle only.
            for (int i = k + 1; i < m; i++)
            {
                double lik = s[i * m + k];
                for (int j = k + 1; j <= i; j++) s[i * m + j] -= lik * s[j * m + k];
            }
            rank++;
        }
        // Cancellation in Σy² − ‖z‖² can leave a tiny negative residual where the fit is exact.
        return new RegionLoss(0.5 * Math.Max(0.0, sumSquaredTargets - explained), rank);
    }

    /// <summary>
    /// After <see cref="Factor"/>, writes the minimum-norm minimizer p = G⁺b into <paramref name="s"/> at
    /// offset <see cref="RegionShape.LossScratch"/> (m values, in the order of <see cref="RegionShape.Parameters"/>).
    /// Needs <see cref="RegionShape.SolutionScratch"/> doubles of scratch.
    /// </summary>
    /// <remarks>
    /// With L = [L11; L21] of rank r, the basic solution is [u; 0] with L11ᵀu = z, and the null space of G is
    /// spanned by the columns of N = [−K; I] with K = L11⁻ᵀL21ᵀ. Projecting the basic solution off that null
    /// space gives p = [u + Kc; −c] with (I + KᵀK)c = −Kᵀu; I + KᵀK has eigenvalues ≥ 1, so this step is well
    /// conditioned (the approach of LAPACK's xGELSY).
    /// </remarks>
    public static void MinimumNormSolution<TS>(TS s, int parameters, int rank) where TS : struct, IScratch
    {
        int m = parameters;
        int r = rank;
        int free = m - r;
        int rhs = m * m;
        int perm = rhs + m;
        int kBase = perm + m;              // K: r × free, row-major; finally the solution
        int mBase = kBase + m * m;         // I + KᵀK: free × free, then its Cholesky factor in place
        int u = mBase + m * m;             // u, then the permuted solution
        int t = u + m;                     // −Kᵀu, then c

        // u = L11⁻ᵀ z
        for (int i = r - 1; i >= 0; i--)
        {
            double v = s[rhs + i];
            for (int k = i + 1; k < r; k++) v -= s[k * m + i] * s[u + k];
            s[u + i] = v / s[i * m + i];
        }
        for (int i = r; i < m; i++) s[u + i] = 0.0;

        if (free > 0)
        {
            NullSpace(s, m, r);
            for (int a = 0; a < free; a++)
            {
                for (int b = 0; b <= a; b++)
                {
                    double v = a == b ? 1.0 : 0.0;
                    for (int k = 0; k < r; k++) v += s[kBase + k * free + a] * s[kBase + k * free + b];
                    s[mBase + a * free + b] = v;
                }
                double w = 0.0;
                for (int k = 0; k < r; k++) w -= s[kBase + k * free + a] * s[u + k];
                s[t + a] = w;
            }
            CholeskySolve(s, mBase, free, t);
            for (int i = 0; i < r; i++)
            {
                double v = s[u + i];
                for (int c = 0; c < free; c++) v += s[kBase + i * free + c] * s[t + c];
                s[u + i] = v;
            }
            for (int c = 0; c < free; c++) s[u + r + c] = -s[t + c];
        }
        for (int i = 0; i < m; i++) s[kBase + (int)s[perm + i]] = s[u + i];
    }

    /// <summary>
    /// After <see cref="Factor"/>, writes K = L11⁻ᵀL21ᵀ (rank × (m − rank), row-major) into <paramref name="s"/> at
    /// offset <see cref="RegionShape.LossScratch"/>. The null space of G, and so the directions along which the
    /// region's minimizers form an affine set, is spanned by the columns of N = P[−K; I], P the pivoting permutation
    /// stored after the right-hand side (permuted index i is parameter s[m² + m + i]).
    /// </summary>
    public static void NullSpace<TS>(TS s, int parameters, int rank) where TS : struct, IScratch
    {
        int m = parameters;
        int r = rank;
        int free = m - r;
        int kBase = m * m + 2 * m;
        // K column by column: L11ᵀ K_c = (row r + c of L21)ᵀ.
        for (int c = 0; c < free; c++)
        {
            for (int i = r - 1; i >= 0; i--)
            {
                double v = s[(r + c) * m + i];
                for (int k = i + 1; k < r; k++) v -= s[k * m + i] * s[kBase + k * free + c];
                s[kBase + i * free + c] = v / s[i * m + i];
            }
        }
    }

    // Solves A x = v for SPD A (n×n, lower triangle used, overwritten by its factor); x replaces v.
    private static void CholeskySolve<TS>(TS s, int a, int n, int v) where TS : struct, IScratch
    {
        for (int k = 0; k < n; k++)
        {
            double d = s[a + k * n + k];
            for (int j = 0; j < k; j++) d -= s[a + k * n + j] * s[a + k * n + j];
            d = Math.Sqrt(d);
            s[a + k * n + k] = d;
            for (int i = k + 1; i < n; i++)
            {
                double e = s[a + i * n + k];
                for (int j = 0; j < k; j++) e -= s[a + i * n + j] * s[a + k * n + j];
                s[a + i * n + k] = e / d;
            }
        }
        for (int i = 0; i < n; i++)
        {
            double e = s[v + i];
            for (int j = 0; j < i; j++) e -= s[a + i * n + j] * s[v + j];
            s[v + i] = e / s[a + i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double e = s[v + i];
            for (int j = i + 1; j < n; j++) e -= s[a + j * n + i] * s[v + j];
            s[v + i] = e / s[a + i * n + i];
        }
    }

    // Swaps indices a < b of a symmetric matrix held in its lower triangle (LAPACK's xSYSWAPR), with b and the permutation.
    private static void SwapSymmetric<TS>(TS s, int m, int a, int b) where TS : struct, IScratch
    {
        for (int j = 0; j < a; j++) Swap(s, a * m + j, b * m + j);
        Swap(s, a * m + a, b * m + b);
        for (int i = a + 1; i < b; i++) Swap(s, i * m + a, b * m + i);
        for (int i = b + 1; i < m; i++) Swap(s, i * m + a, i * m + b);
        Swap(s, m * m + a, m * m + b);
        Swap(s, m * m + m + a, m * m + m + b);
    }

    private static void Swap<TS>(TS s, int p, int q) where TS : struct, IScratch
    {
        double v = s[p];
        s[p] = s[q];
        s[q] = v;
    }
}
