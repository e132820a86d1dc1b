using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine.Core.Exact;

/// <summary>
/// Whether a homogeneous system of strict inequalities r_kᵀy &gt; 0 has a solution, decided in exact arithmetic with a
/// checked answer either way: a solution y, or Gordan's certificate λ ≥ 0, λ ≠ 0 with Σλ_k r_k = 0 (then
/// λᵀ(Ry) = 0 for every y, so no y makes every r_kᵀy positive).
/// </summary>
/// <remarks>
/// Gordan's alternative is decided by Phase I of the simplex method on the certificate's own system: minimize Σa_i
/// subject to Σ_k λ_k r_k + a_{1..D} = 0, Σ_k λ_k + a_{D+1} = 1, λ, a ≥ 0, from the basis of artificials a. Optimum 0
/// gives the certificate λ. A positive optimum gives dual multipliers u with u_yᵀr_k + u_s ≤ 0 for every k and
/// u_s &gt; 0, so y = −u_y has r_kᵀy ≥ u_s &gt; 0: the solution, read from the objective row under the artificials. The
/// tableau has D + 1 rows whatever the number of inequalities, Bland's rule keeps it from cycling, and its pivots are
/// integer-preserving (integers over one common denominator, the last pivot, so every update divides exactly and no
/// gcd is taken). Both answers are checked against the rows before they are returned.
/// </remarks>
internal static class StrictFeasibility
{
    /// <summary>
    /// A solution y in integers (Feasible true, checked), or none (Feasible false: Gordan's certificate found and checked); null
    /// when a number grew past <paramref name="bitBudget"/> bits or a check failed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (bool Feasible, BigInteger[]? Solution)? Decide(IReadOnlyList<BigInteger[]> integer, int dimension, long bitBudget)
    {
        int count = integer.Count;
        int equations = dimension + 1;
        // Columns: λ (0..K−1), the artificials (K..K+D), then the right-hand side. Row `equations` is the objective's
        // reduced costs, with −(Σa) under the right-hand side.
        int artificials = count;
        int rhs = count + equations;
        var tableau = new BigInteger[equations + 1][];
        for (int r = 0; r <= equations; r++) tableau[r] = new BigInteger[rhs + 1];
        for (int k = 0; k < count; k++)
        {
            for (int i = 0; i < dimension; i++) tableau[i][k] = integer[k][i];
            tableau[dimension][k] = BigInteger.One;
        }
        for (int i = 0; i < equations; i++) tableau[i][artificials + i] = BigInteger.One;
        tableau[dimension][rhs] = BigInteger.One;
        // Reduced costs of the starting basis: c_j − Σ_i A_ij, 0 for the artificials, and −1 (= −Σb) for the value.
        for (int c = 0; c <= rhs; c++)
        {
            BigInteger sum = BigInteger.Zero;
            for (int i = 0; i < equations; i++) sum += tableau[i][c];
            tableau[equations][c] = c >= artificials && c < rhs ? BigInteger.Zero : -sum;
        }
        int[] basis = [.. Enumerable.Range(artificials, equations)];
        BigInteger denominator = BigInteger.One;

        // Bland's rule cannot cycle, so this bound on the pivots is a guard for the budget, not a limit the answer needs.
        for (int pivots = 0; ; pivots++)
        {
            if (pivots > 64 * (count + equations)) return null;
            // Bland: the lowest-indexed column that improves, then the lowest-indexed basic variable among tied ratios.
            int entering = -1;
            for (int c = 0; c < rhs && entering < 0; c++)
            {
                if (tableau[equations][c].Sign < 0) entering = c;
            }
            if (entering < 0) break;
            int leaving = -1;
            for (int r = 0; r < equations; r++)
            {
                if (tableau[r][entering].Sign <= 0) continue;
                if (leaving < 0)
                {
                    leaving = r;
                    continue;
                }
                // rhs_r / a_r against rhs_l / a_l, both divisors positive.
                int order = (tableau[r][rhs] * tableau[leaving][entering]).CompareTo(tableau[leaving][rhs] * tableau[r][entering]);
                if (order < 0 || (order == 0 && basis[r] < basis[leaving])) leaving = r;
            }
            // Σλ_k + a_{D+1} = 1 bounds every variable, so some row always limits the step.
            if (leaving < 0) return null;
            BigInteger pivot = tableau[leaving][entering];
            BigInteger[] pivotRow = tableau[leaving];
            for (int r = 0; r <= equations; r++)
            {
                if (r == leaving) continue;
                BigInteger[] row = tableau[r];
                BigInteger factor = row[entering];
                for (int c = 0; c <= rhs; c++)
                {
                    row[c] = factor.IsZero ? row[c] * pivot / denominator : (row[c] * pivot - factor * pivotRow[c]) / denominator;
                    if (row[c].GetBitLength() > bitBudget) return null;
                }
            }
            denominator = pivot;
            basis[leaving] = entering;
        }

        if (tableau[equations][rhs].IsZero)
        {
            // Σa = 0: the basic λ, times the positive denominator, are Gordan's weights for the integer rows.
            var lambda = new BigInteger[count];
            for (int r = 0; r < equations; r++)
            {
                if (basis[r] < count) lambda[basis[r]] = tableau[r][rhs];
            }
            return IsCertificate(integer, dimension, lambda) ? (false, null) : null;
        }
        // u_i = 1 − d_{a_i}/denominator, and y = −u_y: times the positive denominator, y_i = d_{a_i} − denominator.
        BigInteger[] y = [.. Enumerable.Range(0, dimension).Select(i => tableau[equations][artificials + i] - denominator)];
        return integer.All(row => Dot(row, y).Sign > 0) ? (true, y) : null;
    }

    /// <summary>Whether λ ≥ 0, λ ≠ 0 and Σλ_k r_k = 0 exactly: then no y has every r_kᵀy positive.</summary>
    public static bool IsCertificate(IReadOnlyList<BigInteger[]> rows, int dimension, BigInteger[] lambda)
    {
        if (lambda.Any(l => l.Sign < 0) || lambda.All(l => l.IsZero)) return false;
        for (int i = 0; i < dimension; i++)
        {
            BigInteger sum = BigInteger.Zero;
            for (int k = 0; k < rows.Count; k++) sum += lambda[k] * rows[k][i];
            if (!sum.IsZero) return false;
        }
        return true;
    }

    private static BigInteger Dot(BigInteger[] a, BigInteger[] b)
    {
        BigInteger sum = BigInteger.Zero;
        for (int i = 0; i < b.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
