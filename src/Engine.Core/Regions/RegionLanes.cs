using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Core.Regions;

/// <summary>
/// The arithmetic <see cref="RegionLanes"/> needs on a SIMD vector of doubles, one region per lane, so that one
/// description of the fast path serves every vector width. Masks are vectors whose lanes are all ones or all zeros.
/// </summary>
public interface ILanes<TV> where TV : unmanaged
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TV Splat(double value);

    /// <summary>Count consecutive doubles from <paramref name="source"/>.</summary>
    static abstract unsafe TV Load(double* source);

    /// <summary>a + b.</summary>
    static abstract TV Add(TV a, TV b);

    /// <summary>a − b.</summary>
    static abstract TV Subtract(TV a, TV b);

    /// <summary>a·b.</summary>
    static abstract TV Multiply(TV a, TV b);

    /// <summary>a / b.</summary>
    static abstract TV Divide(TV a, TV b);

    /// <summary>√a.</summary>
    static abstract TV Sqrt(TV a);

    /// <summary>|a|.</summary>
    static abstract TV Abs(TV a);

    /// <summary>max(a, b).</summary>
    static abstract TV Max(TV a, TV b);

    /// <summary>The mask of a ≥ b (false where either is NaN).</summary>
    static abstract TV GreaterThanOrEqual(TV a, TV b);

    /// <summary>The mask of a &gt; b (false where either is NaN).</summary>
    static abstract TV GreaterThan(TV a, TV b);

    /// <summary>Masks a and b.</summary>
    static abstract TV And(TV a, TV b);

    /// <summary>Masks a or b.</summary>
    static abstract TV Or(TV a, TV b);

    /// <summary>a where the mask is set, b elsewhere.</summary>
    static abstract TV Select(TV mask, TV a, TV b);

    /// <summary>Bit k set where lane k of the mask is.</summary>
    static abstract uint Bits(TV mask);

    /// <summary>Stores the Count lanes of <paramref name="v"/> to <paramref name="destination"/>.</summary>
    static abstract unsafe void Store(TV v, double* destination);

    /// <summary>Lane k: bit <paramref name="bit"/> of <paramref name="first"/> + k, as 0 or 1 (a region index's a_ij).</summary>
    static abstract TV Bit(long first, int bit);

    /// <summary>
    /// The mask of the lanes whose 64 bits in <paramref name="words"/>, read as an integer (a column word loaded as it is),
    /// have bit <paramref name="bit"/> set.
    /// </summary>
    static abstract TV WordBit(TV words, int bit);
}

/// <summary>Eight lanes: AVX-512.</summary>
public readonly struct Lanes512 : ILanes<Vector512<double>>
{
    /// <inheritdoc />
    public static int Count => Vector512<double>.Count;

    /// <inheritdoc />
    public static Vector512<double> Splat(double value) => Vector512.Create(value);

    /// <inheritdoc />
    public static unsafe Vector512<double> Load(double* source) => Vector512.Load(source);

    /// <inheritdoc />
    public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;

    /// <inheritdoc />
    public static Vector512<double> Subtract(Vector512<double> a, Vector512<double> b) => a - b;

    /// <inheritdoc />
    public static Vector512<double> Multiply(Vector512<double> a, Vector512<double> b) => a * b;

    /// <inheritdoc />
    public static Vector512<double> Divide(Vector512<double> a, Vector512<double> b) => a / b;

    /// <inheritdoc />
    public static Vector512<double> Sqrt(Vector512<double> a) => Vector512.Sqrt(a);

    /// <inheritdoc />
    public static Vector512<double> Abs(Vector512<double> a) => Vector512.Abs(a);

    /// <inheritdoc />
    public static Vector512<double> Max(Vector512<double> a, Vector512<double> b) => Vector512.Max(a, b);

    /// <inheritdoc />
    public static Vector512<double> GreaterThanOrEqual(Vector512<double> a, Vector512<double> b) => Vector512.GreaterThanOrEqual(a, b);

    /// <inheritdoc />
    public static Vector512<double> GreaterThan(Vector512<double> a, Vector512<double> b) => Vector512.GreaterThan(a, b);

    /// <inheritdoc />
    public static Vector512<double> And(Vector512<double> a, Vector512<double> b) => a & b;

    /// <inheritdoc />
    public static Vector512<double> Or(Vector512<double> a, Vector512<double> b) => a | b;

    /// <inheritdoc />
    public static Vector512<double> Select(Vector512<double> mask, Vector512<double> a, Vector512<double> b) => Vector512.ConditionalSelect(mask, a, b);

    /// <inheritdoc />
    public static uint Bits(Vector512<double> mask) => (uint)Vector512.ExtractMostSignificantBits(mask);

    /// <inheritdoc />
    public static unsafe void Store(Vector512<double> v, double* destination) => v.Store(destination);

    /// <inheritdoc />
    public static Vector512<double> Bit(long first, int bit) =>
        Vector512.ConvertToDouble(Vector512.ShiftRightLogical(Vector512.Create(first) + Vector512.Create(0L, 1, 2, 3, 4, 5, 6, 7), bit) & Vector512<long>.One);

    /// <inheritdoc />
    public static Vector512<double> WordBit(Vector512<double> words, int bit) =>
        Vector512.Equals(Vector512.ShiftRightLogical(words.AsUInt64(), bit) & Vector512<ulong>.One, Vector512<ulong>.One).AsDouble();
}

/// <summary>Four lanes: AVX2.</summary>
public readonly struct Lanes256 : ILanes<Vector256<double>>
{
    /// <inheritdoc />
    public static int Count => Vector256<double>.Count;

    /// <inheritdoc />
    public static Vector256<double> Splat(double value) => Vector256.Create(value);

    /// <inheritdoc />
    public static unsafe Vector256<double> Load(double* source) => Vector256.Load(source);

    /// <inheritdoc />
    public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;

    /// <inheritdoc />
    public static Vector256<double> Subtract(Vector256<double> a, Vector256<double> b) => a - b;

    /// <inheritdoc />
    public static Vector256<double> Multiply(Vector256<double> a, Vector256<double> b) => a * b;

    /// <inheritdoc />
    public static Vector256<double> Divide(Vector256<double> a, Vector256<double> b) => a / b;

    /// <inheritdoc />
    public static Vector256<double> Sqrt(Vector256<double> a) => Vector256.Sqrt(a);

    /// <inheritdoc />
    public static Vector256<double> Abs(Vector256<double> a) => Vector256.Abs(a);

    /// <inheritdoc />
    public static Vector256<double> Max(Vector256<double> a, Vector256<double> b) => Vector256.Max(a, b);

    /// <inheritdoc />
    public static Vector256<double> GreaterThanOrEqual(Vector256<double> a, Vector256<double> b) => Vector256.GreaterThanOrEqual(a, b);

    /// <inheritdoc />
    public static Vector256<double> GreaterThan(Vector256<double> a, Vector256<double> b) => Vector256.GreaterThan(a, b);

    /// <inheritdoc />
    public static Vector256<double> And(Vector256<double> a, Vector256<double> b) => a & b;

    /// <inheritdoc />
    public static Vector256<double> Or(Vector256<double> a, Vector256<double> b) => a | b;

    /// <inheritdoc />
    public static Vector256<double> Select(Vector256<double> mask, Vector256<double> a, Vector256<double> b) => Vector256.ConditionalSelect(mask, a, b);

    /// <inheritdoc />
    public static uint Bits(Vector256<double> mask) => Vector256.ExtractMostSignificantBits(mask);

    /// <inheritdoc />
    public static unsafe void Store(Vector256<double> v, double* destination) => v.Store(destination);

    /// <inheritdoc />
    public static Vector256<double> Bit(long first, int bit) =>
        Vector256.ConvertToDouble(Vector256.ShiftRightLogical(Vector256.Create(first) + Vector256.Create(0L, 1, 2, 3), bit) & Vector256<long>.One);

    /// <inheritdoc />
    public static Vector256<double> WordBit(Vector256<double> words, int bit) =>
        Vector256.Equals(Vector256.ShiftRightLogical(words.AsUInt64(), bit) & Vector256<ulong>.One, Vector256<ulong>.One).AsDouble();
}

/// <summary>Two vectors of <typeparamref name="TV"/> taken as one: the lanes of <see cref="Twice{TL, TV}"/>.</summary>
public readonly struct Pair<TV>(TV low, TV high) where TV : unmanaged
{
    /// <summary>Lanes 0 … Count − 1.</summary>
    public TV Low { get; } = low;

    /// <summary>Lanes Count … 2·Count − 1.</summary>
    public TV High { get; } = high;
}

/// <summary>
/// Twice the lanes of <typeparamref name="TL"/>: every step is two independent instructions. The factorization is a
/// chain of dependent square roots and divisions; two groups of regions in flight fill the pipeline while one waits.
/// Every member is inlined: a call would pass the pair through memory.
/// </summary>
public readonly struct Twice<TL, TV> : ILanes<Pair<TV>>
    where TL : struct, ILanes<TV>
    where TV : unmanaged
{
    /// <inheritdoc />
    public static int Count => 2 * TL.Count;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> Splat(double value) => new(TL.Splat(value), TL.Splat(value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Pair<TV> Load(double* source) => new(TL.Load(source), TL.Load(source + TL.Count));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> Add(Pair<TV> a, Pair<TV> b) => new(TL.Add(a.Low, b.Low), TL.Add(a.High, b.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> Subtract(Pair<TV> a, Pair<TV> b) => new(TL.Subtract(a.Low, b.Low), TL.Subtract(a.High, b.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> Multiply(Pair<TV> a, Pair<TV> b) => new(TL.Multiply(a.Low, b.Low), TL.Multiply(a.High, b.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> Divide(Pair<TV> a, Pair<TV> b) => new(TL.Divide(a.Low, b.Low), TL.Divide(a.High, b.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> Sqrt(Pair<TV> a) => new(TL.Sqrt(a.Low), TL.Sqrt(a.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> Abs(Pair<TV> a) => new(TL.Abs(a.Low), TL.Abs(a.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> Max(Pair<TV> a, Pair<TV> b) => new(TL.Max(a.Low, b.Low), TL.Max(a.High, b.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> GreaterThanOrEqual(Pair<TV> a, Pair<TV> b) => new(TL.GreaterThanOrEqual(a.Low, b.Low), TL.GreaterThanOrEqual(a.High, b.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> GreaterThan(Pair<TV> a, Pair<TV> b) => new(TL.GreaterThan(a.Low, b.Low), TL.GreaterThan(a.High, b.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> And(Pair<TV> a, Pair<TV> b) => new(TL.And(a.Low, b.Low), TL.And(a.High, b.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> Or(Pair<TV> a, Pair<TV> b) => new(TL.Or(a.Low, b.Low), TL.Or(a.High, b.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> Select(Pair<TV> mask, Pair<TV> a, Pair<TV> b) => new(TL.Select(mask.Low, a.Low, b.Low), TL.Select(mask.High, a.High, b.High));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Bits(Pair<TV> mask) => TL.Bits(mask.Low) | TL.Bits(mask.High) << TL.Count;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Pair<TV> v, double* destination)
    {
        TL.Store(v.Low, destination);
        TL.Store(v.High, destination + TL.Count);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> Bit(long first, int bit) => new(TL.Bit(first, bit), TL.Bit(first + TL.Count, bit));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair<TV> WordBit(Pair<TV> words, int bit) => new(TL.WordBit(words.Low, bit), TL.WordBit(words.High, bit));
}

/// <summary>
/// <see cref="RegionSolve"/>'s certified paths for several regions at once, one per SIMD lane (the compact layout of
/// batched small-matrix libraries): <see cref="Factor"/> follows <see cref="RegionSolve.Factor"/> and
/// <see cref="IndependentRows"/> follows <see cref="RegionSolve.IndependentRows"/>, the same steps in the same order,
/// so a certified lane's loss has the same bits as the scalar path's. Pivots are never swapped and every decision is a
/// mask. A lane whose region the scalar path would treat differently (a zero column it moves aside, a square system
/// it would certify first) or that fails a certificate is left to the scalar path.
/// </summary>
public static class RegionLanes
{
    /// <summary>Largest m with a lane path: beyond it the m(m+3)/2 vectors of a system no longer fit the registers and cache lines that make it pay.</summary>
    public const int MaxParameters = 12;

    /// <summary>Doubles of lane scratch, per lane, for either path on <paramref name="shape"/>.</summary>
    public static int ScratchPerLane(in RegionShape shape)
    {
        int n = shape.Points;
        return Math.Max(FactorScratchPerLane(shape), n * (shape.Hidden + 1) + (n + 1) * (n + 2) / 2 + 3 * (n + 1));
    }

    /// <summary>Doubles of lane scratch, per lane, for <see cref="Factor"/> and <see cref="Minimizer"/> alone: the packed system, then three vectors of m.</summary>
    public static int FactorScratchPerLane(in RegionShape shape) => shape.EntrySize + 3 * shape.Parameters;

    // Code run per region or per program is AggressiveOptimization: compiled once, fully optimized, when first called,
    // rather than run from ReadyToRun or tier-0 code until the tiering thread, busy with hundreds of lukewarm methods,
    // reaches it: 5 to 19 % of a half-second nonempty run (see the README's Performance section).

    /// <summary>
    /// Solves <typeparamref name="TL"/>'s Count regions whose Eq. 7 systems are the packed entry <paramref name="high"/>
    /// (shared) plus each lane's packed entry, stored element-major at <paramref name="low"/> (element e of lane k at
    /// e·Count + k). Writes each lane's loss, in the data's units, to <paramref name="losses"/>; returns the mask of
    /// lanes whose answer is certified (rank m), and in <paramref name="declined"/> the lanes that the scalar fast path
    /// declines too (no zero column, so it takes these very steps). <paramref name="scratch"/> holds
    /// <see cref="ScratchPerLane"/> vectors. Needs m ≤ N.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe uint Factor<TL, TV>(double* high, double* low, in RegionShape shape, double sumSquaredTargets, double lossScale, double* losses, TV* scratch, out uint declined)
        where TL : struct, ILanes<TV>
        where TV : unmanaged
    {
        int m = shape.Parameters;
        int w = TL.Count;
        int entries = shape.EntrySize;
        int rhs = m * (m + 1) / 2;
        TV* a = scratch;                 // packed upper triangle (row i holds (i, j ≥ i)), then the right-hand side
        TV* inverses = a + entries;      // 1/l_kk
        TV* x = inverses + m;            // comparison-bound and back-substitution vectors
        TV* y = x + m;
        for (int e = 0; e < entries; e++) a[e] = TL.Add(TL.Splat(high[e]), TL.Load(low + e * w));

        TV zero = TL.Splat(0.0), one = TL.Splat(1.0);
        TV maxDiagonal = zero, columns = TL.GreaterThan(one, zero);
        for (int k = 0; k < m; k++)
        {
            maxDiagonal = TL.Max(maxDiagonal, a[Packed(m, k, k)]);
            columns = TL.And(columns, TL.GreaterThan(a[Packed(m, k, k)], zero));
        }
        TV floor = TL.Multiply(TL.Splat(shape.RankCertificate), maxDiagonal);
        TV ok = TL.GreaterThan(maxDiagonal, zero);
        TV explained = zero;
        for (int k = 0; k < m; k++)
        {
            TV pivot = a[Packed(m, k, k)];
            ok = TL.And(ok, TL.And(TL.GreaterThanOrEqual(pivot, floor), TL.GreaterThan(pivot, zero)));
            // Failed lanes carry on with a harmless pivot; their results are discarded.
            TV diagonal = TL.Sqrt(TL.Select(ok, pivot, one));
            TV inverse = TL.Divide(one, diagonal);
            a[Packed(m, k, k)] = diagonal;
            inverses[k] = inverse;
            TV zk = TL.Multiply(a[rhs + k], inverse);
            a[rhs + k] = zk;
            explained = TL.Add(explained, TL.Multiply(zk, zk));
            for (int i = k + 1; i < m; i++)
            {
                TV lik = TL.Multiply(a[Packed(m, k, i)], inverse);
                a[Packed(m, k, i)] = lik;
                a[rhs + i] = TL.Subtract(a[rhs + i], TL.Multiply(lik, zk));
            }
            for (int i = k + 1; i < m; i++)
            {
                TV lik = a[Packed(m, k, i)];
                for (int j = k + 1; j <= i; j++) a[Packed(m, j, i)] = TL.Subtract(a[Packed(m, j, i)], TL.Multiply(lik, a[Packed(m, k, j)]));
            }
        }

        // The comparison-matrix bound, as RegionSolve.ComparisonBound: L_ik sits at Packed(k, i) for k ≤ i.
        TV sigma2 = TL.Divide(ComparisonBound<TL, TV, UpperRows>(m, a, inverses, x, y), maxDiagonal);
        ok = TL.And(ok, TL.GreaterThanOrEqual(sigma2, TL.Splat(shape.RankCertificate)));

        // The loss is shown by the bound alone where σ_min is large enough, as RegionSolve.Factor decides first; only
        // when some lane still needs it is ‖p̃‖² = Σ p_k² G_kk computed, as RegionSolve.SolutionNorm, into x.
        TV certificate = TL.Splat(shape.LossCertificate);
        TV lossShown = TL.GreaterThanOrEqual(TL.Multiply(sigma2, certificate), one);
        if (TL.Bits(TL.And(ok, lossShown)) != TL.Bits(ok))
        {
            TV norm = zero;
            for (int i = m - 1; i >= 0; i--)
            {
                TV v = a[rhs + i];
                for (int k = i + 1; k < m; k++) v = TL.Subtract(v, TL.Multiply(a[Packed(m, i, k)], x[k]));
                v = TL.Multiply(v, inverses[i]);
                x[i] = v;
                TV g = zero;
                for (int k = 0; k <= i; k++) g = TL.Add(g, TL.Multiply(a[Packed(m, k, i)], a[Packed(m, k, i)]));
                norm = TL.Add(norm, TL.Multiply(TL.Multiply(v, v), g));
            }
            lossShown = TL.Or(lossShown, TL.GreaterThanOrEqual(TL.Multiply(certificate, TL.Splat(sumSquaredTargets)), norm));
        }
        ok = TL.And(ok, lossShown);

        TV loss = TL.Multiply(TL.Multiply(TL.Splat(0.5), TL.Max(zero, TL.Subtract(TL.Splat(sumSquaredTargets), explained))), TL.Splat(lossScale));
        TL.Store(loss, losses);
        uint certified = TL.Bits(ok);
        declined = TL.Bits(columns) & ~certified;
        return certified;
    }

    /// <summary>
    /// After <see cref="Factor"/>, each lane's minimizer in the units of the point store, whose m units and then the
    /// target offset on c start at <paramref name="units"/> (<see cref="RegionDesign.Units"/>): the steps of
    /// <see cref="RegionSolve.MinimumNormSolution"/> for a factor of full rank in natural order with unit scales, which
    /// is what a certified lane has, so a certified lane's minimizer has the scalar path's bits. Writes value i of lane
    /// k to <paramref name="solutions"/>[i·Count + k]; other lanes' values are meaningless.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Minimizer<TL, TV>(in RegionShape shape, double* units, TV* scratch, double* solutions)
        where TL : struct, ILanes<TV>
        where TV : unmanaged
    {
        int m = shape.Parameters;
        int rhs = m * (m + 1) / 2;
        TV* a = scratch;
        TV* u = scratch + shape.EntrySize + 2 * m;   // Factor's y, free once its bound is taken
        // ũ = L⁻ᵀz, dividing by l_ii as the scalar back substitution does.
        for (int i = m - 1; i >= 0; i--)
        {
            TV v = a[rhs + i];
            for (int k = i + 1; k < m; k++) v = TL.Subtract(v, TL.Multiply(a[Packed(m, i, k)], u[k]));
            u[i] = TL.Divide(v, a[Packed(m, i, i)]);
        }
        // p_k = w_k ũ_k + o_k, with w_k = unit_k (the scales are 1) and o the target offset at c, as the scalar path forms them.
        for (int i = 0; i < m; i++)
        {
            double offset = shape.Bias == 1 && i == m - 1 ? units[m] : 0.0;
            TL.Store(TL.Add(TL.Multiply(TL.Splat(units[i]), u[i]), TL.Splat(offset)), solutions + i * TL.Count);
        }
    }

    /// <summary>
    /// <see cref="RegionSolve.IndependentRows"/> for the Count regions <paramref name="first"/>, <paramref name="first"/> + 1, …
    /// of a shape with fewer points than unknowns, straight from their indices and the point store
    /// <paramref name="store"/>: no Eq. 7 system is summed. Writes each lane's loss (in the data's units) and rank to
    /// <paramref name="losses"/> and <paramref name="ranks"/>; returns the mask of lanes certified, which are exactly
    /// the lanes the scalar path decides by independent rows (more nonzero columns than points, so that
    /// <see cref="RegionSolve.Factor"/> declines at once, and the rows' certificate holds), and in
    /// <paramref name="declined"/> the lanes whose rows the scalar path would try and reject too (it goes to QR).
    /// </summary>
    /// <remarks>
    /// The scalar path keeps the live rows (points where some node is active) and, with bias, one merged row for the
    /// dead points after them. Here every lane has all N point rows and the merged row last, and a row the scalar path
    /// does not have (a dead point's, or the merged row where there is none) gets a diagonal of max K_aa and nothing
    /// else. It then takes no part in the other rows' factorization (its multipliers are zero, so every update
    /// subtracts an exact zero), and its terms of the comparison bound, 1/√max K_aa, are at most those of every real
    /// row, so every bit matches.
    /// </remarks>
    public static unsafe uint IndependentRows<TL, TV>(long first, double* store, in RegionShape shape, double lossScale, double* losses, double* ranks, TV* scratch, out uint declined)
        where TL : struct, ILanes<TV>
        where TV : unmanaged
    {
        int n = shape.Points;
        int h = shape.Hidden;
        int d = shape.Features;
        int m = shape.Parameters;
        int order = n + 1;               // the points' rows, then the dead points' merged row
        int targets = RegionDesign.Targets(shape);
        int gram = RegionDesign.Gram(shape);
        TV* active = scratch;            // a_ij at a·h + j, as 0 or 1
        TV* live = active + n * h;       // 1 where some node is active at point a, else 0
        TV* k = live + n;                // K, packed lower triangle by rows: (a, b ≤ a) at a(a+1)/2 + b
        TV* inverses = k + order * (order + 1) / 2;
        TV* x = inverses + order;
        TV* y = x + order;
        TV zero = TL.Splat(0.0), one = TL.Splat(1.0);

        // Live rows, the dead points' mean and residual (two passes, as the scalar path), and nonzero columns: column
        // (j, f) is zero where node j is inactive at every point whose x̃_f² is positive (the tables' G_kk sums those
        // squares), and c never is.
        TV lives = zero, dead = zero, deadSum = zero;
        for (int a = 0; a < n; a++)
        {
            TV any = zero;
            for (int j = 0; j < h; j++)
            {
                active[a * h + j] = TL.Bit(first, a * h + j);
                any = TL.Max(any, active[a * h + j]);
            }
            live[a] = any;
            lives = TL.Add(lives, any);
            dead = TL.Add(dead, TL.Subtract(one, any));
            deadSum = TL.Add(deadSum, TL.Select(TL.GreaterThan(any, zero), zero, TL.Splat(store[targets + a])));
        }
        TV mean = shape.Bias == 1 ? TL.Divide(deadSum, TL.Max(dead, one)) : zero;
        TV residual = zero;
        for (int a = 0; a < n; a++)
        {
            TV r = TL.Subtract(TL.Splat(store[targets + a]), mean);
            residual = TL.Add(residual, TL.Select(TL.GreaterThan(live[a], zero), zero, TL.Multiply(r, r)));
        }
        TV merged = shape.Bias == 1 ? TL.Select(TL.GreaterThan(dead, zero), one, zero) : zero;
        TV rows = TL.Add(lives, merged);
        // Inputs positive at the same points give the same test (on generic data every input is positive everywhere),
        // so each distinct set of points is tested once per node and counted for every input that has it.
        long* support = stackalloc long[d];
        for (int f = 0; f < d; f++)
        {
            support[f] = 0;
            for (int a = 0; a < n; a++)
            {
                if (store[a * d + f] * store[a * d + f] > 0.0) support[f] |= 1L << a;
            }
        }
        TV columns = TL.Splat(shape.Bias);
        for (int f = 0; f < d; f++)
        {
            bool firstWithSupport = true;
            int inputs = 0;
            for (int g = 0; g < d; g++)
            {
                if (support[g] != support[f]) continue;
                firstWithSupport &= g >= f;
                inputs++;
            }
            if (!firstWithSupport) continue;
            for (int j = 0; j < h; j++)
            {
                TV any = zero;
                for (int a = 0; a < n; a++)
                {
                    if (((support[f] >> a) & 1) != 0) any = TL.Max(any, active[a * h + j]);
                }
                columns = TL.Add(columns, TL.Multiply(any, TL.Splat(inputs)));
            }
        }
        TV eligible = TL.And(TL.And(TL.GreaterThan(columns, TL.Splat(n)), TL.GreaterThan(rows, zero)), TL.GreaterThan(TL.Splat(m), rows));
        TV ok = eligible;

        // K = ZZᵀ: (x̃_aᵀx̃_b)·|A_a ∩ A_b| (+ 1 for c) between live rows, √k and k for the merged row, zero elsewhere.
        TV maxDiagonal = zero;
        for (int a = 0; a < n; a++)
        {
            TV liveA = TL.GreaterThan(live[a], zero);
            for (int b = 0; b <= a; b++)
            {
                TV shared = zero;
                for (int j = 0; j < h; j++) shared = TL.Add(shared, TL.Multiply(active[a * h + j], active[b * h + j]));
                TV v = TL.Add(TL.Multiply(TL.Splat(store[gram + a * n + b]), shared), TL.Splat(shape.Bias));
                k[a * (a + 1) / 2 + b] = TL.Select(TL.And(liveA, TL.GreaterThan(live[b], zero)), v, zero);
            }
            maxDiagonal = TL.Max(maxDiagonal, k[a * (a + 1) / 2 + a]);
        }
        TV weight = TL.Multiply(TL.Sqrt(dead), merged);
        for (int b = 0; b < n; b++) k[n * order / 2 + b] = TL.Select(TL.GreaterThan(live[b], zero), weight, zero);
        k[n * order / 2 + n] = TL.Multiply(dead, merged);
        maxDiagonal = TL.Max(maxDiagonal, k[n * order / 2 + n]);
        for (int a = 0; a < n; a++) k[a * (a + 1) / 2 + a] = TL.Select(TL.GreaterThan(live[a], zero), k[a * (a + 1) / 2 + a], maxDiagonal);
        k[n * order / 2 + n] = TL.Select(TL.GreaterThan(merged, zero), k[n * order / 2 + n], maxDiagonal);

        TV rounding = TL.Multiply(TL.Multiply(TL.Multiply(TL.Multiply(TL.Splat(100.0), rows), TL.Add(TL.Splat(m + 4), rows)), TL.Splat(RegionSolve.UnitRoundoff)), maxDiagonal);
        for (int c = 0; c < order; c++)
        {
            TV pivot = k[c * (c + 1) / 2 + c];
            ok = TL.And(ok, TL.GreaterThan(pivot, rounding));
            TV diagonal = TL.Sqrt(TL.Select(ok, pivot, one));
            TV inverse = TL.Divide(one, diagonal);
            k[c * (c + 1) / 2 + c] = diagonal;
            inverses[c] = inverse;
            for (int i = c + 1; i < order; i++) k[i * (i + 1) / 2 + c] = TL.Multiply(k[i * (i + 1) / 2 + c], inverse);
            for (int i = c + 1; i < order; i++)
            {
                TV lic = k[i * (i + 1) / 2 + c];
                for (int j = c + 1; j <= i; j++) k[i * (i + 1) / 2 + j] = TL.Subtract(k[i * (i + 1) / 2 + j], TL.Multiply(lic, k[j * (j + 1) / 2 + c]));
            }
        }
        TV lambda = ComparisonBound<TL, TV, LowerRows>(order, k, inverses, x, y);
        double cut = 10.0 * shape.RankCut;
        ok = TL.And(ok, TL.And(TL.GreaterThanOrEqual(lambda, rounding),
            TL.GreaterThanOrEqual(lambda, TL.Splat(cut * cut * m * store[RegionDesign.ColumnBound(shape)]))));

        TV loss = TL.Multiply(TL.Multiply(TL.Splat(0.5), residual), TL.Splat(lossScale));
        TL.Store(loss, losses);
        TL.Store(rows, ranks);
        uint certified = TL.Bits(ok);
        declined = TL.Bits(eligible) & ~certified;
        return certified;
    }

    // 1/(‖M⁻¹‖₁‖M⁻¹‖∞) for the comparison matrix M of the r × r lower factor L (L_ik where TP puts it, 1/L_kk in
    // inverses), as RegionSolve.ComparisonBound; x and y are workspace.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe TV ComparisonBound<TL, TV, TP>(int r, TV* l, TV* inverses, TV* x, TV* y)
        where TL : struct, ILanes<TV>
        where TV : unmanaged
        where TP : struct, IPacking
    {
        TV zero = TL.Splat(0.0), one = TL.Splat(1.0);
        TV rowMax = zero;
        for (int i = 0; i < r; i++)
        {
            TV v = one;
            for (int k = 0; k < i; k++) v = TL.Add(v, TL.Multiply(TL.Abs(l[TP.Lower(r, i, k)]), x[k]));
            v = TL.Multiply(v, inverses[i]);
            x[i] = v;
            rowMax = TL.Max(rowMax, v);
        }
        TV columnMax = zero;
        for (int i = r - 1; i >= 0; i--)
        {
            TV v = one;
            for (int k = i + 1; k < r; k++) v = TL.Add(v, TL.Multiply(TL.Abs(l[TP.Lower(r, k, i)]), y[k]));
            v = TL.Multiply(v, inverses[i]);
            y[i] = v;
            columnMax = TL.Max(columnMax, v);
        }
        return TL.Divide(one, TL.Multiply(rowMax, columnMax));
    }

    // Offset of (i, j), i ≤ j, in a packed upper triangle of order m stored row by row.
    private static int Packed(int m, int i, int j) => i * m - i * (i - 1) / 2 + (j - i);

    // Where a packed triangle keeps L_ik (k ≤ i) of a factor of order r, as a type so that the bound inlines it.
    private interface IPacking
    {
        static abstract int Lower(int r, int i, int k);
    }

    // Factor's layout: Lᵀ as a packed upper triangle by rows.
    private readonly struct UpperRows : IPacking
    {
        public static int Lower(int r, int i, int k) => Packed(r, k, i);
    }

    // IndependentRows' layout: L as a packed lower triangle by rows.
    private readonly struct LowerRows : IPacking
    {
        public static int Lower(int r, int i, int k) => i * (i + 1) / 2 + k;
    }
}
