using Engine.Core.Closure;
using Engine.Core.Data;
using Engine.Core.Geometry;
using Engine.Core.Mnist;
using Engine.Core.Network;
using Engine.Mnist;

namespace Engine;

/// <summary>
/// The one way in for every front end: opens a compute device, owns its accelerator and the Eq. 7 tables and kernels
/// it has built, and runs the paper's analyses on it. Region runs, cells, loss slices and Table 1 all go through here;
/// each long call reports progress and honours cancellation. One session serves one call at a time; open one per
/// concurrent caller. Inputs a user must fix raise <see cref="EngineInputException"/> naming the request's property.
/// </summary>
/// <example>
/// <code>
/// using var session = EngineSession.Open();
/// RegionRun run = session.Enumerate(new RegionRequest { Data = session.Dataset("paper-fig3"), Hidden = 2, KeepRegions = true, Realizability = true });
/// Console.WriteLine($"{run.RealizableMinima.Count} of {run.Regions} regions have a realizable minimum");
/// </code>
/// </example>
public sealed class EngineSession : IDisposable
{
    private readonly ComputeDevice _device;
    private readonly RegionRunner _runner;

    private EngineSession(ComputeDevice device)
    {
        _device = device;
        _runner = new RegionRunner(device);
    }

    /// <summary>
    /// Opens a session on <paramref name="backend"/>: CUDA, else OpenCL, else ILGPU's CPU accelerator for
    /// <see cref="Backend.Auto"/>. A named GPU backend that is absent raises <see cref="EngineInputException"/>.
    /// </summary>
    public static EngineSession Open(Backend backend = Backend.Auto) => new(ComputeDevice.Open(backend));

    /// <summary>The device the session computes on (Table 1 and the kernels run there).</summary>
    public ComputeDevice Device => _device;

    /// <summary>
    /// A dataset: a built-in name (<see cref="DatasetCatalog.Names"/>, or a generator such as <c>random:N,n,seed</c>)
    /// or the path of a CSV file whose last column is the target.
    /// </summary>
    public Dataset Dataset(string name) => DatasetCatalog.Load(name);

    /// <summary>A dataset from points x_i (rows of equal length) and targets y_i, checked like a file is.</summary>
    public Dataset Dataset(string name, IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<double> targets)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(targets);
        if (points.Count == 0) throw new EngineInputException("points: a dataset needs at least one point");
        if (points.Count != targets.Count) throw new EngineInputException($"points and targets differ in length: {points.Count} points, {targets.Count} targets");
        int inputs = points[0].Count;
        if (inputs == 0 || points.Any(p => p.Count != inputs)) throw new EngineInputException("points: every point needs the same, positive number of coordinates");
        return new Dataset(name, inputs, [.. points.SelectMany(p => p)], [.. targets]);
    }

    /// <summary>
    /// Checks <paramref name="request"/> at once, without the long parts of planning (cells, units): throws
    /// <see cref="EngineInputException"/> for anything a user must fix. For front ends that answer before running.
    /// </summary>
    public void Check(RegionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegionRunner.Validate(request);
    }

    /// <summary>
    /// Runs <paramref name="request"/> in memory and returns its result. Cancellation stops between units of work and
    /// returns the finished prefix of the rows (<see cref="RegionRun.Completed"/> is false then).
    /// </summary>
    public RegionRun Enumerate(RegionRequest request, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        RegionPlan plan = Plan(request, null, progress, cancellation);
        return _runner.Run(plan, progress, cancellation).Run!;
    }

    /// <summary>
    /// Checks <paramref name="request"/> and prepares it to run, in memory or in the run directory of
    /// <paramref name="options"/> (resumable, and split into parts for job arrays). Finds the arrangement cells when the
    /// run needs them. Everything a user must fix is reported here, before any long work.
    /// </summary>
    public RegionPlan Plan(RegionRequest request, RunOptions? options = null, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default) =>
        RegionRunner.Plan(request, options ?? new RunOptions(), progress, cancellation);

    /// <summary>Rows per second this session computes <paramref name="plan"/> at, measured on a sample of its rows (for estimates).</summary>
    public double MeasureRate(RegionPlan plan) => _runner.MeasureRate(plan);

    /// <summary>
    /// Seconds a run that keeps its rows spends after them: the minima analysis, and with <paramref name="csv"/> the CSV
    /// (timed on samples here; 0 when the request keeps no rows).
    /// </summary>
    public static double MeasureOutputSeconds(RegionPlan plan, bool csv) => RegionRunner.MeasureOutputSeconds(plan, csv);

    /// <summary>Describes where a request's <paramref name="path"/> runs on this session's device, for reports.</summary>
    public string DescribePath(RegionPath path) => _runner.Engine.Describe(path);

    /// <summary>
    /// Computes the units of <paramref name="plan"/> assigned to this call that are not finished, and merges the run
    /// when it is whole. Cancellation stops between units; in a run directory, finished units are kept for resuming.
    /// </summary>
    public RunOutcome Run(RegionPlan plan, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default) =>
        _runner.Run(plan, progress, cancellation);

    /// <summary>Merges the finished run in <paramref name="directory"/>, whatever parts and interruptions made it.</summary>
    public RegionRun Merge(string directory, IProgress<RunProgress>? progress = null) => RegionRunner.Merge(directory, progress);

    /// <summary>The request a run directory was started with.</summary>
    public RegionRequest ReadRequest(string directory) => RegionRunner.ReadRequest(directory);

    /// <summary>
    /// The cells of one node's hyperplane arrangement (Figure 1): its feasible activation columns, each with an interior
    /// point. Kept and resumable in <paramref name="directory"/> when one is given.
    /// </summary>
    public ArrangementCells Cells(Dataset data, bool bias, string? directory = null, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default) =>
        RegionRunner.Cells(data, bias, directory, progress, cancellation);

    /// <summary>
    /// Prepares a global search: checks <paramref name="request"/>, finds the cells (progress "cells"; kept in the run
    /// directory of <paramref name="options"/> when there is one), counts the unordered nonempty regions and times the
    /// bounds phase on a sample, so that a front end can state the cost before the work.
    /// </summary>
    public GlobalPlan PlanGlobal(GlobalRequest request, RunOptions? options = null, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        options ??= new RunOptions();
        ArrangementCells cells = options.Directory is { } directory
            ? GlobalRunner.Cells(request, directory, progress, cancellation)
            : RegionRunner.Cells(request.Data, request.Bias, null, progress, cancellation);
        long rows;
        try
        {
            rows = GlobalSearch.Rows(cells, request.Hidden);
        }
        catch (OverflowException)
        {
            throw new EngineInputException($"Hidden: {cells.Count:N0} cells per node give more than 2^63 regions for h = {request.Hidden}");
        }
        return new GlobalPlan(request, options, cells, rows, rows * GlobalSearch.BoundSeconds(cells, request.Hidden, rows));
    }

    /// <summary>
    /// Runs <paramref name="plan"/>: the certified global minimum inf L_f of the real network (Eq. 1, 3), the least minimum of
    /// L_f over the closures of the nonempty regions, by branch and bound over unordered regions ordered by their
    /// subglobal minima, each closure program proven by its KKT certificate (or exactly). In a run directory, only the
    /// plan's part is computed and the answer comes once every part is in. Host work; progress per phase (bounds,
    /// closures, realizable); cancellation between units and batches.
    /// </summary>
    public GlobalOutcome RunGlobal(GlobalPlan plan, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Options.Directory is not null) return GlobalRunner.Run(plan, plan.Options, progress, cancellation);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var phase = System.Diagnostics.Stopwatch.StartNew();
        string current = "";
        IProgress<SearchProgress>? phases = progress is null ? null : new ProgressCallback<SearchProgress>(p =>
        {
            if (p.Phase != current)
            {
                current = p.Phase;
                phase.Restart();
            }
            progress.Report(new RunProgress(p.Phase, p.Done, p.Total, phase.Elapsed));
        });
        GlobalSearchResult result = GlobalSearch.Run(plan.Cells, plan.Request.Hidden, 0, phases, cancellation);
        return new GlobalOutcome(new GlobalMinimum(plan.Request, plan.Cells, result, clock.Elapsed.TotalSeconds), 1, []);
    }

    /// <summary>Plans and runs a global search in memory (<see cref="PlanGlobal"/>, then <see cref="RunGlobal"/>).</summary>
    public GlobalMinimum Global(GlobalRequest request, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        GlobalMinimum found = RunGlobal(PlanGlobal(request, null, progress, cancellation), progress, cancellation).Minimum!;
        found.Seconds = clock.Elapsed.TotalSeconds;
        return found;
    }

    /// <summary>The answer of the finished global run in <paramref name="directory"/>, however its parts were computed.</summary>
    public GlobalMinimum MergeGlobal(string directory, IProgress<RunProgress>? progress = null) => GlobalRunner.Merge(directory, progress);

    /// <summary>Whether <paramref name="directory"/> holds a global run (rather than a region or Table 1 run).</summary>
    public static bool IsGlobalRun(string directory) => GlobalRunner.IsGlobalRun(directory);

    /// <summary>
    /// Runs <paramref name="request"/>: the paper's §3.2 claim across datasets. Each unit (N, seed, h) enumerates the
    /// nonempty regions (or all patterns) with realizability and certifies inf L_f; in the run directory of
    /// <paramref name="options"/> only that part's units are computed, finished units are kept and reused, and the whole
    /// sweep comes back once every unit is in. Progress per unit; cancellation between and within units.
    /// </summary>
    public SweepOutcome Sweep(SweepRequest request, RunOptions? options = null, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SweepRunner.Run(request, options ?? new RunOptions(), _runner.Engine, progress, cancellation);
    }

    /// <summary>The finished sweep in <paramref name="directory"/>, however its parts were computed.</summary>
    public SweepOutcome MergeSweep(string directory) => SweepRunner.Merge(directory);

    /// <summary>Whether <paramref name="directory"/> holds a sweep.</summary>
    public static bool IsSweepRun(string directory) => SweepRunner.IsSweepRun(directory);

    /// <summary>
    /// Checks every kernel of this session's device against its host twin (Eq. 7 with its reduction and merge, the
    /// training kernels), on shapes chosen to reach every code path; <paramref name="quick"/> takes fewer regions.
    /// </summary>
    public SelfTestReport SelfTest(bool quick = false, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default) =>
        Engine.SelfTest.Run(_device, quick, progress, cancellation);

    /// <summary>The real loss L_f on a grid over two parameters with the activation boundaries crossing it (Figure 2).</summary>
    public LossSlice Slice(SliceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Compute();
    }

    /// <summary>Estimates a Table 1 run's wall time on this session's device by timing a few training steps.</summary>
    public Table1Estimate EstimateTable1(MnistData data, Table1Options options) => Table1Experiment.Estimate(_device, data, options);

    /// <summary>
    /// Trains Table 1's networks (random masks of Eq. 8 and real ReLU) on this session's device, in memory or in the run
    /// directory of <paramref name="options"/>; progress after every epoch, cancellation at epoch boundaries.
    /// </summary>
    public Table1Outcome Table1(MnistData data, Table1Options table, RunOptions? options = null, IProgress<Table1Progress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        Table1Experiment.Validate(table);
        return Table1Runner.Run(_device, data, table, MnistTraining.PathNameFor(_device), options ?? new RunOptions(), progress, cancellation);
    }

    /// <summary>
    /// Times <paramref name="count"/> regions of <paramref name="workload"/> (the workload repeated when it has fewer):
    /// the Eq. 7 build, the solve and the device reduction, histogram only. Warms up first (kernels, and the JIT until it has
    /// gone quiet), then runs <paramref name="repeats"/> times; returns each timed run's seconds.
    /// </summary>
    public IReadOnlyList<double> TimeRegions(RegionWorkload workload, long count, int repeats, RegionPath path = RegionPath.Auto, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(workload);
        if (count < 1) throw new EngineInputException($"count must be positive, got {count}");
        if (repeats < 1) throw new EngineInputException($"repeats must be at least 1, got {repeats}");
        RegionEngine engine = _runner.Engine;
        long regions = workload.Regions;
        WarmUp(() => engine.Enumerate(workload.Request(Math.Min(regions, 1L << 12), path), cancellation: cancellation));
        var seconds = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (long done = 0; done < count; done += regions)
            {
                cancellation.ThrowIfCancellationRequested();
                engine.Enumerate(workload.Request(Math.Min(regions, count - done), path), cancellation: cancellation);
            }
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        return seconds;
    }

    // Repeats call until no method has been compiled for QuietSeconds (at most WarmUpSeconds). Tiered compilation
    // promotes hot methods to optimised code only after 100 ms without new first-tier code, longer than a whole timed
    // run of fig3's 4,096-region calls: timing after one call measured first-tier code, half the steady rate.
    private static void WarmUp(Action call)
    {
        const double QuietSeconds = 0.25, WarmUpSeconds = 5.0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        do
        {
            call();
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != compiled) quiet.Restart();
            compiled = now;
        }
        while (quiet.Elapsed.TotalSeconds < QuietSeconds && clock.Elapsed.TotalSeconds < WarmUpSeconds);
    }

    /// <summary>Releases the device.</summary>
    public void Dispose() => _device.Dispose();
}
