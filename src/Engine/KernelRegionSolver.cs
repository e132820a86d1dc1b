using Engine.Core.Regions;
using Engine.Kernels;
using ILGPU.Runtime;
using ILGPU;

namespace Engine;

/// <summary>
/// The device side of an enumeration: uploads the chunk tables once, owns the batch buffers, and launches the
/// Eq. 7 kernel, whose reduction is fused in, and the merge of its group partials. <see cref="Launch"/> is the kernel
/// work alone; <see cref="Collect"/> copies the batch's one merged statistics value back, and the per-region results
/// where they are kept, so benchmarks can time the two separately.
/// </summary>
internal sealed class KernelRegionSolver : IDisposable
{
    // Device scratch is capped so that large m cannot ask for more than 1 GiB of per-thread workspace.
    private const long MaxScratchDoubles = 1L << 27;

    // Threads per group: enough warps to hide latency, few enough that a block of 2^ChunkBits regions keeps them busy.
    private const int GroupThreads = 256;

    private readonly Accelerator _accelerator;
    private readonly RegionTables _tables;
    private readonly RegionKeep _keep;
    private readonly int _bins;
    private readonly KernelConfig _config;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _table;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _points;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _scratch;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _losses;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _ranks;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _solutions;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> _histogram;
    private readonly MemoryBuffer1D<RegionStatistics, Stride1D.Dense> _partials;
    private readonly MemoryBuffer1D<RegionStatistics, Stride1D.Dense> _merged;
    private readonly RegionStatistics[] _hostMerged = new RegionStatistics[1];
    private readonly Action<KernelConfig, SpecializedValue<RegionShape>, RegionLaunch, ArrayView<double>, ArrayView<double>, ArrayView<double>, SummaryOutput, ArrayView<long>, ArrayView<RegionStatistics>>? _summaryKernel;
    private readonly Action<KernelConfig, SpecializedValue<RegionShape>, RegionLaunch, ArrayView<double>, ArrayView<double>, ArrayView<double>, LossOutput, ArrayView<long>, ArrayView<RegionStatistics>>? _lossKernel;
    private readonly Action<KernelConfig, SpecializedValue<RegionShape>, RegionLaunch, ArrayView<double>, ArrayView<double>, ArrayView<double>, SolutionOutput, ArrayView<long>, ArrayView<RegionStatistics>>? _solutionKernel;
    private readonly Action<KernelConfig, ArrayView<RegionStatistics>, int, ArrayView<RegionStatistics>> _mergeKernel;
    private long _count;
    private bool _disposed;

    /// <summary>
    /// Prepares batches of up to <paramref name="batch"/> regions of <paramref name="tables"/>, keeping per region what
    /// <paramref name="keep"/> says. Throws <see cref="EngineInputException"/> when a block's shared sum does not fit the
    /// accelerator's shared memory.
    /// </summary>
    public KernelRegionSolver(Accelerator accelerator, RegionTables tables, long batch, int bins, RegionKeep keep)
    {
        _accelerator = accelerator;
        _tables = tables;
        _keep = keep;
        _bins = bins;
        RegionShape shape = tables.Shape;
        if (!Fits(accelerator, shape))
            throw new EngineInputException($"m = {shape.Parameters}: a block's Eq. 7 sum needs {SharedBytes(shape):N0} bytes of shared memory, the accelerator has {accelerator.MaxSharedMemoryPerGroup:N0}; use the host path");

        int warp = Math.Max(1, accelerator.WarpSize);
        int threadsPerGroup = Math.Max(warp, Math.Min(GroupThreads, accelerator.MaxNumThreadsPerGroup) / warp * warp);
        threadsPerGroup = Math.Min(threadsPerGroup, LossReductionKernels.MaxWarps * warp);
        int stride = keep == RegionKeep.Solutions ? shape.SolutionScratch : shape.LossScratch;
        // Enough groups to fill the device, but no more than a batch has slices (a slice is at least a group wide, and an
        // unaligned batch touches one more at each end).
        long groups = Math.Min(batch / threadsPerGroup + 2, Math.Max(1, (long)accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerMultiprocessor / threadsPerGroup));
        groups = Math.Max(1, Math.Min(groups, MaxScratchDoubles / ((long)stride * threadsPerGroup)));
        Groups = (int)groups;
        ThreadsPerGroup = threadsPerGroup;
        _config = new KernelConfig(Groups, threadsPerGroup, SharedMemoryConfig.RequestDynamic<double>(RegionSystemKernels.SharedDoubles(shape)));
        BatchSize = batch;

        _table = accelerator.Allocate1D(tables.Values);
        _points = accelerator.Allocate1D(tables.Points);
        _scratch = accelerator.Allocate1D<double>(groups * threadsPerGroup * stride);
        _losses = accelerator.Allocate1D<double>(keep == RegionKeep.Summary ? 1 : batch);
        _ranks = accelerator.Allocate1D<int>(keep == RegionKeep.Summary ? 1 : batch);
        _solutions = accelerator.Allocate1D<double>(keep == RegionKeep.Solutions ? batch * shape.Parameters : 1);
        _histogram = accelerator.Allocate1D<long>(bins);
        _partials = accelerator.Allocate1D<RegionStatistics>(groups);
        _merged = accelerator.Allocate1D<RegionStatistics>(1);
        _histogram.MemSetToZero();
        switch (keep)
        {
            case RegionKeep.Summary:
                _summaryKernel = accelerator.LoadStreamKernel<SpecializedValue<RegionShape>, RegionLaunch, ArrayView<double>, ArrayView<double>, ArrayView<double>, SummaryOutput, ArrayView<long>, ArrayView<RegionStatistics>>(RegionSystemKernels.Eq7);
                break;
            case RegionKeep.Losses:
                _lossKernel = accelerator.LoadStreamKernel<SpecializedValue<RegionShape>, RegionLaunch, ArrayView<double>, ArrayView<double>, ArrayView<double>, LossOutput, ArrayView<long>, ArrayView<RegionStatistics>>(RegionSystemKernels.Eq7);
                break;
            default:
                _solutionKernel = accelerator.LoadStreamKernel<SpecializedValue<RegionShape>, RegionLaunch, ArrayView<double>, ArrayView<double>, ArrayView<double>, SolutionOutput, ArrayView<long>, ArrayView<RegionStatistics>>(RegionSystemKernels.Eq7);
                break;
        }
        _mergeKernel = accelerator.LoadStreamKernel<ArrayView<RegionStatistics>, int, ArrayView<RegionStatistics>>(LossReductionKernels.Merge);
    }

    /// <summary>Whether a group's shared memory on <paramref name="accelerator"/> holds a block's Eq. 7 sum for <paramref name="shape"/>.</summary>
    public static bool Fits(Accelerator accelerator, in RegionShape shape) => SharedBytes(shape) <= accelerator.MaxSharedMemoryPerGroup;

    // The block's summed entry, the shared histogram and the warps' partials.
    private static long SharedBytes(in RegionShape shape) =>
        (long)RegionSystemKernels.SharedDoubles(shape) * sizeof(double) + LossReductionKernels.SharedBins * sizeof(long)
        + LossReductionKernels.MaxWarps * System.Runtime.CompilerServices.Unsafe.SizeOf<RegionStatistics>();

    /// <summary>Groups per launch; each walks the batch's slices with this stride.</summary>
    public int Groups { get; }

    /// <summary>Threads per group.</summary>
    public int ThreadsPerGroup { get; }

    /// <summary>Most regions per batch.</summary>
    public long BatchSize { get; }

    /// <summary>
    /// Solves regions [start, start + count), reduces them on the device and merges the groups' partials there,
    /// waiting for completion. The histogram accumulates across batches until <see cref="CollectHistogram"/>.
    /// </summary>
    public void Launch(long start, long count)
    {
        RegionShape shape = _tables.Shape;
        // Whole blocks for long calls; a call of few blocks is cut into slices of at least a group's width, one per group.
        int sliceBits = shape.ChunkBits;
        int least = System.Numerics.BitOperations.Log2((uint)ThreadsPerGroup);
        while (sliceBits > least && (count >> sliceBits) < Groups) sliceBits--;
        var launch = new RegionLaunch(start, count, _tables.SumSquaredTargets, _tables.LossScale, _bins, _tables.DeadRegionLoss, sliceBits);
        ArrayView<long> bins = _histogram.View;
        ArrayView<RegionStatistics> partials = _partials.View;
        if (_summaryKernel is not null)
            _summaryKernel(_config, new SpecializedValue<RegionShape>(shape), launch, _table.View, _points.View, _scratch.View, default, bins, partials);
        else if (_lossKernel is not null)
            _lossKernel(_config, new SpecializedValue<RegionShape>(shape), launch, _table.View, _points.View, _scratch.View, new LossOutput(_losses.View, _ranks.View), bins, partials);
        else
            _solutionKernel!(_config, new SpecializedValue<RegionShape>(shape), launch, _table.View, _points.View, _scratch.View, new SolutionOutput(_losses.View, _ranks.View, _solutions.View), bins, partials);
        _mergeKernel(new KernelConfig(1, ThreadsPerGroup), partials, Groups, _merged.View);
        _accelerator.Synchronize();
        _count = count;
    }

    /// <summary>Copies the last batch's merged statistics into <paramref name="summary"/>, and its per-region results into <paramref name="outputs"/> where kept.</summary>
    public void Collect(LossSummary summary, RegionOutputs outputs)
    {
        _merged.CopyToCPU(_hostMerged);
        summary.Accumulate(_hostMerged[0]);
        int n = (int)_count;
        if (_keep == RegionKeep.Summary) return;
        if (!outputs.Losses.IsEmpty) _losses.View.AsContiguous().SubView(0, n).CopyToCPU(outputs.Losses.Span[..n]);
        if (!outputs.Ranks.IsEmpty) _ranks.View.AsContiguous().SubView(0, n).CopyToCPU(outputs.Ranks.Span[..n]);
        if (_keep == RegionKeep.Solutions && !outputs.Solutions.IsEmpty)
        {
            int values = n * _tables.Shape.Parameters;
            _solutions.View.AsContiguous().SubView(0, values).CopyToCPU(outputs.Solutions.Span[..values]);
        }
    }

    /// <summary>Copies the histogram accumulated over every batch since construction into <paramref name="summary"/>.</summary>
    public void CollectHistogram(LossSummary summary) => _histogram.CopyToCPU(summary.Bins);

    /// <summary>Releases the device buffers.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (MemoryBuffer buffer in new MemoryBuffer[] { _table, _points, _scratch, _losses, _ranks, _solutions, _histogram, _partials, _merged })
            buffer.Dispose();
    }
}

/// <summary>What a kernel run keeps per region besides the reduction.</summary>
internal enum RegionKeep
{
    /// <summary>Nothing: the summary only.</summary>
    Summary,

    /// <summary>Each region's loss and rank.</summary>
    Losses,

    /// <summary>Losses, ranks and minimum-norm solutions.</summary>
    Solutions,
}
