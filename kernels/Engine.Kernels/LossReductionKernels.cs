using Engine.Core.Regions;
using ILGPU;

namespace Engine.Kernels;

/// <summary>
/// The reduction fused into the Eq. 7 kernel: each thread's <see cref="RegionStatistics"/> are combined across its warp
/// by shuffles and across its group through shared memory, one partial per group is written, and
/// <see cref="Merge"/> combines the partials on the device, so a batch copies one value back to the host.
/// </summary>
public static class LossReductionKernels
{
    /// <summary>Most warps a group may have (1,024 threads of 32).</summary>
    public const int MaxWarps = 32;

    /// <summary>Histogram bins counted in shared memory; larger histograms count in global memory directly.</summary>
    public const int SharedBins = 1024;

    /// <summary>
    /// Combines <paramref name="statistics"/> over the calling group; the result is valid in thread 0. Every thread of
    /// the group must call it.
    /// </summary>
    public static RegionStatistics Group(RegionStatistics statistics)
    {
        ArrayView<RegionStatistics> warps = SharedMemory.Allocate<RegionStatistics>(MaxWarps);
        statistics = Warp(statistics);
        if (ILGPU.Warp.IsFirstLane) warps[ILGPU.Warp.WarpIdx] = statistics;
        ILGPU.Group.Barrier();
        int count = (ILGPU.Group.DimX + ILGPU.Warp.WarpSize - 1) / ILGPU.Warp.WarpSize;
        statistics = RegionStatistics.Empty;
        if (ILGPU.Warp.WarpIdx == 0)
        {
            for (int w = ILGPU.Warp.LaneIdx; w < count; w += ILGPU.Warp.WarpSize) statistics.Add(warps[w]);
            statistics = Warp(statistics);
        }
        return statistics;
    }

    // Tree reduction by shuffles: lane 0 ends with the warp's statistics (other lanes may hold lanes counted twice,
    // where a shuffle reached past the warp, and are not read).
    private static RegionStatistics Warp(RegionStatistics statistics)
    {
        for (int delta = ILGPU.Warp.WarpSize / 2; delta > 0; delta /= 2)
        {
            var other = new RegionStatistics
            {
                Min = ILGPU.Warp.ShuffleDown(statistics.Min, delta),
                ArgMin = ILGPU.Warp.ShuffleDown(statistics.ArgMin, delta),
                Max = ILGPU.Warp.ShuffleDown(statistics.Max, delta),
                ArgMax = ILGPU.Warp.ShuffleDown(statistics.ArgMax, delta),
                SumHigh = ILGPU.Warp.ShuffleDown(statistics.SumHigh, delta),
                SumLow = ILGPU.Warp.ShuffleDown(statistics.SumLow, delta),
                Singular = ILGPU.Warp.ShuffleDown(statistics.Singular, delta),
                Exact = ILGPU.Warp.ShuffleDown(statistics.Exact, delta),
                Count = ILGPU.Warp.ShuffleDown(statistics.Count, delta),
            };
            statistics.Add(other);
        }
        return statistics;
    }

    /// <summary>
    /// Merges the first <paramref name="count"/> group partials into <paramref name="result"/>[0]: launched as one group.
    /// </summary>
    public static void Merge(ArrayView<RegionStatistics> partials, int count, ArrayView<RegionStatistics> result)
    {
        RegionStatistics statistics = RegionStatistics.Empty;
        for (int p = ILGPU.Group.IdxX; p < count; p += ILGPU.Group.DimX) statistics.Add(partials[p]);
        statistics = Group(statistics);
        if (ILGPU.Group.IdxX == 0) result[0] = statistics;
    }
}
