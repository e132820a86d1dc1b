using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine.Core.Regions;

/// <summary>
/// What a large enumeration keeps instead of every region: a histogram of subglobal-minimum losses over
/// [0, dead-region loss], the extremes with the regions attaining them, the mean, and how many Eq. 7
/// systems were singular. Summaries of disjoint index ranges merge.
/// </summary>
public sealed class LossSummary
{
    /// <summary>Most histogram bins a summary may have: every batch, thread and shard keeps its own copy.</summary>
    public const int MaxBins = 1_000_000;

    /// <summary>Throws <see cref="EngineInputException"/> unless 1 ≤ <paramref name="bins"/> ≤ <see cref="MaxBins"/>.</summary>
    public static void ValidateBins(int bins)
    {
        if (bins < 1)
            throw new EngineInputException($"histogram needs at least one bin, got {bins}");
        if (bins > MaxBins)
            throw new EngineInputException($"histogram of {bins:N0} bins exceeds the limit of {MaxBins:N0}");
    }

    /// <summary>Creates an empty summary with <paramref name="bins"/> equal bins over [0, <paramref name="upper"/>].</summary>
    public LossSummary(int bins, double upper)
    {
        ValidateBins(bins);
        Bins = new long[bins];
        Upper = upper;
    }

    /// <summary>Counts per bin; bin k covers [k, k+1)·Upper/bins, the last one closed.</summary>
    public long[] Bins { get; }

    /// <summary>Upper edge of the last bin: the dead region's loss, which no region exceeds.</summary>
    public double Upper { get; }

    /// <summary>Regions summarised.</summary>
    public long Count { get; private set; }

    /// <summary>Smallest loss (the global minimum of the regions seen), +∞ when empty.</summary>
    public double Min { get; private set; } = double.PositiveInfinity;

    /// <summary>Index of the first region attaining <see cref="Min"/>.</summary>
    public long ArgMin { get; private set; } = -1;

    /// <summary>Largest loss, −∞ when empty.</summary>
    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>Index of the first region attaining <see cref="Max"/>.</summary>
    public long ArgMax { get; private set; } = -1;

    /// <summary>
    /// Σ loss/<see cref="Upper"/> over the regions (weighted), for the mean, in units of 2⁻⁴⁰ (<see cref="Quantum"/>).
    /// Each term is rounded to an integer once, so sums of integers give the same total in any order: a run split into
    /// batches, threads, units or shards merges to the same bits. Each term is at most 2⁴⁰, so no count of regions
    /// can overflow it, whatever the data's scale.
    /// </summary>
    public Int128 RelativeSum { get; private set; }

    /// <summary>Resolution of <see cref="RelativeSum"/>: 2⁻⁴⁰ of the dead-region loss, about 1e-12.</summary>
    public const double Quantum = 1.0 / (1L << 40);

    /// <summary>Regions whose Eq. 7 matrix was rank-deficient.</summary>
    public long Singular { get; private set; }

    /// <summary>Regions the fast path could not certify, decided by the exact path (see <see cref="RegionSolve"/>).</summary>
    public long Exact { get; private set; }

    /// <summary>Mean loss.</summary>
    public double Mean => Count == 0 ? double.NaN : (double)RelativeSum * Quantum / Count * Upper;

    /// <summary>loss/upper, in [0, 1] for every subglobal minimum.</summary>
    public static double Relative(double loss, double upper) => upper > 0.0 ? loss / upper : 0.0;

    /// <summary>The term a relative loss adds to <see cref="RelativeSum"/>: rounded to the nearest multiple of the quantum. Shared with the reduction kernel.</summary>
    public static long Quantized(double relative) => (long)(relative * (1L << 40) + 0.5);

    /// <summary>
    /// Histogram bin of <paramref name="loss"/>: bin k covers [k, k+1)·upper/bins, the last one closed. A loss within
    /// <see cref="LossLevels.RelativeTolerance"/>·upper of an edge is taken to lie on it, where exact arithmetic puts
    /// equal minima computed a few ulps apart, and so opens the bin above. Shared with the reduction kernel.
    /// </summary>
    public static int Bin(double loss, double upper, int bins) => upper > 0.0 ? RelativeBin(loss / upper, bins) : 0;

    // Code run per region or per program is AggressiveOptimization: compiled once, fully optimized, when first called,
    // rather than run from ReadyToRun or tier-0 code until the tiering thread, busy with hundreds of lukewarm methods,
    // reaches it: 5 to 19 % of a half-second nonempty run (see the README's Performance section).

    // The bin of loss/upper: in units of one bin the edges are the integers, and the tolerance RelativeTolerance·upper
    // becomes RelativeTolerance·bins. The quotient is off by at most an ulp and the tolerance is far below a bin's
    // width, so one step each way suffices.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int RelativeBin(double relative, int bins)
    {
        double position = relative * bins;
        double tolerance = LossLevels.RelativeTolerance * bins;
        int b = (int)Math.Min(position, bins);
        if (b + 1 < bins && position >= b + 1 - tolerance) b++;
        if (b > 0 && position < b - tolerance) b--;
        return b < 0 ? 0 : b >= bins ? bins - 1 : b;
    }

    /// <summary>
    /// Adds region <paramref name="index"/>, counted <paramref name="weight"/> times (a multiset of node columns
    /// stands for every ordering of its nodes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(long index, RegionLoss result, int parameters, long weight = 1)
    {
        double relative = Relative(result.Loss, Upper);
        Bins[Upper > 0.0 ? RelativeBin(relative, Bins.Length) : 0] += weight;
        Accumulate(weight, result.Loss, index, result.Loss, index, (Int128)weight * Quantized(relative), result.Rank < parameters ? weight : 0, result.Exact * weight);
    }

    /// <summary>
    /// Adds the regions <paramref name="first"/>, <paramref name="first"/> + 1, … whose losses and ranks are
    /// <paramref name="losses"/> and <paramref name="ranks"/>, each counted once, all decided by <paramref name="path"/>:
    /// a group of SIMD lanes. The same statistics as <see cref="Add"/> region by region, with the bins, terms and
    /// extremes computed a vector at a time.
    /// </summary>
    /// <remarks>
    /// The bin rule of <see cref="Bin"/> in closed form: the nearest edge where the position lies within the tolerance
    /// of it, else the floor, clamped to the bins; the position and the quotient are the same operations in the same
    /// order, so every region lands where <see cref="Add"/> would put it (the tests compare the two paths bin by bin).
    /// </remarks>
    public void AddGroup(long first, ReadOnlySpan<double> losses, ReadOnlySpan<double> ranks, int path, int parameters)
    {
        int width = Vector<double>.Count;
        if (Upper <= 0.0 || losses.Length % width != 0 || !Vector.IsHardwareAccelerated)
        {
            for (int k = 0; k < losses.Length; k++) Add(first + k, new RegionLoss(losses[k], (int)ranks[k], path), parameters);
            return;
        }
        long singular = 0;
        foreach (double rank in ranks) singular += rank < parameters ? 1 : 0;
        int bins = Bins.Length;
        var upper = new Vector<double>(Upper);
        var count = new Vector<double>(bins);
        var tolerance = new Vector<double>(LossLevels.RelativeTolerance * bins);
        var last = new Vector<double>(bins - 1);
        var quantum = new Vector<double>(1L << 40);
        var half = new Vector<double>(0.5);
        Vector<long> sum = Vector<long>.Zero;
        Vector<double> least = new(double.PositiveInfinity), most = new(double.NegativeInfinity);
        Span<long> bin = stackalloc long[width];
        for (int k = 0; k < losses.Length; k += width)
        {
            var loss = new Vector<double>(losses[k..]);
            Vector<double> relative = loss / upper;
            Vector<double> position = relative * count;
            Vector<double> edge = Vector.Round(position);
            Vector<double> near = Vector.LessThanOrEqual(Vector.Abs(position - edge), tolerance).As<long, double>();
            Vector<double> b = Vector.Min(Vector.Max(Vector.ConditionalSelect(near, edge, Vector.Floor(position)), Vector<double>.Zero), last);
            Vector.ConvertToInt64(b).CopyTo(bin);
            for (int lane = 0; lane < width; lane++) Bins[bin[lane]]++;
            sum += Vector.ConvertToInt64(relative * quantum + half);
            least = Vector.Min(least, loss);
            most = Vector.Max(most, loss);
        }
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int lane = 0; lane < width; lane++)
        {
            min = Math.Min(min, least[lane]);
            max = Math.Max(max, most[lane]);
        }
        // The first region attaining each extreme, as Accumulate's ties.
        long argMin = first + losses.IndexOf(min), argMax = first + losses.IndexOf(max);
        Accumulate(losses.Length, min, argMin, max, argMax, Vector.Sum(sum), singular, path == RegionLoss.Cholesky ? 0 : losses.Length);
    }

    /// <summary>
    /// Adds partial statistics of a range of regions whose histogram was added to <see cref="Bins"/> separately;
    /// <paramref name="relativeSum"/> sums <see cref="Quantized"/> terms over the range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Accumulate(long count, double min, long argMin, double max, long argMax, Int128 relativeSum, long singular, long exact)
    {
        if (count == 0) return;
        double least = Min, most = Max;
        long leastAt = ArgMin, mostAt = ArgMax;
        RegionStatistics.Merge(ref least, ref leastAt, min, argMin, lower: true);
        RegionStatistics.Merge(ref most, ref mostAt, max, argMax, lower: false);
        (Min, ArgMin, Max, ArgMax) = (least, leastAt, most, mostAt);
        Count += count;
        RelativeSum += relativeSum;
        Singular += singular;
        Exact += exact;
    }

    /// <summary>Adds the statistics a kernel merged on the device for a range whose histogram was added separately.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Accumulate(in RegionStatistics statistics) =>
        Accumulate(statistics.Count, statistics.Min, statistics.ArgMin, statistics.Max, statistics.ArgMax,
            ((Int128)statistics.SumHigh << 32) + statistics.SumLow, statistics.Singular, statistics.Exact);

    /// <summary>Merges <paramref name="other"/>, a summary of a disjoint range with the same bins.</summary>
    public void Merge(LossSummary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int b = 0; b < Bins.Length; b++) Bins[b] += other.Bins[b];
        Accumulate(other.Count, other.Min, other.ArgMin, other.Max, other.ArgMax, other.RelativeSum, other.Singular, other.Exact);
    }
}
