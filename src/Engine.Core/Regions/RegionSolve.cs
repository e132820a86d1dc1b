using System.Runtime.CompilerServices;

namespace Engine.Core.Regions;

/// <summary>Outcome of one region's least-squares solve.</summary>
public readonly struct RegionLoss
{
    /// <summary>The fast path: certified Cholesky of the Eq. 7 system.</summary>
    public const int Cholesky = 0;

    /// <summary>The exact path: pivoted QR of the design Z.</summary>
    public const int QR = 1;

    /// <summary>The exact path's shortcut: Z's rows certified independent, so every nonzero row is fitted; no factor yet.</summary>
    public const int IndependentRows = 2;

    /// <summary>Creates the outcome of <paramref name="path"/> (<see cref="Cholesky"/>, <see cref="QR"/> or <see cref="IndependentRows"/>).</summary>
    public RegionLoss(double loss, int rank, int path = Cholesky)
    {
        Loss = loss;
        Rank = rank;
        Path = path;
    }

    /// <summary>Subglobal-minimum loss ½Σ_i (g_A(x_i) − y_i)², the paper's Eq. 3 convention, in the data's units.</summary>
    public double Loss { get; }

    /// <summary>Numerical rank of the design Z (see <see cref="RegionSolve"/>); below m the region's minimizers form an affine set.</summary>
    public int Rank { get; }

    /// <summary>Which path decided the region (an int, not an enum, so that kernels can carry it).</summary>
    public int Path { get; }

    /// <summary>1 when the fast path could not certify this region and the exact path decided it on the design Z, else 0.</summary>
    public int Exact => Path == Cholesky ? 0 : 1;
}

/// <summary>
/// A region's view of its point store (<see cref="RegionDesign"/>): which nodes are active at each point, the store's
/// values, and the design Z written into the scratch for the exact path.
/// </summary>
public interface IRegionDesign
{
    /// <summary>
    /// Fills <see cref="RegionShape.Design"/> and <see cref="RegionShape.DesignTargets"/> of <paramref name="s"/> with
    /// the nonzero rows of Z first (column-major, leading dimension N, unscaled; see <see cref="RegionDesign.WriteRow"/>)
    /// and returns how many there are.
    /// </summary>
    int Write<TS>(TS s, in RegionShape shape) where TS : struct, IScratch;

    /// <summary>The nodes active at point <paramref name="point"/>, as bits (bit j = a_ij) of an h-node network.</summary>
    long Active(int point, int hidden);

    /// <summary>Value <paramref name="offset"/> of the point store.</summary>
    double Store(int offset);
}

/// <summary>
/// Solves one region's least-squares problem min ‖Z p − ỹ‖ (Eq. 4; its normal equations are Eq. 7) in double
/// precision, in place in the scratch laid out by <see cref="RegionShape"/>. Called by the kernels and the host
/// paths alike. The rank is decided on Z itself, not on its square, and every answer is certified.
/// </summary>
/// <remarks>
/// <para><b>Rank rule.</b> Z is first equilibrated, Z̃ = Z S with unit columns (s_k = 1/‖z_k‖; a column that is exactly
/// zero, a node inactive on every point or an input that vanishes there, is left out). The rank is that of Z̃
/// under LAPACK's cut: singular values at or below ρ·σ_max, ρ = max(N, m)·ε, count as zero. Equilibration makes the
/// rank and loss invariant under rescaling any input column or the targets.</para>
/// <para><b>Fast path.</b> The tabulated Eq. 7 system G = ZᵀZ is factored by Cholesky (<see cref="Factor"/>, and
/// <see cref="RegionLanes"/> for several regions per SIMD instruction). Its answer is kept only when it is proven
/// accurate for the equilibrated G̃ = SGS: every nonzero column gets a pivot, the comparison-matrix lower bound on
/// σ_min(G̃) exceeds <see cref="RegionShape.RankCertificate"/>, and the solution's size bounds the loss error by
/// <see cref="FastPathAccuracy"/>·Σỹ² (<see cref="RegionShape.LossCertificate"/>). The loss is then ½(Σỹ² − ‖z‖²) with
/// z = L⁻¹b, no back substitution.</para>
/// <para><b>Exact path.</b> Every other region (rank-deficient ones, near-dependent ones, and every region with more
/// nonzero columns than points) is solved by Householder QR with column pivoting of Z̃ itself, with the rank cut
/// above, and its loss is summed from the residual components of Qᵀỹ, with no cancellation. Backward stability gives
/// relative loss errors of about κ(Z̃)·ε.</para>
/// </remarks>
public static class RegionSolve
{
    /// <summary>Unit roundoff u = 2⁻⁵³ of double precision.</summary>
    public const double UnitRoundoff = 1.1102230246251565e-16;

    /// <summary>Machine epsilon ε = 2⁻⁵², the spacing of doubles at 1 (LAPACK's and NumPy's rcond unit).</summary>
    public const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Loss accuracy, relative to Σỹ² (twice the dead-region loss), that the fast path must prove before its answer is
    /// kept: two values of one level then differ by less than half the 1e-9 of the dead-region loss at which
    /// <see cref="LossLevels"/> tells minima apart. It is a worst-case bound; actual errors are near 1e-15.
    /// </summary>
    public const double FastPathAccuracy = 1e-10;

    /// <summary>Most hidden nodes <see cref="IndependentRows"/> takes: a point's node mask must fit a double's mantissa.</summary>
    public const int MaxMaskNodes = 52;

    // Code run per region or per program is AggressiveOptimization: compiled once, fully optimized, when first called,
    // rather than run from ReadyToRun or tier-0 code until the tiering thread, busy with hundreds of lukewarm methods,
    // reaches it: 5 to 19 % of a half-second nonempty run (see the README's Performance section).

    /// <summary>
    /// Solves the region whose Eq. 7 system is in <paramref name="s"/> (built by <see cref="RegionSystem"/>),
    /// by the certified fast path or else the exact path on the design <paramref name="design"/> writes.
    /// <paramref name="sumSquaredTargets"/> is Σỹ² of the normalised targets and <paramref name="lossScale"/> turns
    /// their loss into the data's units. The factor stays in the scratch for <see cref="MinimumNormSolution"/> and
    /// <see cref="NullSpace"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RegionLoss Solve<TS, TD>(TS s, in RegionShape shape, double sumSquaredTargets, double lossScale, TD design)
        where TS : struct, IScratch
        where TD : struct, IRegionDesign
    {
        int rank = Factor(s, shape, sumSquaredTargets, out double loss);
        return rank >= 0 ? new RegionLoss(loss * lossScale, rank) : OnDesign(s, shape, lossScale, design, RegionLoss.IndependentRows);
    }

    /// <summary>
    /// What <see cref="Solve"/> does once the fast path has declined, on the design alone (no Eq. 7 system is read):
    /// from <paramref name="first"/> = <see cref="RegionLoss.IndependentRows"/>, the independent-rows shortcut and then
    /// QR; from <see cref="RegionLoss.QR"/>, QR at once. The lane paths call it for a lane whose decline they have
    /// shown to be the scalar path's, so that the same steps are not taken twice.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RegionLoss OnDesign<TS, TD>(TS s, in RegionShape shape, double lossScale, TD design, int first)
        where TS : struct, IScratch
        where TD : struct, IRegionDesign
    {
        // Every distinct nonzero row fitted exactly: the loss is that of the dead points, which nothing else can fit.
        if (first == RegionLoss.IndependentRows && IndependentRows(s, shape, design, out int rows, out double residual))
            return new RegionLoss(0.5 * residual * lossScale, rows, RegionLoss.IndependentRows);
        int rank = Exact(s, shape, design.Write(s, shape), out double loss);
        return new RegionLoss(loss * lossScale, rank, RegionLoss.QR);
    }

    /// <summary>
    /// The fast path: factors the Eq. 7 system in <paramref name="s"/> (destroying it). Returns the rank with the loss
    /// of the normalised data when the answer is certified, or −1 when the region must take the exact path.
    /// <see cref="RegionLanes"/> runs the same steps on several regions at once, one per SIMD lane.
    /// </summary>
    /// <remarks>
    /// Steps: columns that are exactly zero (a node inactive everywhere, an input that vanishes where it is active) move
    /// to the end; the others are factored by Cholesky in their natural order, G = LLᵀ, each pivot at least
    /// <see cref="RegionShape.RankCertificate"/> times the largest diagonal of G. The certificate: the comparison-matrix
    /// bound σ_min(G) ≥ 1/(‖M⁻¹‖₁‖M⁻¹‖∞), M the comparison matrix of L, divided by max G_kk (which bounds σ_min(G̃) for
    /// the equilibrated G̃ = SGS), is at least that certificate; and the loss error is within
    /// <see cref="FastPathAccuracy"/>·Σỹ², shown either by that bound (‖p̃‖² ≤ Σỹ²/σ_min(G̃)) or by the solution itself
    /// (‖p̃‖² = Σ p_k² G_kk ≤ <see cref="RegionShape.LossCertificate"/>·Σỹ²). Cholesky's backward error |ΔG| ≤ γ|L||Lᵀ| is
    /// componentwise, so factoring G unscaled loses nothing against G̃; the factor is in the data's own coordinates and
    /// its scales are 1 (the scales slot is left as it was).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Factor<TS>(TS s, in RegionShape shape, double sumSquaredTargets, out double loss) where TS : struct, IScratch
    {
        int m = shape.Parameters;
        int rhs = shape.Rhs;
        int perm = shape.Permutation;
        loss = 0.0;
        int nonzero = 0;
        double maxDiagonal = 0.0;
        for (int k = 0; k < m; k++)
        {
            double g = s[k * m + k];
            if (g > 0.0) nonzero++;
            maxDiagonal = Math.Max(maxDiagonal, g);
            s[perm + k] = k;
        }
        // Z has N rows: more nonzero columns than that are dependent for sure, and only Z can say which.
        if (nonzero > shape.Points) return -1;
        if (nonzero < m)
        {
            // Zero columns have zero rows and columns in G: move them behind the others, keeping the others' order.
            for (int k = 0, next = 0; k < m; k++)
            {
                if (!(s[k * m + k] > 0.0)) continue;
                if (k != next) SwapSymmetric(s, shape, next, k);
                next++;
            }
        }

        // A pivot below T·max G_kk cannot pass the rank certificate (σ_min(L)² ≤ every pivot): stop there.
        double floor = shape.RankCertificate * maxDiagonal;
        double explained = 0.0;
        for (int k = 0; k < nonzero; k++)
        {
            double pivot = s[k * m + k];
            if (!(pivot >= floor)) return -1;
            double diagonal = Math.Sqrt(pivot);
            double inverse = 1.0 / diagonal;
            s[k * m + k] = diagonal;
            double zk = s[rhs + k] * inverse;
            s[rhs + k] = zk;
            explained += zk * zk;
            for (int i = k + 1; i < m; i++)
            {
                double lik = s[i * m + k] * inverse;
                s[i * m + k] = lik;
                s[rhs + i] = s[rhs + i] - lik * zk;
            }
            // Trailing Schur complement, lower triangle only.
            for (int i = k + 1; i < m; i++)
            {
                double lik = s[i * m + k];
                for (int j = k + 1; j <= i; j++) s[i * m + j] = s[i * m + j] - lik * s[j * m + k];
            }
        }
        if (nonzero > 0)
        {
            double sigma2 = ComparisonBound(s, m, nonzero, shape.Design) / maxDiagonal;
            if (!(sigma2 >= shape.RankCertificate)) return -1;
            if (!(sigma2 * shape.LossCertificate >= 1.0 || SolutionNorm(s, shape, nonzero) <= shape.LossCertificate * sumSquaredTargets)) return -1;
        }
        // Cancellation in Σỹ² − ‖z‖² can leave a tiny negative residual where the fit is exact.
        loss = 0.5 * Math.Max(0.0, sumSquaredTargets - explained);
        return nonzero;
    }

    /// <summary>
    /// Whether the distinct nonzero rows of the region's design are certainly independent, with σ_rows(Z̃) far above
    /// the rank cut: then every target of those rows is fitted exactly, the rank is the number of those rows
    /// (<paramref name="rows"/>), the loss is half the <paramref name="residual"/> of the dead points (where no node is
    /// active), and no factorization of Z is needed. Regions with fewer points than parameters (small datasets, wide
    /// networks) are mostly like that. Uses the matrix area.
    /// </summary>
    /// <remarks>
    /// <para>Dead points all have the row z_i = [0, …, 0, Bias]. Without bias it is zero and their residual is Σy_i². With
    /// bias the k dead rows are one row e_c repeated: Σ(e_cᵀp − y_i)² = k(e_cᵀp − ȳ)² + Σ(y_i − ȳ)², so they count as the
    /// single row √k·e_c fitted to ȳ, with residual Σ(y_i − ȳ)² (two passes, no cancellation). That merged design has
    /// the same ZᵀZ, hence the same nonzero singular values and rank as Z; without merging, two dead points would make
    /// every such region dependent (about a quarter of the regions of 8 points and 3 nodes).</para>
    /// <para>K = ZZᵀ over those rows needs no Z: z_iᵀz_k = (x̃_iᵀx̃_k)·|A_i ∩ A_k| (+ 1 for c), from the store's Gram matrix
    /// and the nodes active at both points; the merged row has √k against every other row and k on the diagonal. K is
    /// factored by Cholesky in its natural order, K = LLᵀ (no pivoting, so that <see cref="RegionLanes"/> can take the
    /// same steps for several regions at once); the comparison-matrix bound on σ_min(L) (as in <see cref="Factor"/>) is
    /// a lower bound on λ_min(K) = σ_rows(Z)², and σ_rows(Z̃)² ≥ λ_min(K)/max_k ‖z_k‖² since Z̃ = Z·diag(1/‖z_k‖), with
    /// the store's bound on ‖z_k‖². The bound must exceed a hundred times the rounding of K and its factorization, and
    /// (10·ρ)²·m, ten times the exact path's cut.</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IndependentRows<TS, TD>(TS s, in RegionShape shape, TD design, out int rows, out double residual)
        where TS : struct, IScratch
        where TD : struct, IRegionDesign
    {
        int m = shape.Parameters;
        int n = shape.Points;
        int h = shape.Hidden;
        int index = shape.Design;              // the live rows' points, then their masks
        int masks = index + n;
        int targets = RegionDesign.Targets(shape);
        int gram = RegionDesign.Gram(shape);
        int live = 0;
        int dead = 0;
        double deadSum = 0.0;
        for (int i = 0; i < n; i++)
        {
            long active = design.Active(i, h);
            if (active == 0)
            {
                dead++;
                deadSum += design.Store(targets + i);
                continue;
            }
            s[index + live] = i;
            s[masks + live] = active;
            live++;
            if (live < m) continue;
            // m live rows already make a square or tall design, which is not this shortcut's (see below): most regions of
            // more points than parameters stop here, before the rest of their points.
            rows = live;
            residual = 0.0;
            return false;
        }
        double mean = shape.Bias == 1 && dead > 0 ? deadSum / dead : 0.0;
        residual = 0.0;
        for (int i = 0; i < n; i++)
        {
            if (design.Active(i, h) != 0) continue;
            double r = design.Store(targets + i) - mean;
            residual += r * r;
        }
        int merged = shape.Bias == 1 && dead > 0 ? 1 : 0;
        rows = live + merged;
        if (rows == 0) return true;
        // m rows or more are a square or tall design, which the fast path decides; masks must fit a double's mantissa.
        if (rows >= m || h > MaxMaskNodes) return false;
        double maxDiagonal = 0.0;
        for (int a = 0; a < live; a++)
        {
            int pa = (int)s[index + a];
            long ma = (long)s[masks + a];
            for (int b = 0; b <= a; b++)
            {
                double v = design.Store(gram + pa * n + (int)s[index + b]) * Bits(ma & (long)s[masks + b]);
                s[a * rows + b] = v + shape.Bias;
            }
            maxDiagonal = Math.Max(maxDiagonal, s[a * rows + a]);
        }
        if (merged == 1)
        {
            double weight = Math.Sqrt(dead);
            for (int b = 0; b < live; b++) s[live * rows + b] = weight;
            s[live * rows + live] = dead;
            maxDiagonal = Math.Max(maxDiagonal, dead);
        }
        double rounding = 100.0 * rows * (m + rows + 4) * UnitRoundoff * maxDiagonal;
        for (int k = 0; k < rows; k++)
        {
            double pivot = s[k * rows + k];
            if (!(pivot > rounding)) return false;
            double diagonal = Math.Sqrt(pivot);
            double inverse = 1.0 / diagonal;
            s[k * rows + k] = diagonal;
            for (int i = k + 1; i < rows; i++) s[i * rows + k] = s[i * rows + k] * inverse;
            for (int i = k + 1; i < rows; i++)
            {
                for (int j = k + 1; j <= i; j++) s[i * rows + j] = s[i * rows + j] - s[i * rows + k] * s[j * rows + k];
            }
        }
        // λ_min(K) = σ_min(L)²; the system's area beyond K (at least 2·rows doubles, as rows < m) is the workspace.
        double lambda = ComparisonBound(s, rows, rows, rows * rows);
        double cut = 10.0 * shape.RankCut;
        return lambda >= rounding && lambda >= cut * cut * m * design.Store(RegionDesign.ColumnBound(shape));
    }

    // Set bits of a node mask (a loop rather than an intrinsic, so that kernels can call it).
    private static int Bits(long mask)
    {
        int count = 0;
        for (long v = mask; v != 0; v &= v - 1) count++;
        return count;
    }

    /// <summary>
    /// The exact path: Householder QR with column pivoting of the equilibrated design that <see cref="IRegionDesign"/>
    /// wrote into <paramref name="s"/> (its <paramref name="rows"/> nonzero rows; the other targets are residuals as
    /// they stand), with the rank cut <see cref="RegionShape.RankCut"/>. Returns the rank and the loss of the
    /// normalised data, and leaves the factor in the layout of the fast path (L = Rᵀ, z the leading rank entries of
    /// Qᵀỹ, the permutation and the permuted scales).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Exact<TS>(TS s, in RegionShape shape, int rows, out double loss) where TS : struct, IScratch
    {
        int m = shape.Parameters;
        int stride = shape.Points;
        int n = rows;
        int z = shape.Design;
        int y = shape.DesignTargets;
        int perm = shape.Permutation;
        int scales = shape.Scales;
        // The squared norms of the columns' remaining rows, in the matrix and right-hand-side area (free until L and z are
        // written at the end). They are recomputed from each column's new entries as a step writes them, never downdated:
        // downdating loses them to cancellation exactly where the rank is decided. Columns are summed side by side, row by
        // row, each in its own row order: the independent sums overlap instead of each waiting on its last addition.
        int norms = 0;
        for (int k = 0; k < m; k++) s[norms + k] = 0.0;
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < m; k++) s[norms + k] = s[norms + k] + s[z + k * stride + i] * s[z + k * stride + i];
        }
        for (int k = 0; k < m; k++)
        {
            double norm = s[norms + k];
            s[scales + k] = norm > 0.0 ? 1.0 / Math.Sqrt(norm) : 1.0;
            s[perm + k] = k;
            s[norms + k] = 0.0;
        }
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < m; k++)
            {
                double v = s[z + k * stride + i] * s[scales + k];
                s[z + k * stride + i] = v;
                s[norms + k] = s[norms + k] + v * v;
            }
        }

        int rank = 0;
        double cut = 0.0;
        int steps = Math.Min(n, m);
        for (int k = 0; k < steps; k++)
        {
            int pivot = k;
            double best = -1.0;
            for (int j = k; j < m; j++)
            {
                if (s[norms + j] > best)
                {
                    best = s[norms + j];
                    pivot = j;
                }
            }
            if (k == 0) cut = shape.RankCut * shape.RankCut * best;
            if (!(best > cut)) break;
            if (pivot != k)
            {
                for (int i = 0; i < n; i++) Swap(s, z + k * stride + i, z + pivot * stride + i);
                Swap(s, perm + k, perm + pivot);
                Swap(s, scales + k, scales + pivot);
                Swap(s, norms + k, norms + pivot);
            }
            // Reflector H = I − 2vvᵀ/vᵀv with v = x − αe₁, α = −sign(x₁)‖x‖, so that v₁ suffers no cancellation.
            double head = s[z + k * stride + k];
            double alpha = head >= 0.0 ? -Math.Sqrt(best) : Math.Sqrt(best);
            double v1 = head - alpha;
            double vv = best - head * head + v1 * v1;
            s[z + k * stride + k] = v1;
            // Columns k + 1 … m − 1 and then ỹ, which the layout puts at column m (its norm lands in the free area too).
            Reflect(s, z + k * stride, z + (k + 1) * stride, stride, m - k, k, n, vv, norms + k + 1);
            s[z + k * stride + k] = alpha;
            rank++;
        }

        // Components rank..n−1 of Qᵀỹ and the targets of the zero rows after them are the residual.
        double residual = 0.0;
        for (int i = rank; i < stride; i++) residual += s[y + i] * s[y + i];
        loss = 0.5 * residual;
        // L = Rᵀ in the lower triangle (row j of L holds column j of R), z = (Qᵀỹ)[0, rank).
        for (int k = 0; k < rank; k++)
        {
            for (int j = k; j < m; j++) s[j * m + k] = s[z + j * stride + k];
            s[shape.Rhs + k] = s[y + k];
        }
        return rank;
    }

    /// <summary>
    /// After a solve that returned <paramref name="solved"/>, writes the minimizer p of smallest norm in the data's
    /// units (m values in the order of <see cref="RegionShape.Parameters"/>) into <paramref name="s"/> at offset
    /// <see cref="RegionShape.LossScratch"/>, in the units of the point store behind <paramref name="design"/>
    /// (<see cref="RegionDesign"/>). Needs <see cref="RegionShape.SolutionScratch"/> doubles of scratch.
    /// </summary>
    /// <remarks>
    /// In equilibrated, permuted coordinates the basic solution is ũ = [L11⁻ᵀz; 0] and the null space is spanned by
    /// N = [−K; I] with K = L11⁻ᵀL21ᵀ. In the data's units p = W(ũ + Nc) + o, with W the permuted scales times the
    /// units and o the target offset on c. The c that minimises ‖p‖ is the least-squares solution of (WN)c ≈ −(Wũ + o),
    /// found by Householder QR of WN rather than its normal equations: the units of different inputs may differ by
    /// many orders of magnitude, which the normal equations would square (LAPACK's xGELSY approach, weighted).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MinimumNormSolution<TS, TD>(TS s, in RegionShape shape, RegionLoss solved, TD design) where TS : struct, IScratch where TD : struct, IRegionDesign
    {
        solved = Factored(s, shape, solved, design);
        int m = shape.Parameters;
        int r = solved.Rank;
        int free = m - r;
        int rhs = shape.Rhs;
        int perm = shape.Permutation;
        int unit = RegionDesign.Units(shape);
        int kBase = shape.LossScratch;     // K: r × free, row-major; finally the solution
        int aBase = kBase + m * m;         // WN: m × free, column-major
        int u = aBase + m * m;             // ũ, then the permuted solution
        int t = u + m;                     // −(Wũ + o), then c in its first free entries
        int w = t + m;                     // W, permuted

        // ũ_B = L11⁻ᵀ z; W is the permuted scales times the units, and o the offset at c's permuted position.
        for (int i = r - 1; i >= 0; i--)
        {
            double v = s[rhs + i];
            for (int k = i + 1; k < r; k++) v -= s[k * m + i] * s[u + k];
            s[u + i] = v / s[i * m + i];
        }
        for (int i = r; i < m; i++) s[u + i] = 0.0;
        for (int i = 0; i < m; i++) s[w + i] = Scale(s, shape, solved, i) * design.Store(unit + (int)s[perm + i]);
        double offset = design.Store(unit + m);

        if (free > 0)
        {
            NullSpace(s, shape, r);
            for (int c = 0; c < free; c++)
            {
                for (int i = 0; i < r; i++) s[aBase + c * m + i] = -s[w + i] * s[kBase + i * free + c];
                for (int i = r; i < m; i++) s[aBase + c * m + i] = i == r + c ? s[w + i] : 0.0;
            }
            for (int i = 0; i < m; i++) s[t + i] = -(s[w + i] * s[u + i] + Offset(s, shape, i, offset));
            LeastSquares(s, aBase, m, free, t);
            for (int i = 0; i < r; i++)
            {
                double v = s[u + i];
                for (int c = 0; c < free; c++) v -= s[kBase + i * free + c] * s[t + c];
                s[u + i] = v;
            }
            for (int c = 0; c < free; c++) s[u + r + c] = s[t + c];
        }
        for (int i = 0; i < m; i++) s[kBase + (int)s[perm + i]] = s[w + i] * s[u + i] + Offset(s, shape, i, offset);
    }

    /// <summary>
    /// The solve's outcome with a factor in the scratch: a region decided by <see cref="RegionLoss.IndependentRows"/> has
    /// none, and is factored now by the exact path on its design. Call before reading the factor.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RegionLoss Factored<TS, TD>(TS s, in RegionShape shape, RegionLoss solved, TD design) where TS : struct, IScratch where TD : struct, IRegionDesign
    {
        if (solved.Path != RegionLoss.IndependentRows) return solved;
        int rank = Exact(s, shape, design.Write(s, shape), out _);
        return new RegionLoss(solved.Loss, rank, RegionLoss.QR);
    }

    /// <summary>
    /// The equilibration scale of permuted position <paramref name="position"/> of the factor a solve left: the exact
    /// path's, or 1 for the fast path, which factors G unscaled.
    /// </summary>
    public static double Scale<TS>(TS s, in RegionShape shape, RegionLoss solved, int position) where TS : struct, IScratch =>
        solved.Path == RegionLoss.QR ? s[shape.Scales + position] : 1.0;

    // The target offset μ at c's permuted position (c is the last parameter, present only with bias), else 0.
    private static double Offset<TS>(TS s, in RegionShape shape, int position, double offset) where TS : struct, IScratch =>
        shape.Bias == 1 && (int)s[shape.Permutation + position] == shape.Parameters - 1 ? offset : 0.0;

    /// <summary>
    /// After a solve, writes K = L11⁻ᵀL21ᵀ (rank × (m − rank), row-major) into <paramref name="s"/> at offset
    /// <see cref="RegionShape.LossScratch"/>. In the data's coordinates the null space of Z, along which the region's
    /// minimizers form an affine set, is spanned by the columns of P·D·[−K; I], with P the pivoting permutation stored
    /// in the scratch and D the permuted scales (<see cref="Scale"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void NullSpace<TS>(TS s, in RegionShape shape, int rank) where TS : struct, IScratch
    {
        int m = shape.Parameters;
        int r = rank;
        int free = m - r;
        int kBase = shape.LossScratch;
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

    // σ_min(L11)² ≥ 1/(‖M⁻¹‖₁‖M⁻¹‖∞), M the comparison matrix of L11 (|l_kk| on the diagonal, −|l_ik| below), since
    // |L⁻¹| ≤ M⁻¹ entrywise and ‖A‖₂² ≤ ‖A‖₁‖A‖∞: a bound for any triangular factor, pivoted or not. M⁻¹ ≥ 0, so both
    // norms are maxima of M⁻¹e and M⁻ᵀe. L11 is the leading r × r lower triangle at offset 0 with row stride `stride`;
    // 2r doubles from `work` are workspace. Divisions are multiplications by 1/l_kk, which the lane paths keep from
    // their factorization.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ComparisonBound<TS>(TS s, int stride, int r, int work) where TS : struct, IScratch
    {
        int a = work;
        int b = a + r;
        double rowMax = 0.0;
        for (int i = 0; i < r; i++)
        {
            double v = 1.0;
            for (int k = 0; k < i; k++) v += Math.Abs(s[i * stride + k]) * s[a + k];
            v *= 1.0 / s[i * stride + i];
            s[a + i] = v;
            rowMax = Math.Max(rowMax, v);
        }
        double columnMax = 0.0;
        for (int i = r - 1; i >= 0; i--)
        {
            double v = 1.0;
            for (int k = i + 1; k < r; k++) v += Math.Abs(s[k * stride + i]) * s[b + k];
            v *= 1.0 / s[i * stride + i];
            s[b + i] = v;
            columnMax = Math.Max(columnMax, v);
        }
        return 1.0 / (rowMax * columnMax);
    }

    // ‖p̃‖² = Σ_k p_k² G_kk of the equilibrated solution, from p = L11⁻ᵀz by back substitution into the design area;
    // G_kk (permuted) is the squared norm of row k of L, since G = LLᵀ.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SolutionNorm<TS>(TS s, in RegionShape shape, int r) where TS : struct, IScratch
    {
        int m = shape.Parameters;
        int u = shape.Design;
        double norm = 0.0;
        for (int i = r - 1; i >= 0; i--)
        {
            double v = s[shape.Rhs + i];
            for (int k = i + 1; k < r; k++) v -= s[k * m + i] * s[u + k];
            v *= 1.0 / s[i * m + i];
            s[u + i] = v;
            double g = 0.0;
            for (int k = 0; k <= i; k++) g += s[i * m + k] * s[i * m + k];
            norm += v * v * g;
        }
        return norm;
    }

    // Applies the reflector stored as v (rows [k, n) of column at vColumn, with vᵀv = vv) to the column at target, and
    // returns the squared norm of the target's rows (k, n) as they now stand, summed in row order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Reflect<TS>(TS s, int vColumn, int target, int k, int n, double vv) where TS : struct, IScratch
    {
        double norm = 0.0;
        if (!(vv > 0.0))
        {
            for (int i = k + 1; i < n; i++) norm += s[target + i] * s[target + i];
            return norm;
        }
        double dot = 0.0;
        for (int i = k; i < n; i++) dot += s[vColumn + i] * s[target + i];
        double f = 2.0 * dot / vv;
        s[target + k] = s[target + k] - f * s[vColumn + k];
        for (int i = k + 1; i < n; i++)
        {
            double v = s[target + i] - f * s[vColumn + i];
            s[target + i] = v;
            norm += v * v;
        }
        return norm;
    }

    // Reflect for the `count` columns at target, target + stride, …, writing their norms to s[norms + c]. Four columns
    // go through each loop together: every column's sums run in Reflect's order, so the bits are Reflect's, and the four
    // chains of dependent additions overlap instead of each waiting on its own.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Reflect<TS>(TS s, int vColumn, int target, int stride, int count, int k, int n, double vv, int norms) where TS : struct, IScratch
    {
        int c = 0;
        for (; vv > 0.0 && c + 4 <= count; c += 4)
        {
            int t0 = target + c * stride, t1 = t0 + stride, t2 = t1 + stride, t3 = t2 + stride;
            double d0 = 0.0, d1 = 0.0, d2 = 0.0, d3 = 0.0;
            for (int i = k; i < n; i++)
            {
                double v = s[vColumn + i];
                d0 += v * s[t0 + i];
                d1 += v * s[t1 + i];
                d2 += v * s[t2 + i];
                d3 += v * s[t3 + i];
            }
            double f0 = 2.0 * d0 / vv, f1 = 2.0 * d1 / vv, f2 = 2.0 * d2 / vv, f3 = 2.0 * d3 / vv;
            double head = s[vColumn + k];
            s[t0 + k] = s[t0 + k] - f0 * head;
            s[t1 + k] = s[t1 + k] - f1 * head;
            s[t2 + k] = s[t2 + k] - f2 * head;
            s[t3 + k] = s[t3 + k] - f3 * head;
            double n0 = 0.0, n1 = 0.0, n2 = 0.0, n3 = 0.0;
            for (int i = k + 1; i < n; i++)
            {
                double v = s[vColumn + i];
                double x0 = s[t0 + i] - f0 * v;
                double x1 = s[t1 + i] - f1 * v;
                double x2 = s[t2 + i] - f2 * v;
                double x3 = s[t3 + i] - f3 * v;
                s[t0 + i] = x0;
                s[t1 + i] = x1;
                s[t2 + i] = x2;
                s[t3 + i] = x3;
                n0 += x0 * x0;
                n1 += x1 * x1;
                n2 += x2 * x2;
                n3 += x3 * x3;
            }
            s[norms + c] = n0;
            s[norms + c + 1] = n1;
            s[norms + c + 2] = n2;
            s[norms + c + 3] = n3;
        }
        for (; c < count; c++) s[norms + c] = Reflect(s, vColumn, target + c * stride, k, n, vv);
    }

    // Overwrites b (rows entries) with the least-squares solution of A x ≈ b in its first cols entries, for A (rows × cols,
    // column-major at a, full column rank) destroyed by its Householder QR.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LeastSquares<TS>(TS s, int a, int rows, int cols, int b) where TS : struct, IScratch
    {
        // Column k's squared norm over rows [k, rows): summed for the first, then as the step before writes it.
        double norm = 0.0;
        for (int i = 0; i < rows; i++) norm += s[a + i] * s[a + i];
        for (int k = 0; k < cols; k++)
        {
            double head = s[a + k * rows + k];
            double alpha = head >= 0.0 ? -Math.Sqrt(norm) : Math.Sqrt(norm);
            double v1 = head - alpha;
            double vv = norm - head * head + v1 * v1;
            s[a + k * rows + k] = v1;
            double next = 0.0;
            for (int j = k + 1; j < cols; j++)
            {
                double reflected = Reflect(s, a + k * rows, a + j * rows, k, rows, vv);
                if (j == k + 1) next = reflected;
            }
            Reflect(s, a + k * rows, b, k, rows, vv);
            s[a + k * rows + k] = alpha;
            norm = next;
        }
        for (int i = cols - 1; i >= 0; i--)
        {
            double v = s[b + i];
            for (int j = i + 1; j < cols; j++) v -= s[a + j * rows + i] * s[b + j];
            s[b + i] = v / s[a + i * rows + i];
        }
    }

    // Swaps indices a < b of a symmetric matrix held in its lower triangle (LAPACK's xSYSWAPR), with b and the permutation.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SwapSymmetric<TS>(TS s, in RegionShape shape, int a, int b) where TS : struct, IScratch
    {
        int m = shape.Parameters;
        for (int j = 0; j < a; j++) Swap(s, a * m + j, b * m + j);
        Swap(s, a * m + a, b * m + b);
        for (int i = a + 1; i < b; i++) Swap(s, i * m + a, b * m + i);
        for (int i = b + 1; i < m; i++) Swap(s, i * m + a, i * m + b);
        Swap(s, shape.Rhs + a, shape.Rhs + b);
        Swap(s, shape.Permutation + a, shape.Permutation + b);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Swap<TS>(TS s, int p, int q) where TS : struct, IScratch
    {
        double v = s[p];
        s[p] = s[q];
        s[q] = v;
    }
}
