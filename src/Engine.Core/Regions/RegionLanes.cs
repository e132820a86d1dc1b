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

    /// <summary>Lane <paramref name="lane"/> of <paramref name="v"/>.</summary>
    static abstract double Lane(TV v, int lane);
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
    public static double Lane(Vector512<double> v, int lane) => v.GetElement(lane);
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
    public static double Lane(Vector256<double> v, int lane) => v.GetElement(lane);
}

/// <summary>
/// The fast path of <see cref="RegionSolve.Factor"/> for several regions at once, one per SIMD lane (the compact layout
/// of batched small-matrix libraries): the same steps in the same order, so a certified lane's loss has the same bits
/// as the scalar path's. Pivots are never swapped and every decision is a mask. A lane whose region has a zero column
/// (which the scalar path moves aside) or fails the certificate is left to the scalar path.
/// </summary>
public static class RegionLanes
{
    /// <summary>Largest m with a lane path: beyond it the m(m+3)/2 vectors of a system no longer fit the registers and cache lines that make it pay.</summary>
    public const int MaxParameters = 12;

    /// <summary>Doubles of lane scratch for systems of <paramref name="parameters"/> unknowns, per lane.</summary>
    public static int ScratchPerLane(int parameters) => parameters * (parameters + 3) / 2 + 2 * parameters;

    /// <summary>
    /// Solves <typeparamref name="TL"/>'s Count regions whose Eq. 7 systems are the packed entry <paramref name="high"/>
    /// (shared) plus each lane's packed entry, stored element-major at <paramref name="low"/> (element e of lane k at
    /// e·Count + k). Writes each lane's loss, in the data's units, to <paramref name="losses"/>; returns the mask of
    /// lanes whose answer is certified (rank m). <paramref name="scratch"/> holds <see cref="ScratchPerLane"/> vectors.
    /// </summary>
    public static unsafe uint Factor<TL, TV>(double* high, double* low, in RegionShape shape, double sumSquaredTargets, double lossScale, double* losses, TV* scratch)
        where TL : struct, ILanes<TV>
        where TV : unmanaged
    {
        int m = shape.Parameters;
        int w = TL.Count;
        int entries = shape.EntrySize;
        int rhs = m * (m + 1) / 2;
        TV* a = scratch;                 // packed upper triangle (row i holds (i, j ≥ i)), then the right-hand side
        TV* x = a + entries;             // comparison-bound and back-substitution vectors
        TV* y = x + m;
        for (int e = 0; e < entries; e++) a[e] = TL.Add(TL.Splat(high[e]), TL.Load(low + e * w));

        TV maxDiagonal = TL.Splat(0.0);
        for (int k = 0; k < m; k++) maxDiagonal = TL.Max(maxDiagonal, a[Packed(m, k, k)]);
        TV floor = TL.Multiply(TL.Splat(shape.RankCertificate), maxDiagonal);
        TV zero = TL.Splat(0.0), one = TL.Splat(1.0);
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
        TV rowMax = zero;
        for (int i = 0; i < m; i++)
        {
            TV v = one;
            for (int k = 0; k < i; k++) v = TL.Add(v, TL.Multiply(TL.Abs(a[Packed(m, k, i)]), x[k]));
            v = TL.Divide(v, a[Packed(m, i, i)]);
            x[i] = v;
            rowMax = TL.Max(rowMax, v);
        }
        TV columnMax = zero;
        for (int i = m - 1; i >= 0; i--)
        {
            TV v = one;
            for (int k = i + 1; k < m; k++) v = TL.Add(v, TL.Multiply(TL.Abs(a[Packed(m, i, k)]), y[k]));
            v = TL.Divide(v, a[Packed(m, i, i)]);
            y[i] = v;
            columnMax = TL.Max(columnMax, v);
        }
        TV sigma2 = TL.Divide(TL.Divide(one, TL.Multiply(rowMax, columnMax)), maxDiagonal);
        ok = TL.And(ok, TL.GreaterThanOrEqual(sigma2, TL.Splat(shape.RankCertificate)));

        // ‖p̃‖² = Σ p_k² G_kk, as RegionSolve.SolutionNorm, into x.
        TV norm = zero;
        for (int i = m - 1; i >= 0; i--)
        {
            TV v = a[rhs + i];
            for (int k = i + 1; k < m; k++) v = TL.Subtract(v, TL.Multiply(a[Packed(m, i, k)], x[k]));
            v = TL.Divide(v, a[Packed(m, i, i)]);
            x[i] = v;
            TV g = zero;
            for (int k = 0; k <= i; k++) g = TL.Add(g, TL.Multiply(a[Packed(m, k, i)], a[Packed(m, k, i)]));
            norm = TL.Add(norm, TL.Multiply(TL.Multiply(v, v), g));
        }
        TV certificate = TL.Splat(shape.LossCertificate);
        TV lossShown = TL.Or(TL.GreaterThanOrEqual(TL.Multiply(sigma2, certificate), one),
            TL.GreaterThanOrEqual(TL.Multiply(certificate, TL.Splat(sumSquaredTargets)), norm));
        ok = TL.And(ok, lossShown);

        TV loss = TL.Multiply(TL.Multiply(TL.Splat(0.5), TL.Max(zero, TL.Subtract(TL.Splat(sumSquaredTargets), explained))), TL.Splat(lossScale));
        for (int lane = 0; lane < w; lane++) losses[lane] = TL.Lane(loss, lane);
        return TL.Bits(ok);
    }

    // Offset of (i, j), i ≤ j, in a packed upper triangle of order m stored row by row.
    private static int Packed(int m, int i, int j) => i * m - i * (i - 1) / 2 + (j - i);
}
