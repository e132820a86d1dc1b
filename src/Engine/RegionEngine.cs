using System.Diagnostics;
using Engine.Core;
using Engine.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Engine;

/// <summary>
/// Enumerates activation regions and their subglobal minima (paper §4.1) on a <see cref="ComputeDevice"/>:
/// builds the Eq. 7 chunk tables, streams the index range through the kernels or the host twin in batches,
/// and reduces each batch on the device.
/// </summary>
public sealed class RegionEngine
{
    // Device scratch is capped so that large m cannot ask for more than 1 GiB of per-thread workspace.
    private const long MaxScratchDoubles = 1L << 27;

    private readonly ComputeDevice _device;
    private Action<Index1D, RegionLaunch, ArrayView<double>, ArrayView<double>, LossOutput>? _lossKernel;
    private Action<Index1D, RegionLaunch, ArrayView<double>, ArrayView<double>, SolutionOutput>? _solutionKernel;
    private Action<Index1D, HistogramLaunch, ArrayView<double>, ArrayView<int>, ArrayView<long>, ArrayView<double>, ArrayView<long>>? _reduceKernel;

    /// <summary>Runs on <paramref name="device"/>, which the caller owns.</summary>
    public RegionEngine(ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
    }

    /// <summary>The path <paramref name="path"/> resolves to on this device.</summary>
    public RegionPath Resolve(RegionPath path) => path != RegionPath.Auto ? path
        : _device.Backend == Backend.Cpu ? RegionPath.Host : RegionPath.Kernel;

    /// <summary>
    /// Measures regions per second for <paramref name="request"/> on a sample of its range (after a warm-up that
    /// compiles the kernels), so callers can say how long a run will take before starting it.
    /// </summary>
    public double MeasureRate(RegionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        long total = Validate(request, new RegionShape(request.Data.Count, request.Data.Inputs, request.Hidden, request.Bias));
        var probe = new RegionRequest
        {
            Data = request.Data, Hidden = request.Hidden, Bias = request.Bias, Start = request.Start,
            Count = Math.Min(total, 1L << 10), Path = request.Path, Bins = request.Bins,
        };
        Enumerate(probe);
        long sample = Math.Min(total, Resolve(request.Path) == RegionPath.Kernel && _device.Backend != Backend.Cpu ? 1L << 20 : 1L << 16);
        RegionEnumeration timed = Enumerate(new RegionRequest
        {
            Data = request.Data, Hidden = request.Hidden, Bias = request.Bias, Start = request.Start,
            Count = sample, Path = request.Path, Bins = request.Bins,
        });
        return timed.Done / Math.Max(timed.Seconds, 1e-6);
    }

    /// <summary>
    /// Solves every region of <paramref name="request"/>. Cancellation stops at a batch boundary and returns what
    /// finished, a prefix of the range; <paramref name="progress"/> receives (done, total) after each batch.
    /// </summary>
    public RegionEnumeration Enumerate(RegionRequest request, Action<long, long>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var tables = new RegionTables(request.Data, request.Hidden, request.Bias);
        long count = Validate(request, tables.Shape);
        RegionPath path = Resolve(request.Path);
        var summary = new LossSummary(request.Bins, tables.DeadRegionLoss);
        var result = new RegionEnumeration(request, tables, count, summary, path, _device.Description);
        bool keep = request.KeepRegions || request.KeepSolutions;
        if (keep)
        {
            result.Losses = new double[count];
            result.Ranks = new int[count];
            if (request.KeepSolutions) result.Solutions = new double[count * tables.Shape.Parameters];
        }
        if (path == RegionPath.Host)
            RunHost(request, tables, count, result, progress, cancellation);
        else
            RunKernels(request, tables, count, result, progress, cancellation);
        if (request.Realizability && result.Completed)
        {
            result.Feasible = new bool[count];
            result.Realizable = new bool[count];
            result.RealizableSummary = new LossSummary(request.Bins, tables.DeadRegionLoss);
            RegionClassifier.Classify(Cells(request.Data, request.Bias, cancellation), request.Hidden, request.Start,
                result.Losses!, result.Ranks!, result.Feasible, result.Realizable, result.RealizableSummary, cancellation);
        }
        result.Seconds = clock.Elapsed.TotalSeconds;
        return result;
    }

    /// <summary>The cells of one node's hyperplane arrangement: its feasible activation columns (Figure 1). Host work.</summary>
    public static ArrangementCells Cells(Dataset data, bool bias, CancellationToken cancellation = default) =>
        ArrangementCells.Enumerate(data, bias, cancellation);

    /// <summary>
    /// Enumerates only the nonempty regions of <paramref name="request"/> (its dataset, network, bins,
    /// <see cref="RegionRequest.KeepRegions"/>, <see cref="RegionRequest.Realizability"/> and
    /// <see cref="RegionRequest.Unordered"/>), as combinations of arrangement cells, on the host over all cores.
    /// N·h may exceed 62 bits here.
    /// </summary>
    /// <remarks>Pass <paramref name="cells"/> when they are already known (from <see cref="Cells"/> on the same data and bias).</remarks>
    public static NonemptyRegions EnumerateNonempty(RegionRequest request, CancellationToken cancellation = default, ArrangementCells? cells = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Hidden <= 0)
            throw new EngineInputException($"hidden nodes must be positive, got {request.Hidden}");
        if (request.Bins < 1)
            throw new EngineInputException($"histogram needs at least one bin, got {request.Bins}");
        cells ??= Cells(request.Data, request.Bias, cancellation);
        try
        {
            return NonemptyRegions.Enumerate(cells, request.Hidden, new NonemptyOptions
            {
                Unordered = request.Unordered, Keep = request.KeepRegions || request.KeepSolutions,
                Realizability = request.Realizability, Bins = request.Bins,
            }, cancellation);
        }
        catch (OverflowException)
        {
            throw new EngineInputException($"{cells.Count:N0} cells per node give more than 2^63 combinations for h = {request.Hidden}");
        }
    }

    private static long Validate(RegionRequest request, RegionShape shape)
    {
        if (request.Start < 0 || request.Start >= shape.Regions)
            throw new EngineInputException($"start index {request.Start} is outside [0, 2^{shape.PatternBits})");
        long available = shape.Regions - request.Start;
        long count = request.Count ?? available;
        if (count <= 0 || count > available)
            throw new EngineInputException($"count {count} must be in [1, {available}] for start {request.Start} and 2^{shape.PatternBits} regions");
        if (request.Realizability && !(request.KeepRegions || request.KeepSolutions))
            throw new EngineInputException("realizability of an exhaustive run is decided per kept region: keep the regions (--csv) or enumerate --nonempty");
        if ((request.KeepRegions || request.KeepSolutions) && count > RegionRequest.MaxKeptRegions)
            throw new EngineInputException($"keeping every region's result needs {count:N0} entries; at most {RegionRequest.MaxKeptRegions:N0} can be kept (use --count to take part of the range)");
        if (request.KeepSolutions && count * shape.Parameters > int.MaxValue)
            throw new EngineInputException($"keeping {count:N0} solutions of {shape.Parameters} parameters exceeds one array; use --count");
        if (request.BatchSize < 1)
            throw new EngineInputException($"batch size must be positive, got {request.BatchSize}");
        return count;
    }

    private static void RunHost(RegionRequest request, RegionTables tables, long count, RegionEnumeration result,
        Action<long, long>? progress, CancellationToken cancellation)
    {
        for (long done = 0; done < count && !cancellation.IsCancellationRequested; done += request.BatchSize)
        {
            long n = Math.Min(request.BatchSize, count - done);
            var outputs = new RegionOutputs(
                result.Losses.AsMemory().Slice((int)Math.Min(done, result.Losses?.Length ?? 0)),
                result.Ranks.AsMemory().Slice((int)Math.Min(done, result.Ranks?.Length ?? 0)),
                result.Solutions.AsMemory().Slice((int)Math.Min(done * tables.Shape.Parameters, result.Solutions?.Length ?? 0)));
            HostRegionSolver.Solve(tables, request.Start + done, n, result.Summary, outputs);
            progress?.Invoke(done + n, count);
        }
    }

    private void RunKernels(RegionRequest request, RegionTables tables, long count, RegionEnumeration result,
        Action<long, long>? progress, CancellationToken cancellation)
    {
        Accelerator accelerator = _device.Accelerator;
        RegionShape shape = tables.Shape;
        int m = shape.Parameters;
        long batch = Math.Min(request.BatchSize, count);
        int stride = request.KeepSolutions ? shape.SolutionScratch : shape.LossScratch;
        long threads = Math.Min(batch, (long)accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerMultiprocessor);
        threads = Math.Max(1, Math.Min(threads, MaxScratchDoubles / stride));

        using MemoryBuffer1D<double, Stride1D.Dense> table = accelerator.Allocate1D(tables.Values);
        using MemoryBuffer1D<double, Stride1D.Dense> scratch = accelerator.Allocate1D<double>(threads * stride);
        using MemoryBuffer1D<double, Stride1D.Dense> losses = accelerator.Allocate1D<double>(batch);
        using MemoryBuffer1D<int, Stride1D.Dense> ranks = accelerator.Allocate1D<int>(batch);
        using MemoryBuffer1D<double, Stride1D.Dense> solutions = accelerator.Allocate1D<double>(request.KeepSolutions ? batch * m : 1);
        using MemoryBuffer1D<long, Stride1D.Dense> bins = accelerator.Allocate1D<long>(request.Bins);
        using MemoryBuffer1D<double, Stride1D.Dense> reals = accelerator.Allocate1D<double>(threads * LossHistogramKernels.RealPartials);
        using MemoryBuffer1D<long, Stride1D.Dense> indices = accelerator.Allocate1D<long>(threads * LossHistogramKernels.IndexPartials);
        double[] hostReals = new double[reals.Length];
        long[] hostIndices = new long[indices.Length];
        bins.MemSetToZero();

        for (long done = 0; done < count && !cancellation.IsCancellationRequested; done += batch)
        {
            long n = Math.Min(batch, count - done);
            var launch = new RegionLaunch(shape, request.Start + done, n, threads, tables.SumSquaredTargets);
            if (request.KeepSolutions)
            {
                _solutionKernel ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, RegionLaunch, ArrayView<double>, ArrayView<double>, SolutionOutput>(RegionSystemKernels.Eq7);
                _solutionKernel((int)threads, launch, table.View, scratch.View, new SolutionOutput(losses.View, ranks.View, solutions.View));
            }
            else
            {
                _lossKernel ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, RegionLaunch, ArrayView<double>, ArrayView<double>, LossOutput>(RegionSystemKernels.Eq7);
                _lossKernel((int)threads, launch, table.View, scratch.View, new LossOutput(losses.View, ranks.View));
            }
            _reduceKernel ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, HistogramLaunch, ArrayView<double>, ArrayView<int>, ArrayView<long>, ArrayView<double>, ArrayView<long>>(LossHistogramKernels.Reduce);
            _reduceKernel((int)threads, new HistogramLaunch(request.Start + done, n, threads, request.Bins, tables.DeadRegionLoss, m),
                losses.View, ranks.View, bins.View, reals.View, indices.View);
            accelerator.Synchronize();

            reals.CopyToCPU(hostReals);
            indices.CopyToCPU(hostIndices);
            for (long t = 0; t < threads; t++)
            {
                long r = t * LossHistogramKernels.RealPartials;
                long i = t * LossHistogramKernels.IndexPartials;
                result.Summary.Accumulate(hostIndices[i + 3], hostReals[r], hostIndices[i], hostReals[r + 1], hostIndices[i + 1], hostReals[r + 2], hostIndices[i + 2]);
            }
            if (result.Losses is not null)
            {
                losses.View.AsContiguous().SubView(0, n).CopyToCPU(result.Losses.AsSpan((int)done, (int)n));
                ranks.View.AsContiguous().SubView(0, n).CopyToCPU(result.Ranks.AsSpan((int)done, (int)n));
            }
            if (result.Solutions is not null)
                solutions.View.AsContiguous().SubView(0, n * m).CopyToCPU(result.Solutions.AsSpan((int)(done * m), (int)(n * m)));
            progress?.Invoke(done + n, count);
        }
        bins.CopyToCPU(result.Summary.Bins);
    }
}
