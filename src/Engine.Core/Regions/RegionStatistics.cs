namespace Engine.Core.Regions;

/// <summary>
/// The statistics of <see cref="LossSummary"/> other than its histogram, for a set of regions, as a value that
/// kernels keep per thread, combine across a warp and a group, and merge on the device; the host adds the merged value
/// with <see cref="LossSummary.Accumulate(in RegionStatistics)"/>. Blittable: primitives only.
/// </summary>
/// <remarks>
/// The quantized sum (<see cref="LossSummary.Quantized"/>, at most 2⁴⁰ a region) is kept as two 64-bit counts, of
/// 2³² quanta and of single quanta, so that no number of regions merged on the device can overflow it; the host
/// assembles the 128-bit <see cref="LossSummary.RelativeSum"/>.
/// </remarks>
public struct RegionStatistics
{
    /// <summary>Smallest loss, +∞ when empty.</summary>
    public double Min;

    /// <summary>Index of the first region attaining <see cref="Min"/>, −1 when empty.</summary>
    public long ArgMin;

    /// <summary>Largest loss, −∞ when empty.</summary>
    public double Max;

    /// <summary>Index of the first region attaining <see cref="Max"/>, −1 when empty.</summary>
    public long ArgMax;

    /// <summary>The quantized sum's multiples of 2³² quanta.</summary>
    public long SumHigh;

    /// <summary>The quantized sum's remaining quanta.</summary>
    public long SumLow;

    /// <summary>Regions whose design was rank-deficient.</summary>
    public long Singular;

    /// <summary>Regions decided by the exact path.</summary>
    public long Exact;

    /// <summary>Regions.</summary>
    public long Count;

    /// <summary>The statistics of no region.</summary>
    public static RegionStatistics Empty => new()
    {
        Min = double.PositiveInfinity, ArgMin = -1, Max = double.NegativeInfinity, ArgMax = -1,
    };

    /// <summary>Adds region <paramref name="index"/>, whose loss relative to <paramref name="upper"/> sets its quantized term.</summary>
    public void Add(long index, RegionLoss result, int parameters, double upper)
    {
        long term = LossSummary.Quantized(LossSummary.Relative(result.Loss, upper));
        SumHigh += term >> 32;
        SumLow += term & 0xFFFFFFFFL;
        Merge(ref Min, ref ArgMin, result.Loss, index, lower: true);
        Merge(ref Max, ref ArgMax, result.Loss, index, lower: false);
        Singular += result.Rank < parameters ? 1 : 0;
        Exact += result.Exact;
        Count++;
    }

    /// <summary>Adds the statistics of <paramref name="other"/>, a disjoint set of regions.</summary>
    public void Add(in RegionStatistics other)
    {
        Merge(ref Min, ref ArgMin, other.Min, other.ArgMin, lower: true);
        Merge(ref Max, ref ArgMax, other.Max, other.ArgMax, lower: false);
        SumHigh += other.SumHigh;
        SumLow += other.SumLow;
        Singular += other.Singular;
        Exact += other.Exact;
        Count += other.Count;
    }

    /// <summary>
    /// Takes (<paramref name="value"/>, <paramref name="index"/>) as the extreme when it is lower (or higher) or equal
    /// with a lower index, so that the answer does not depend on how the regions were split; an empty side (index −1)
    /// never wins.
    /// </summary>
    public static void Merge(ref double extreme, ref long at, double value, long index, bool lower)
    {
        if (index < 0) return;
        bool better = lower ? value < extreme : value > extreme;
        if (at < 0 || better || (value == extreme && index < at))
        {
            extreme = value;
            at = index;
        }
    }
}
