using System.Diagnostics;
using Engine.Core.Data;
using Engine.Core.Geometry;
using Engine.Core.Regions;

namespace Engine;

/// <summary>
/// Enumerates activation regions and their subglobal minima (paper §4.1) on a <see cref="ComputeDevice"/>:
/// builds the Eq. 7 chunk tables, streams the index range through the kernels or the host twin in batches,
/// and reduces each batch on the device.
/// </summary>
internal sealed class RegionEngine
{
    private readonly ComputeDevice _device;
    private RegionTables? _tables;

    /// <summary>Runs on <paramref name="device"/>, which the caller owns.</summary>
    public RegionEngine(ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
    }

    /// <summary>
    /// Describes the path <paramref name="path"/> resolves to, for reports: "host (16 lanes)", "host (scalar)" or "kernel".
    /// </summary>
    public string Describe(RegionPath path) => Resolve(path) switch
    {
        RegionPath.Kernel => "kernel",
        RegionPath.Scalar => "host (scalar)",
        _ => HostRegionSolver.LaneWidth > 0 ? $"host ({HostRegionSolver.LaneWidth} lanes)" : "host (scalar)",
    };

    /// <summary>The path <paramref name="path"/> resolves to on this device.</summary>
    public RegionPath Resolve(RegionPath path) => path != RegionPath.Auto ? path
        : _device.Backend == Backend.Cpu ? RegionPath.Host : RegionPath.Kernel;

    /// <summary>
    /// Solves every region of <paramref name="request"/>. Cancellation stops at a batch boundary and returns what
    /// finished, a prefix of the range; <paramref name="progress"/> receives (done, total) after each batch.
    /// </summary>
    /// <remarks>
    /// Pass <paramref name="cells"/> when the arrangement is already known (then its decisions are the caller's to
    /// count). The Eq. 7 tables of the last dataset and network are kept, so a run of many ranges builds them once.
    /// </remarks>
    public RegionEnumeration Enumerate(RegionRequest request, Action<long, long>? progress = null, CancellationToken cancellation = default, ArrangementCells? cells = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        RegionTables tables = Tables(request);
        long count = Validate(request, tables.Shape);
        RegionPath path = Resolve(request.Path);
        // A shape too large for a GPU group's shared memory runs on the host unless the kernels were asked for.
        if (path == RegionPath.Kernel && request.Path == RegionPath.Auto && !KernelRegionSolver.Fits(_device.Accelerator, tables.Shape)) path = RegionPath.Host;
        var summary = new LossSummary(request.Bins, tables.DeadRegionLoss);
        var result = new RegionEnumeration(request, tables, count, summary, path, _device.Description);
        bool keep = request.KeepRegions || request.KeepSolutions;
        if (keep)
        {
            result.Losses = new double[count];
            result.Ranks = new int[count];
            if (request.KeepSolutions) result.Solutions = new double[count * tables.Shape.Parameters];
        }
        if (path is RegionPath.Host or RegionPath.Scalar)
            RunHost(request, tables, count, result, progress, cancellation);
        else
            RunKernels(request, tables, count, result, progress, cancellation);
        if (request.Realizability && result.Completed)
        {
            result.Feasible = new bool[count];
            result.Realizable = new bool[count];
            result.Undecided = new bool[count];
            result.RealizableSummary = new LossSummary(request.Bins, tables.DeadRegionLoss);
            bool known = cells is not null;
            cells ??= Cells(request.Data, request.Bias, cancellation);
            IReadOnlyList<(long Index, NetworkWitness Witness)> witnesses = RegionClassifier.Classify(cells, request.Hidden, request.Start,
                result.Losses!, result.Ranks!, result.Feasible, result.Realizable, result.Undecided, result.RealizableSummary, result.Decisions, cancellation);
            if (!known) result.Decisions.Merge(cells.Decisions);
            if (request.Witnesses) result.Witnesses = witnesses;
        }
        result.Seconds = clock.Elapsed.TotalSeconds;
        return result;
    }

    // The last tables built, reused while the dataset (by content) and the network stay the same: a stream of small
    // requests on one dataset builds them once.
    private RegionTables Tables(RegionRequest request)
    {
        RegionTables? last = _tables;
        if (last is not null && last.Data.Fingerprint == request.Data.Fingerprint && last.Shape.Hidden == request.Hidden && last.Shape.Bias == (request.Bias ? 1 : 0)) return last;
        last = new RegionTables(request.Data, request.Hidden, request.Bias);
        _tables = last;
        return last;
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
        ValidateNonempty(request);
        cells ??= Cells(request.Data, request.Bias, cancellation);
        try
        {
            return NonemptyRegions.Enumerate(cells, request.Hidden, new NonemptyOptions
            {
                Unordered = request.Unordered, Keep = request.KeepRegions || request.KeepSolutions,
                Realizability = request.Realizability, Bins = request.Bins, Witnesses = request.Witnesses, Lanes = request.Path != RegionPath.Scalar,
            }, cancellation);
        }
        catch (OverflowException)
        {
            throw new EngineInputException($"{cells.Count:N0} cells per node give more than 2^63 combinations for h = {request.Hidden}");
        }
    }

    /// <summary>Throws <see cref="EngineInputException"/> for a nonempty enumeration that cannot run, before any work starts.</summary>
    public static void ValidateNonempty(RegionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Hidden <= 0)
            throw new EngineInputException($"hidden nodes must be positive, got {request.Hidden}");
        LossSummary.ValidateBins(request.Bins);
        if (request.Hidden > RegionShape.MaxPatternBits)
            throw new EngineInputException($"h = {request.Hidden} hidden nodes exceeds the {RegionShape.MaxPatternBits} a region's activation row can hold");
        ValidateRealizability(request);
    }

    // Realizability tries every set of zeroed nodes and every sign of the others: up to 3^h margin programs per region.
    private static void ValidateRealizability(RegionRequest request)
    {
        if (request.Realizability && request.Hidden > Realizability.MaxHidden)
            throw new EngineInputException($"realizability searches 3^h sign choices per region; h = {request.Hidden} exceeds the limit of {Realizability.MaxHidden}");
    }

    // The number of regions of an exhaustive request's range, checked against the 2^(N·h) patterns.
    internal static long RangeCount(RegionRequest request, RegionShape shape)
    {
        if (request.Start < 0 || request.Start >= shape.Regions)
            throw new EngineInputException($"start index {request.Start} is outside [0, 2^{shape.PatternBits})");
        long available = shape.Regions - request.Start;
        long count = request.Count ?? available;
        if (count <= 0 || count > available)
            throw new EngineInputException($"count {count} must be in [1, {available}] for start {request.Start} and 2^{shape.PatternBits} regions");
        return count;
    }

    private static long Validate(RegionRequest request, RegionShape shape)
    {
        ValidateRealizability(request);
        long count = RangeCount(request, shape);
        if (request.Realizability && !(request.KeepRegions || request.KeepSolutions))
            throw new EngineInputException("realizability of an exhaustive run is decided per kept region: set KeepRegions, or Nonempty");
        if ((request.KeepRegions || request.KeepSolutions) && count > RegionRequest.MaxKeptRegions)
            throw new EngineInputException($"keeping every region's result needs {count:N0} entries; at most {RegionRequest.MaxKeptRegions:N0} can be kept (set Count to take part of the range)");
        if (request.KeepSolutions && count * shape.Parameters > int.MaxValue)
            throw new EngineInputException($"keeping {count:N0} solutions of {shape.Parameters} parameters exceeds one array; set Count to take part of the range");
        if (request.BatchSize < 1)
            throw new EngineInputException($"batch size must be positive, got {request.BatchSize}");
        return count;
    }

    private void RunKernels(RegionRequest request, RegionTables tables, long count, RegionEnumeration result,
        Action<long, long>? progress, CancellationToken cancellation)
    {
        RegionKeep keep = request.KeepSolutions ? RegionKeep.Solutions : request.KeepRegions ? RegionKeep.Losses : RegionKeep.Summary;
        using var solver = new KernelRegionSolver(_device.Accelerator, tables, Math.Min(request.BatchSize, count), request.Bins, keep);
        Loop(request, tables, count, result, progress, cancellation, (start, n, outputs) =>
        {
            solver.Launch(start, n);
            solver.Collect(result.Summary, outputs);
        });
        solver.CollectHistogram(result.Summary);
    }

    private static void RunHost(RegionRequest request, RegionTables tables, long count, RegionEnumeration result,
        Action<long, long>? progress, CancellationToken cancellation) =>
        Loop(request, tables, count, result, progress, cancellation,
            (start, n, outputs) => HostRegionSolver.Solve(tables, start, n, result.Summary, outputs, lanes: request.Path != RegionPath.Scalar));

    // The batch loop both paths share: cancellation and progress between batches, outputs sliced per batch.
    private static void Loop(RegionRequest request, RegionTables tables, long count, RegionEnumeration result,
        Action<long, long>? progress, CancellationToken cancellation, Action<long, long, RegionOutputs> batch)
    {
        int m = tables.Shape.Parameters;
        for (long done = 0; done < count && !cancellation.IsCancellationRequested; done += request.BatchSize)
        {
            long n = Math.Min(request.BatchSize, count - done);
            var outputs = new RegionOutputs(
                result.Losses is null ? default : result.Losses.AsMemory((int)done, (int)n),
                result.Ranks is null ? default : result.Ranks.AsMemory((int)done, (int)n),
                result.Solutions is null ? default : result.Solutions.AsMemory((int)(done * m), (int)(n * m)));
            batch(request.Start + done, n, outputs);
            progress?.Invoke(done + n, count);
        }
    }
}
