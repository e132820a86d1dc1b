using Engine.Core.Regions;
using Engine.Kernels;
using ILGPU.Runtime;
using ILGPU;

namespace Engine;

/// <summary>
/// The device side of an enumeration: uploads the chunk tables once, owns the batch buffers, and launches the
/// Eq. 7 kernel and the loss reduction. <see cref="Launch"/> is the kernel work alone; <see cref="Collect"/> copies
/// the batch's results back, so benchmarks can time the two separately.
/// </summary>
internal sealed class KernelRegionSolver : IDisposable
{
    // Device scratch is capped so that large m cannot ask for more than 1 GiB of per-thread workspace.
    private const long MaxScratchDoubles = 1L << 27;

    private readonly Accelerator _accelerator;
    private readonly RegionTables _tables;
    private readonly bool _solutions;
    private readonly int _bins;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _table;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _points;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _exact;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _scratch;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _losses;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _ranks;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _solutionBuffer;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> _histogram;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _reals;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> _indices;
    private readonly double[] _hostReals;
    private readonly long[] _hostIndices;
    private readonly Action<Index1D, RegionLaunch, ArrayView<double>, ArrayView<double>, ArrayView<double>, LossOutput>? _lossKernel;
    private readonly Action<Index1D, RegionLaunch, ArrayView<double>, ArrayView<double>, ArrayView<double>, SolutionOutput>? _solutionKernel;
    private readonly Action<Index1D, HistogramLaunch, ArrayView<double>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<double>, ArrayView<long>> _reduceKernel;
    private long _start;
    private long _count;
    private bool _disposed;

    /// <summary>Prepares batches of up to <paramref name="batch"/> regions of <paramref name="tables"/>.</summary>
    public KernelRegionSolver(Accelerator accelerator, RegionTables tables, long batch, int bins, bool solutions)
    {
        _accelerator = accelerator;
        _tables = tables;
        _solutions = solutions;
        _bins = bins;
        RegionShape shape = tables.Shape;
        int stride = solutions ? shape.SolutionScratch : shape.LossScratch;
        long threads = Math.Min(batch, (long)accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerMultiprocessor);
        Threads = Math.Max(1, Math.Min(threads, MaxScratchDoubles / stride));
        BatchSize = batch;

        _table = accelerator.Allocate1D(tables.Values);
        _points = accelerator.Allocate1D(tables.Points);
        _scratch = accelerator.Allocate1D<double>(Threads * stride);
        _losses = accelerator.Allocate1D<double>(batch);
        _ranks = accelerator.Allocate1D<int>(batch);
        _exact = accelerator.Allocate1D<int>(batch);
        _solutionBuffer = accelerator.Allocate1D<double>(solutions ? batch * shape.Parameters : 1);
        _histogram = accelerator.Allocate1D<long>(bins);
        _reals = accelerator.Allocate1D<double>(Threads * LossHistogramKernels.RealPartials);
        _indices = accelerator.Allocate1D<long>(Threads * LossHistogramKernels.IndexPartials);
        _histogram.MemSetToZero();
        _hostReals = new double[_reals.Length];
        _hostIndices = new long[_indices.Length];
        if (solutions)
            _solutionKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, RegionLaunch, ArrayView<double>, ArrayView<double>, ArrayView<double>, SolutionOutput>(RegionSystemKernels.Eq7);
        else
            _lossKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, RegionLaunch, ArrayView<double>, ArrayView<double>, ArrayView<double>, LossOutput>(RegionSystemKernels.Eq7);
        _reduceKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, HistogramLaunch, ArrayView<double>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<double>, ArrayView<long>>(LossHistogramKernels.Reduce);
    }

    /// <summary>Threads per launch; each walks its batch with this stride.</summary>
    public long Threads { get; }

    /// <summary>Most regions per batch.</summary>
    public long BatchSize { get; }

    /// <summary>
    /// Solves regions [start, start + count) and reduces their losses on the device, waiting for completion.
    /// The histogram accumulates across batches until <see cref="CollectHistogram"/>.
    /// </summary>
    public void Launch(long start, long count)
    {
        RegionShape shape = _tables.Shape;
        var launch = new RegionLaunch(shape, start, count, Threads, _tables.SumSquaredTargets, _tables.LossScale);
        if (_solutionKernel is not null)
            _solutionKernel((int)Threads, launch, _table.View, _points.View, _scratch.View, new SolutionOutput(_losses.View, _ranks.View, _exact.View, _solutionBuffer.View));
        else
            _lossKernel!((int)Threads, launch, _table.View, _points.View, _scratch.View, new LossOutput(_losses.View, _ranks.View, _exact.View));
        _reduceKernel((int)Threads, new HistogramLaunch(start, count, Threads, _bins, _tables.DeadRegionLoss, shape.Parameters),
            _losses.View, _ranks.View, _exact.View, _histogram.View, _reals.View, _indices.View);
        _accelerator.Synchronize();
        _start = start;
        _count = count;
    }

    /// <summary>Copies the last batch's statistics into <paramref name="summary"/>, and its per-region results into <paramref name="outputs"/> where not empty.</summary>
    public void Collect(LossSummary summary, RegionOutputs outputs)
    {
        _reals.CopyToCPU(_hostReals);
        _indices.CopyToCPU(_hostIndices);
        for (long t = 0; t < Threads; t++)
        {
            long r = t * LossHistogramKernels.RealPartials;
            long i = t * LossHistogramKernels.IndexPartials;
            summary.Accumulate(_hostIndices[i + 3], _hostReals[r], _hostIndices[i], _hostReals[r + 1], _hostIndices[i + 1], _hostIndices[i + 5], _hostIndices[i + 2], _hostIndices[i + 4]);
        }
        int n = (int)_count;
        if (!outputs.Losses.IsEmpty) _losses.View.AsContiguous().SubView(0, n).CopyToCPU(outputs.Losses.Span[..n]);
        if (!outputs.Ranks.IsEmpty) _ranks.View.AsContiguous().SubView(0, n).CopyToCPU(outputs.Ranks.Span[..n]);
        if (_solutions && !outputs.Solutions.IsEmpty)
        {
            int values = n * _tables.Shape.Parameters;
            _solutionBuffer.View.AsContiguous().SubView(0, values).CopyToCPU(outputs.Solutions.Span[..values]);
        }
    }

    /// <summary>Copies the histogram accumulated over every batch since construction into <paramref name="summary"/>.</summary>
    public void CollectHistogram(LossSummary summary) => _histogram.CopyToCPU(summary.Bins);

    /// <summary>Releases the device buffers.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (MemoryBuffer buffer in new MemoryBuffer[] { _table, _points, _scratch, _losses, _ranks, _exact, _solutionBuffer, _histogram, _reals, _indices })
            buffer.Dispose();
    }
}
