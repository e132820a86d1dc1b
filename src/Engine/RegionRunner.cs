using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using System.Text.Json;
using Engine.Core;
using Engine.Core.Closure;
using Engine.Core.Data;
using Engine.Core.Geometry;
using Engine.Core.Regions;
using Engine.Runs;

namespace Engine;

/// <summary>Where a run keeps its work and which part of it this call computes.</summary>
/// <param name="Directory">A run directory (<see cref="RunDirectory"/>), or null to keep everything in memory.</param>
/// <param name="Part">0-based part of <paramref name="Parts"/> deterministic parts to compute (units u with u mod Parts = Part).</param>
/// <param name="Parts">How many parts the run is split into; 1 computes everything.</param>
public sealed record RunOptions(string? Directory = null, int Part = 0, int Parts = 1);

/// <summary>Progress of one phase of a run.</summary>
/// <param name="Phase">What is being done: "cells", "regions" or "merge".</param>
/// <param name="Done">Work finished in the phase.</param>
/// <param name="Total">Work of the phase.</param>
/// <param name="Elapsed">Time since the phase started.</param>
public readonly record struct RunProgress(string Phase, long Done, long Total, TimeSpan Elapsed);

/// <summary>
/// A run prepared by <see cref="RegionRunner.Plan"/>: the request checked, its run directory opened (the request recorded
/// there or compared with the one recorded), the cells found when needed, and the rows split into units.
/// </summary>
public sealed class RegionPlan
{
    internal RegionPlan(RegionRequest request, RunOptions options, RunDirectory? directory, RegionRun layout, long unitRows)
    {
        Request = request;
        Options = options;
        Directory = directory;
        Layout = layout;
        UnitRows = unitRows;
    }

    // The engine's own memory when the estimate is first read: the runtime, the code the rate measurement loaded, and the cells.
    private long? _engineBytes;

    /// <summary>What is asked.</summary>
    public RegionRequest Request { get; }

    /// <summary>Where the work is kept and which part this call computes.</summary>
    public RunOptions Options { get; }

    /// <summary>The run directory, or null for a run in memory.</summary>
    public RunDirectory? Directory { get; }

    internal RegionRun Layout { get; }

    /// <summary>Sizes of the problem.</summary>
    public RegionShape Shape => Layout.Shape;

    /// <summary>Cells per node, when the run needs the arrangement.</summary>
    public int? CellsPerNode => Layout.Cells?.Count;

    /// <summary>Rows of the run.</summary>
    public long Rows => Layout.Rows;

    /// <summary>Activation regions the rows stand for.</summary>
    public long Regions => Layout.Regions;

    /// <summary>Rows per unit of work.</summary>
    public long UnitRows { get; }

    /// <summary>Units of work.</summary>
    public int Units => (int)((Rows + UnitRows - 1) / UnitRows);

    /// <summary>Rows of the units this call is assigned and that are not finished yet.</summary>
    public long PendingRows => Enumerable.Range(0, Units)
        .Where(u => u % Options.Parts == Options.Part && (Directory is null || !Directory.Has(u)))
        .Sum(u => Math.Min(UnitRows, Rows - u * UnitRows));

    /// <summary>
    /// Memory the run needs at its peak, in bytes: the engine as it stands when this is first read (read it after
    /// <see cref="EngineSession.MeasureRate"/>, which loads the code the run uses), the Eq. 7 tables, the units in flight, and for kept rows the run's arrays and the minima analysis that
    /// follows them (a sorted copy of the losses and the counts of up to as many levels).
    /// </summary>
    public long MemoryBytes
    {
        get
        {
            RegionShape shape = Shape;
            long tables = Request.Nonempty ? 0 : shape.Chunks * shape.TableStride * sizeof(double);
            long inFlight = Request.Realizability || Request.KeepRegions ? UnitRows * RowBytes * Math.Min(Environment.ProcessorCount, Units) : 0;
            long kept = Request.KeepRegions ? Rows * (RowBytes + LevelBytes) : 0;
            return (_engineBytes ??= Environment.WorkingSet) + tables + inFlight + kept;
        }
    }

    // A kept row: loss, rank, and with realizability the feasible, realizable and undecided flags; a multiset's multiplicity.
    private int RowBytes => sizeof(double) + sizeof(int) + (Request.Realizability ? 3 : 0) + (Request.Unordered ? sizeof(long) : 0);

    // The minima analysis of kept rows: the sorted copy of every loss, and per level its loss, regions and realizable count
    // (random data has about as many levels as rows).
    private const int LevelBytes = 4 * sizeof(double);
}

/// <summary>What a call of <see cref="RegionRunner.Run"/> did.</summary>
/// <param name="Run">The merged run, or null when units are still missing (other parts, or an interruption of a run directory).</param>
/// <param name="Units">Units of the whole run.</param>
/// <param name="Computed">Units this call computed.</param>
/// <param name="Missing">Units not yet finished by anyone.</param>
public sealed record RunOutcome(RegionRun? Run, int Units, int Computed, IReadOnlyList<int> Missing);

/// <summary>
/// Runs a <see cref="RegionRequest"/> as units of work: contiguous ranges of rows (region indices, or tuples and
/// multisets of cells) whose results are kept in memory or stored atomically in a run directory. A run directory makes
/// a run resumable after any interruption, and lets separate processes (a Slurm or Kubernetes job array) compute
/// disjoint parts of one run; <see cref="Merge"/> combines the finished units into the same outputs whatever the split.
/// Units are planned from the request alone, and their histograms and sums merge exactly, so the outputs do not
/// depend on how the work was divided.
/// </summary>
internal sealed class RegionRunner
{
    // At most this many units: enough to balance any number of parts, few enough files for any filesystem.
    private const long MaxUnits = 4096;

    // Nonempty units shorter than this run side by side once there are this many per core left (RegionRunner.Run).
    private const double ShortUnitSeconds = 0.05;
    private const int UnitsPerCore = 4;
    private const string CellsFile = "cells.bin";
    private const string CellsProgressFile = "cells-progress.bin";
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(5);
    private const string DataFile = "data.bin";
    private const string RequestVersion = "engine region run 2";

    private readonly ComputeDevice _device;
    private readonly RegionEngine _engine;

    /// <summary>Runs on <paramref name="device"/>, which the caller owns.</summary>
    public RegionRunner(ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
        _engine = new RegionEngine(device);
    }

    /// <summary>The engine the units run on (for rate measurements and the path it resolves to).</summary>
    public RegionEngine Engine => _engine;

    /// <summary>
    /// Checks <paramref name="request"/>, opens its run directory (recording the request there, or refusing a directory
    /// that holds a different one), finds the cells when the run needs them (from the directory when stored), and
    /// splits the rows into units. Throws <see cref="EngineInputException"/> before any work for what a user must fix.
    /// </summary>
    public static RegionPlan Plan(RegionRequest request, RunOptions options, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Parts < 1 || options.Part < 0 || options.Part >= options.Parts)
            throw new EngineInputException($"part {options.Part}/{options.Parts} does not exist: parts are numbered 0 to {Math.Max(options.Parts, 1) - 1}");
        if (options.Parts > 1 && options.Directory is null)
            throw new EngineInputException("a run split into parts needs a run directory to collect them");
        RegionShape shape = Validate(request);
        RunDirectory? directory = null;
        if (options.Directory is not null)
        {
            directory = OpenDirectory(options.Directory, request);
            if (options.Parts > 1) directory.SetParts(options.Parts);
            directory.RemoveStrays();
        }
        ArrangementCells? cells = null;
        if (request.Nonempty || request.Realizability)
        {
            // The cells leave a core partly idle: the decisions' code compiles there meanwhile.
            HotCode.StartCompiling();
            cells = StoredOrNewCells(directory, request, progress, cancellation);
        }
        RegionRun layout = Layout(request, shape, cells);
        return new RegionPlan(request, options, directory, layout, UnitRows(request, layout.Rows));
    }

    /// <summary>
    /// Measures the rate in rows per second at which this runner computes <paramref name="plan"/>'s rows, in rounds of
    /// doubling size until a round of at least 50 ms agrees with the one before within 25 % (the JIT has tiered up), a
    /// round of at least 10 ms puts the whole run under a minute, the rows are covered, or the time limit has gone. Nonempty rows are sampled in blocks spread evenly over the whole
    /// range, since their cost varies along it (multisets of one repeated cell decide in a fraction of the time of
    /// others), within a quarter of a second. Indexed regions cost about the same everywhere but pay a per-call overhead,
    /// so they are timed on one prefix per round, within two seconds. Nothing is stored. Callers use it to say how long a
    /// run will take before it starts; the first rounds run code the JIT has not optimised yet, so it errs long.
    /// </summary>
    public double MeasureRate(RegionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        bool nonempty = plan.Request.Nonempty;
        // Rows whose cost varies along the range (nonempty rows, realizability) are sampled in blocks spread over it.
        int blocks = nonempty || plan.Request.Realizability ? 16 : 1;
        double limit = nonempty ? 0.25 : 2.0;
        RegionRun layout = plan.Layout;
        var clock = Stopwatch.StartNew();
        double previous = 0.0;
        // A nonempty row costs thousands of times what an indexed region costs.
        long initial = nonempty ? 64 : plan.Request.Realizability ? 1 << 12 : 1 << 14;
        // An untimed first round: it runs code the JIT has not optimised yet, whose rate was 3 to 30 times too slow.
        Compute(plan.Request, layout, layout.Cells, layout.First, Math.Min(plan.Rows, initial), CancellationToken.None);
        for (long block = initial; ; block *= 2)
        {
            var timer = Stopwatch.StartNew();
            long rows = Math.Min(plan.Rows, blocks * block);
            if (rows == plan.Rows)
            {
                Compute(plan.Request, layout, layout.Cells, layout.First, rows, CancellationToken.None);
            }
            else
            {
                // Int128: an indexed range has up to 2^62 rows.
                // Nonempty blocks take one thread each, as short units run: many tiny calls each spread over every core
                // would time the spreading, and measured nonempty rates half the run's.
                Parallel.For(0, blocks, k => Compute(plan.Request, layout, layout.Cells,
                    layout.First + (long)((Int128)(plan.Rows - block) * k / Math.Max(blocks - 1, 1)), block, CancellationToken.None, threads: nonempty ? 1 : 0));
            }
            double rate = rows / Math.Max(timer.Elapsed.TotalSeconds, 1e-6);
            // Small rounds are dominated by each call's fixed cost (threads, workspaces): only a rate that two rounds of
            // doubling rows agree on within 25 % counts, and, for one block, only from a round as long as one of the run's
            // units: indexed rows ran 2.7 times faster in units of 2^22 than in rounds of 2^19, whose rates had settled.
            bool settled = previous > 0.0 && Math.Abs(rate - previous) <= 0.25 * rate && (blocks > 1 || rows >= plan.UnitRows);
            if (settled || rows == plan.Rows || clock.Elapsed.TotalSeconds > limit) return rate;
            previous = timer.Elapsed.TotalSeconds >= 0.02 ? rate : 0.0;
        }
    }

    /// <summary>
    /// Seconds a kept run spends after its rows, timed here on samples of the same code: the minima analysis (sorting
    /// every loss into levels, n log n) and, with <paramref name="csv"/>, writing one CSV line per row.
    /// </summary>
    public static double MeasureOutputSeconds(RegionPlan plan, bool csv)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.Request.KeepRegions || plan.Rows == 0) return 0.0;
        const int sample = 1 << 17;
        var random = new Random(1);
        double[] losses = [.. Enumerable.Range(0, sample).Select(_ => random.NextDouble())];
        double Time(Action work)
        {
            work();  // untimed: the first call runs code the JIT has not optimised yet
            var clock = Stopwatch.StartNew();
            work();
            return clock.Elapsed.TotalSeconds;
        }
        double rows = plan.Rows, scale = rows * Math.Log2(Math.Max(rows, 2)) / (sample * Math.Log2(sample));
        double seconds = Time(() => LossLevels.Group(losses, 0.0)) * scale;
        if (csv)
        {
            RegionRow[] lines = [.. losses.Select((loss, r) => new RegionRow(r, r, [], 1, loss, 4, true, r % 3 == 0, null, plan.Request.Closure ? loss : null, false))];
            seconds += Time(() => RunDocuments.WriteCsvLines(new StreamWriter(Stream.Null), lines, null, plan.Request)) * rows / sample;
        }
        return seconds;
    }

    /// <summary>
    /// Computes the units of <paramref name="plan"/> that are assigned to this call and not finished yet, then, for a
    /// run that is not split into parts, merges it once every unit is finished. Cancellation stops between units: a unit
    /// in flight is lost, finished ones are kept (in the run directory, or merged into the returned prefix).
    /// </summary>
    public RunOutcome Run(RegionPlan plan, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var clock = Stopwatch.StartNew();
        RegionRequest request = plan.Request;
        RunOptions options = plan.Options;
        RunDirectory? directory = plan.Directory;
        RegionRun run = Layout(request, plan.Shape, plan.Layout.Cells);
        long unitRows = plan.UnitRows;
        int units = plan.Units;

        var kept = new Dictionary<int, RegionUnit>();
        int computed = 0;
        var phase = Stopwatch.StartNew();
        long pending = plan.PendingRows;
        long doneRows = 0;
        var gate = new object();
        int[] todo = [.. Enumerable.Range(0, units).Where(u => u % options.Parts == options.Part && (directory is null || !directory.Has(u)))];
        // In memory, each unit's rows go straight into the run's arrays, so the rows are held once, never twice.
        if (directory is null) AllocateRows(run);
        // Stores a finished unit; units that run side by side finish on several threads.
        void Finish(int u, RegionUnit unit)
        {
            directory?.Write(u, unit.Write);
            if (directory is null)
            {
                PlaceRows(run, unit);
                unit = unit.WithoutRows();
            }
            lock (gate)
            {
                if (directory is null) kept[u] = unit;
                computed++;
                doneRows += unit.Count;
                progress?.Report(new RunProgress("regions", doneRows, pending, phase.Elapsed));
            }
        }

        int next = 0;
        while (next < todo.Length && !cancellation.IsCancellationRequested)
        {
            int u = todo[next];
            var timer = Stopwatch.StartNew();
            RegionUnit? unit = Compute(request, run, run.Cells, run.First + u * unitRows, Math.Min(unitRows, run.Rows - u * unitRows), cancellation);
            if (unit is null) break;
            Finish(u, unit);
            next++;
            // A nonempty unit of a few milliseconds spends a large share of them joining its threads at the end: once
            // units prove that short, and there are enough left to keep every core busy, whole units run side by side
            // on one thread each. The units and their results are the same either way.
            if (request.Nonempty && timer.Elapsed.TotalSeconds < ShortUnitSeconds && todo.Length - next >= UnitsPerCore * Environment.ProcessorCount) break;
        }
        if (next < todo.Length && !cancellation.IsCancellationRequested)
        {
            try
            {
                // One unit at a time per thread, in order, so that an interruption leaves few gaps before the last finished unit.
                Parallel.ForEach(Partitioner.Create(todo[next..], EnumerablePartitionerOptions.NoBuffering), new ParallelOptions { CancellationToken = cancellation }, u =>
                {
                    RegionUnit? unit = Compute(request, run, run.Cells, run.First + u * unitRows, Math.Min(unitRows, run.Rows - u * unitRows), cancellation, threads: 1);
                    if (unit is not null) Finish(u, unit);
                });
            }
            catch (OperationCanceledException)
            {
                // Finished units are kept; the ones in flight are lost, as between sequential units.
            }
            catch (AggregateException e)
            {
                // A unit's own error (input found bad mid-run) reads as it would from units run one after another.
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
        }

        IReadOnlyList<int> missing = directory is not null ? directory.Missing(units) : [.. Enumerable.Range(0, units).Where(u => !kept.ContainsKey(u))];
        if (options.Parts > 1 || (directory is not null && missing.Count > 0)) return new RunOutcome(null, units, computed, missing);
        // In memory, an interruption keeps the finished prefix of the units.
        int prefix = missing.Count == 0 ? units : missing[0];
        run.Units = (units, computed);
        // Nonempty rows are solved on the host from their columns, whatever the device: in lanes unless the scalar path is asked for.
        run.Device = request.Nonempty ? $"host: {Environment.ProcessorCount} cores" : _device.Description;
        run.Path = request.Nonempty ? request.Path == RegionPath.Scalar ? RegionPath.Scalar : RegionPath.Host : _engine.Resolve(request.Path);
        Combine(run, Enumerable.Range(0, prefix).Select(u => directory is null ? kept[u] : ReadUnit(directory, u, run)), progress, prefix);
        AttachGlobal(run, progress, cancellation);
        AttachClosures(run, progress, cancellation);
        run.Seconds = clock.Elapsed.TotalSeconds;
        return new RunOutcome(run, units, computed, missing);
    }

    /// <summary>
    /// Merges the finished run in <paramref name="directory"/> (its request read from the directory itself), or throws
    /// <see cref="EngineInputException"/> naming the units and parts still missing.
    /// </summary>
    public static RegionRun Merge(string directory, IProgress<RunProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var clock = Stopwatch.StartNew();
        RegionPlan plan = Plan(ReadRequest(directory), new RunOptions(directory), progress);
        RunDirectory dir = plan.Directory!;
        RegionRun run = Layout(plan.Request, plan.Shape, plan.Layout.Cells);
        int units = plan.Units;
        IReadOnlyList<int> missing = dir.Missing(units);
        if (missing.Count > 0)
        {
            int? parts = dir.Parts;
            string which = parts is int k
                ? $"parts {string.Join(", ", missing.Select(u => u % k).Distinct().Order().Select(p => $"{p}/{k}"))} have not finished"
                : "run the same enumerate command again to finish them";
            throw new EngineInputException($"{directory}: {missing.Count} of {units} units are missing ({Ranges(missing)}); {which}");
        }
        run.Units = (units, 0);
        run.Path = RegionPath.Auto;
        Combine(run, Enumerable.Range(0, units).Select(u => ReadUnit(dir, u, run)), progress, units);
        AttachGlobal(run, progress, CancellationToken.None);
        AttachClosures(run, progress, CancellationToken.None);
        run.Seconds = clock.Elapsed.TotalSeconds;
        return run;
    }

    // Each kept row's minimum over its closed region (min over signs of v), for the finished rows; NaN for an empty region.
    private static void AttachClosures(RegionRun run, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        RegionRequest request = run.Request;
        if (!request.Closure || run.Losses is null) return;
        var clock = Stopwatch.StartNew();
        ArrangementCells cells = run.Cells ?? Cells(request.Data, request.Bias, null, progress, cancellation);
        var index = new Dictionary<string, int>();
        for (int c = 0; c < cells.Count; c++) index[Convert.ToHexString(System.Runtime.InteropServices.MemoryMarshal.AsBytes(cells.Columns[c].AsSpan()))] = c;
        var closures = new ClosedRegions(new CellRays(cells), request.Hidden);
        double[] values = new double[run.Done];
        long done = 0;
        Parallel.For(0L, run.Done, new ParallelOptions { CancellationToken = cancellation }, () => new ClosedRegions.Workspace(), (r, _, workspace) =>
        {
            IReadOnlyList<ulong[]> columns = run.Columns(run.First + r);
            int[] tuple = new int[columns.Count];
            for (int j = 0; j < tuple.Length; j++)
            {
                if (!index.TryGetValue(Convert.ToHexString(System.Runtime.InteropServices.MemoryMarshal.AsBytes(columns[j].AsSpan())), out tuple[j]))
                {
                    values[r] = double.NaN;
                    return workspace;
                }
            }
            values[r] = GlobalSearch.Closure(closures, tuple, workspace).Loss;
            long now = Interlocked.Increment(ref done);
            if ((now & 1023) == 0) progress?.Report(new RunProgress("closures", now, run.Done, clock.Elapsed));
            return workspace;
        }, _ => { });
        run.Closures = values;
    }

    /// <summary>Runs of at most this many activation-pattern bits (N·h) find the global minimum whether asked or not: well under a second.</summary>
    public const int CheapGlobalBits = 16;

    // inf L_f beside a finished run's minima, when asked for or cheap. An interrupted run has no global minimum: the
    // search would need the rows it did not finish.
    private static void AttachGlobal(RegionRun run, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        RegionRequest request = run.Request;
        if (!run.Completed || cancellation.IsCancellationRequested || !(request.Global || run.Shape.PatternBits <= CheapGlobalBits)) return;
        // Unasked, only a search that can run: a wide dataset's closure programs are too large to be cheap.
        if (!request.Global && run.Shape.Parameters > GlobalRequest.MaxParameters) return;
        var clock = Stopwatch.StartNew();
        ArrangementCells cells = run.Cells ?? Cells(request.Data, request.Bias, null, progress, cancellation);
        IProgress<SearchProgress>? phases = progress is null ? null : new ProgressCallback<SearchProgress>(p => progress.Report(new RunProgress("global " + p.Phase, p.Done, p.Total, clock.Elapsed)));
        GlobalSearchResult result = GlobalSearch.Run(cells, request.Hidden, 0, phases, cancellation);
        run.Global = new GlobalMinimum(new GlobalRequest { Data = request.Data, Hidden = request.Hidden, Bias = request.Bias }, cells, result, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The request a run directory was started with, its dataset read from the directory.</summary>
    public static RegionRequest ReadRequest(string directory)
    {
        string file = Path.Combine(directory, "request.json");
        if (!File.Exists(file)) throw new EngineInputException($"{directory} is not a run directory (no request.json)");
        JsonNode json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(file))!;
        }
        catch (JsonException e)
        {
            throw new EngineInputException($"{file} is damaged: {e.Message}");
        }
        if (json["version"]?.GetValue<string>() != RequestVersion) throw new EngineInputException($"{file} is not a region run of this engine");
        Dataset data = ReadData(directory, json["data_sha256"]!.GetValue<string>());
        long? count = json["count"]?.GetValue<long>();
        return new RegionRequest
        {
            Data = data,
            Hidden = json["hidden"]!.GetValue<int>(),
            Bias = json["bias"]!.GetValue<bool>(),
            Nonempty = json["nonempty"]!.GetValue<bool>(),
            Unordered = json["unordered"]!.GetValue<bool>(),
            Bins = json["bins"]!.GetValue<int>(),
            Start = json["start"]!.GetValue<long>(),
            Count = count,
            KeepRegions = json["keep"]!.GetValue<bool>(),
            Realizability = json["realizability"]!.GetValue<bool>(),
            Witnesses = json["witnesses"]!.GetValue<bool>(),
            Global = json["global"]?.GetValue<bool>() ?? false,
            Closure = json["closure"]?.GetValue<bool>() ?? false,
        };
    }

    // The identity of a request: what makes two runs the same run. Output paths, the device and timing are not in
    // it; the rows and units follow from it.
    private static JsonObject Identity(RegionRequest request)
    {
        JsonObject json = Identity(RequestVersion, "enumerate", request.Data, request.Hidden, request.Bias);
        json["nonempty"] = request.Nonempty;
        json["unordered"] = request.Unordered;
        json["bins"] = request.Bins;
        json["start"] = request.Start;
        json["count"] = request.Count;
        json["keep"] = request.KeepRegions;
        json["realizability"] = request.Realizability;
        json["witnesses"] = request.Witnesses;
        // What is computed after the units is named only when asked for, so directories of runs without it stay the same run.
        if (request.Global) json["global"] = true;
        if (request.Closure) json["closure"] = true;
        return json;
    }

    // The head of a run's identity that every command on one dataset shares: the command and the data, named by content.
    internal static JsonObject Identity(string version, string command, Dataset data, int hidden, bool bias) => new()
    {
        ["version"] = version,
        ["command"] = command,
        ["dataset"] = data.Name,
        ["data_sha256"] = data.Fingerprint,
        ["points"] = data.Count,
        ["inputs"] = data.Inputs,
        ["hidden"] = hidden,
        ["bias"] = bias,
    };

    // Opens the run directory for the request and stores its dataset there, so that a merge needs nothing else.
    private static RunDirectory OpenDirectory(string path, RegionRequest request)
    {
        var directory = RunDirectory.Open(path, Identity(request));
        SaveData(directory, request.Data);
        return directory;
    }

    /// <summary>Stores the dataset in a run directory (once), so that a merge needs nothing else.</summary>
    internal static void SaveData(RunDirectory directory, Dataset data)
    {
        if (File.Exists(Path.Combine(directory.Path, DataFile))) return;
        directory.Save(DataFile, w =>
        {
            w.Write(data.Name);
            w.Write(data.Count);
            w.Write(data.Inputs);
            foreach (double v in data.X) w.Write(v);
            foreach (double v in data.Y) w.Write(v);
        });
    }

    /// <summary>The dataset a run directory stores, checked against the fingerprint its request recorded.</summary>
    internal static Dataset ReadData(string directory, string fingerprint)
    {
        string dataFile = Path.Combine(directory, DataFile);
        if (!File.Exists(dataFile)) throw new EngineInputException($"{directory} has no stored dataset ({DataFile})");
        Dataset data;
        using (var reader = new BinaryReader(File.OpenRead(dataFile)))
        {
            string name = reader.ReadString();
            int points = reader.ReadInt32(), inputs = reader.ReadInt32();
            double[] x = new double[points * inputs], y = new double[points];
            for (int k = 0; k < x.Length; k++) x[k] = reader.ReadDouble();
            for (int k = 0; k < y.Length; k++) y[k] = reader.ReadDouble();
            data = new Dataset(name, inputs, x, y);
        }
        if (data.Fingerprint != fingerprint) throw new EngineInputException($"{dataFile} does not match the request's dataset");
        return data;
    }

    /// <summary>
    /// The arrangement cells of <paramref name="data"/> (<c>engine regions</c>), kept in the run directory
    /// <paramref name="directory"/> when one is given: a stored result is read back, an enumeration that was stopped
    /// continues from its last checkpoint, and a different dataset is refused.
    /// </summary>
    public static ArrangementCells Cells(Dataset data, bool bias, string? directory, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (directory is null) return NewCells(data, bias, null, progress, cancellation);
        var identity = new JsonObject
        {
            ["version"] = "engine cells run 1",
            ["command"] = "regions",
            ["dataset"] = data.Name,
            ["data_sha256"] = data.Fingerprint,
            ["bias"] = bias,
        };
        RunDirectory dir = RunDirectory.Open(directory, identity);
        dir.RemoveStrays();
        return StoredOrNewCells(dir, new RegionRequest { Data = data, Hidden = 1, Bias = bias }, progress, cancellation);
    }

    // The cells a run directory stores, or new ones: continued from the directory's checkpoint and stored there, when
    // there is a directory.
    private static ArrangementCells StoredOrNewCells(RunDirectory? directory, RegionRequest request, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        ArrangementCells? stored = directory?.Load(CellsFile, r => ReadCells(r, request));
        if (stored is not null) return stored;
        ArrangementCells cells = NewCells(request.Data, request.Bias, directory, progress, cancellation);
        if (directory is not null)
        {
            directory.Save(CellsFile, w => WriteCells(w, cells));
            directory.Delete(CellsProgressFile);
        }
        return cells;
    }

    // Enumerates the cells, checkpointing into the directory every few seconds and continuing from its checkpoint.
    private static ArrangementCells NewCells(Dataset data, bool bias, RunDirectory? directory, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        ArrangementState? resume = directory?.Load(CellsProgressFile, ReadState);
        TimeSpan saved = TimeSpan.Zero;
        // Progress counts the points this call adds, so that its rate and time left are this call's.
        int first = resume?.Points ?? 0;
        progress?.Report(new RunProgress("cells", 0, data.Count - first, clock.Elapsed));
        return ArrangementCells.Enumerate(data, bias, cancellation, resume, state =>
        {
            progress?.Report(new RunProgress("cells", state.Points - first, data.Count - first, clock.Elapsed));
            // A checkpoint costs a write of every cell, so it is taken every few seconds, not after every point.
            if (directory is null || clock.Elapsed - saved < CheckpointInterval || state.Points == data.Count) return;
            directory.Save(CellsProgressFile, w => WriteState(w, state));
            saved = clock.Elapsed;
        });
    }

    private static ArrangementCells ReadCells(BinaryReader reader, RegionRequest request)
    {
        int count = reader.ReadInt32(), words = reader.ReadInt32(), dimension = reader.ReadInt32();
        (ulong[][] columns, double[][] witnesses, int[][] splits) = ReadCellLists(reader, count, words, dimension);
        var decisions = new DecisionCounts();
        decisions.Add(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
        return ArrangementCells.FromCells(request.Data, request.Bias, columns, witnesses, splits, decisions);
    }

    private static void WriteCells(BinaryWriter w, ArrangementCells cells)
    {
        w.Write(cells.Count);
        w.Write(ColumnFeasibility.Words(cells.Data.Count));
        w.Write(cells.Dimension);
        WriteCellLists(w, cells.Columns, cells.Witnesses, cells.Splits);
        w.Write(cells.Decisions.Programs);
        w.Write(cells.Decisions.Fallbacks);
        w.Write(cells.Decisions.Unchecked);
    }

    private static ArrangementState ReadState(BinaryReader reader)
    {
        int points = reader.ReadInt32(), count = reader.ReadInt32(), words = reader.ReadInt32(), dimension = reader.ReadInt32();
        (ulong[][] columns, double[][] witnesses, int[][] splits) = ReadCellLists(reader, count, words, dimension);
        return new ArrangementState(points, columns, witnesses, splits, reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
    }

    private static void WriteState(BinaryWriter w, ArrangementState state)
    {
        w.Write(state.Points);
        w.Write(state.Columns.Count);
        w.Write(state.Columns[0].Length);
        w.Write(state.Witnesses[0].Length);
        WriteCellLists(w, state.Columns, state.Witnesses, state.Splits);
        w.Write(state.Programs);
        w.Write(state.Fallbacks);
        w.Write(state.Unchecked);
    }

    // Each cell's column, witness and splits, for both the finished cells and a checkpoint of their enumeration.
    private static (ulong[][] Columns, double[][] Witnesses, int[][] Splits) ReadCellLists(BinaryReader reader, int count, int words, int dimension)
    {
        var columns = new ulong[count][];
        var witnesses = new double[count][];
        var splits = new int[count][];
        for (int c = 0; c < count; c++)
        {
            columns[c] = Words(reader, words);
            witnesses[c] = Doubles(reader, dimension);
            splits[c] = Ints(reader);
        }
        return (columns, witnesses, splits);
    }

    private static void WriteCellLists(BinaryWriter w, IReadOnlyList<ulong[]> columns, IReadOnlyList<double[]> witnesses, IReadOnlyList<int[]> splits)
    {
        for (int c = 0; c < columns.Count; c++)
        {
            foreach (ulong word in columns[c]) w.Write(word);
            foreach (double e in witnesses[c]) w.Write(e);
            WriteInts(w, splits[c]);
        }
    }

    // A length, then the values.
    private static int[] Ints(BinaryReader reader)
    {
        int[] values = new int[reader.ReadInt32()];
        for (int k = 0; k < values.Length; k++) values[k] = reader.ReadInt32();
        return values;
    }

    private static void WriteInts(BinaryWriter w, int[] values)
    {
        w.Write(values.Length);
        foreach (int value in values) w.Write(value);
    }

    private static ulong[] Words(BinaryReader reader, int count)
    {
        ulong[] words = new ulong[count];
        for (int k = 0; k < count; k++) words[k] = reader.ReadUInt64();
        return words;
    }

    private static double[] Doubles(BinaryReader reader, int count)
    {
        double[] values = new double[count];
        for (int k = 0; k < count; k++) values[k] = reader.ReadDouble();
        return values;
    }

    // Checks the request and returns its shape; throws EngineInputException for anything a user must fix.
    internal static RegionShape Validate(RegionRequest request)
    {
        // An option that would do nothing is refused, never ignored.
        if (request.Witnesses && !request.Realizability)
            throw new EngineInputException("Witnesses are the verified networks of realizable regions: set Realizability too");
        if (request.KeepSolutions)
            throw new EngineInputException("KeepSolutions: a run keeps each region's loss, rank and flags, and the networks of realizable regions (Witnesses), not the minimizers of Eq. 6");
        if (request.Global || request.Closure) new GlobalRequest { Data = request.Data, Hidden = request.Hidden, Bias = request.Bias }.Validate();
        if (request.Closure && !request.KeepRegions) throw new EngineInputException("Closure: the closed-region minima are a column of the kept regions; keep the regions too");
        if (request.Nonempty)
        {
            RegionEngine.ValidateNonempty(request);
            if (request.Start != 0 || request.Count is not null)
                throw new EngineInputException("start and count index exhaustive enumeration; a nonempty run enumerates every nonempty region");
            return RegionShape.ForColumns(request.Data.Count, request.Data.Inputs, request.Hidden, request.Bias);
        }
        if (request.Unordered) throw new EngineInputException("unordered multisets need a nonempty run");
        LossSummary.ValidateBins(request.Bins);
        var shape = new RegionShape(request.Data.Count, request.Data.Inputs, request.Hidden, request.Bias);
        if (request.Realizability && request.Hidden > Realizability.MaxHidden)
            throw new EngineInputException($"realizability searches 3^h sign choices per region; h = {request.Hidden} exceeds the limit of {Realizability.MaxHidden}");
        long count = RegionEngine.RangeCount(request, shape);
        if (request.KeepRegions && count > RegionRequest.MaxKeptRegions)
            throw new EngineInputException($"keeping every region's result needs {count:N0} entries; at most {RegionRequest.MaxKeptRegions:N0} can be kept (use a count to take part of the range)");
        NormalizedData.Create(request.Data, request.Bias);
        return shape;
    }

    // An empty run of the request's rows: sizes, the histograms, and the layout of nonempty rows.
    private static RegionRun Layout(RegionRequest request, RegionShape shape, ArrangementCells? cells)
    {
        double dead = NormalizedData.Create(request.Data, request.Bias).DeadRegionLoss;
        long rows, regions;
        NonemptyRegions? combinations = null;
        if (request.Nonempty)
        {
            try
            {
                combinations = NonemptyRegions.Layout(cells!, request.Hidden, request.Unordered);
                rows = combinations.Rows;
                regions = combinations.Regions;
            }
            catch (OverflowException)
            {
                throw new EngineInputException($"{cells!.Count:N0} cells per node give more than 2^63 combinations for h = {request.Hidden}");
            }
            if (request.KeepRegions && rows > NonemptyRegions.MaxKeptRows)
                throw new EngineInputException($"keeping {rows:N0} nonempty regions exceeds {NonemptyRegions.MaxKeptRows:N0}; drop the per-region outputs or use unordered multisets");
        }
        else
        {
            rows = request.Count ?? shape.Regions - request.Start;
            regions = rows;
        }
        var run = new RegionRun(request, shape, dead, cells, rows, regions, new LossSummary(request.Bins, dead)) { Combinations = combinations };
        if (request.Realizability) run.RealizableSummary = new LossSummary(request.Bins, dead);
        return run;
    }

    // Rows per unit, from the request alone: small enough that an interruption loses seconds of work (per-region host
    // work such as realizability makes rows dearer), large enough that there are at most MaxUnits units.
    private static long UnitRows(RegionRequest request, long rows)
    {
        long unit = request.Nonempty
            ? request.Realizability ? 1L << 12 : 1L << 16
            : request.Realizability || request.KeepRegions ? 1L << 16 : 1L << 22;
        while ((rows + unit - 1) / unit > MaxUnits) unit *= 2;
        return unit;
    }

    // Solves rows [first, first + count), or returns null when cancelled before they all finished.
    // Nonempty rows run on `threads` threads, 0 for all cores.
    private RegionUnit? Compute(RegionRequest request, RegionRun run, ArrangementCells? cells, long first, long count, CancellationToken cancellation, int threads = 0)
    {
        try
        {
            return request.Nonempty ? ComputeNonempty(request, cells!, first, count, threads, cancellation) : ComputeRange(request, cells, first, count, cancellation);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private RegionUnit? ComputeRange(RegionRequest request, ArrangementCells? cells, long first, long count, CancellationToken cancellation)
    {
        // Realizability is decided from the unit's own kept regions, whether or not the run keeps them.
        RegionEnumeration part = _engine.Enumerate(new RegionRequest
        {
            Data = request.Data, Hidden = request.Hidden, Bias = request.Bias, Start = first, Count = count, Bins = request.Bins,
            KeepRegions = request.KeepRegions || request.Realizability, Realizability = request.Realizability, Witnesses = request.Witnesses,
            Path = request.Path, BatchSize = request.BatchSize,
        }, cancellation: cancellation, cells: cells);
        if (!part.Completed) return null;
        return new RegionUnit
        {
            First = first, Count = count, Summary = part.Summary, Realizable = part.RealizableSummary, Decisions = part.Decisions,
            Losses = request.KeepRegions ? part.Losses : null, Ranks = request.KeepRegions ? part.Ranks : null,
            Feasible = request.KeepRegions ? part.Feasible : null, RealizableRows = request.KeepRegions ? part.Realizable : null,
            UndecidedRows = request.KeepRegions ? part.Undecided : null, Witnesses = part.Witnesses ?? [],
        };
    }

    private static RegionUnit ComputeNonempty(RegionRequest request, ArrangementCells cells, long first, long count, int threads, CancellationToken cancellation)
    {
        NonemptyRegions part = NonemptyRegions.Enumerate(cells, request.Hidden, new NonemptyOptions
        {
            Unordered = request.Unordered, Keep = request.KeepRegions, Realizability = request.Realizability, Bins = request.Bins,
            Witnesses = request.Witnesses, FirstRow = first, RowCount = count, Threads = threads, Lanes = request.Path != RegionPath.Scalar,
        }, cancellation);
        bool[]? feasible = part.Realizable is null ? null : Enumerable.Repeat(true, (int)count).ToArray();
        return new RegionUnit
        {
            First = first, Count = count, Summary = part.Summary, Realizable = part.RealizableSummary, Decisions = part.Decisions,
            Losses = part.Losses, Ranks = part.Ranks, Feasible = feasible, RealizableRows = part.Realizable, UndecidedRows = part.Undecided,
            Multiplicities = request.Unordered ? part.Multiplicities : null, Witnesses = part.Witnesses ?? [],
        };
    }

    private static RegionUnit ReadUnit(RunDirectory directory, int unit, RegionRun run) =>
        directory.Read(unit, r => RegionUnit.Read(r, run, NormalizedData.Create(run.Request.Data, run.Request.Bias), $"{directory.Path} unit {unit}"));

    // Adds the first units, in order, into run: histograms and counts merge exactly, rows and witnesses concatenate.
    private static void Combine(RegionRun run, IEnumerable<RegionUnit> units, IProgress<RunProgress>? progress, int count)
    {
        var clock = Stopwatch.StartNew();
        RegionRequest request = run.Request;
        if (run.Cells is not null) run.Decisions.Merge(run.Cells.Decisions);
        var witnesses = request.Witnesses ? new List<RegionWitness>() : null;
        bool keep = request.KeepRegions;
        if (run.Losses is null) AllocateRows(run);
        long done = 0;
        int merged = 0;
        foreach (RegionUnit unit in units)
        {
            run.Summary.Merge(unit.Summary);
            if (unit.Realizable is not null) run.RealizableSummary!.Merge(unit.Realizable);
            run.Decisions.Merge(unit.Decisions);
            PlaceRows(run, unit);
            foreach ((long row, NetworkWitness witness) in unit.Witnesses)
                witnesses!.Add(new RegionWitness(row, run.Index(row), run.Combinations?.Multiplicity(row) ?? 1, witness));
            done += unit.Count;
            progress?.Report(new RunProgress("merge", ++merged, count, clock.Elapsed));
        }
        run.Done = done;
        run.Witnesses = witnesses;
        if (keep && done < run.Rows)
        {
            // A prefix: the kept arrays end where the finished rows do.
            run.Losses = run.Losses![..(int)done];
            run.Ranks = run.Ranks![..(int)done];
            if (run.Feasible is not null) run.Feasible = run.Feasible[..(int)done];
            if (run.Realizable is not null) run.Realizable = run.Realizable[..(int)done];
            if (run.Undecided is not null) run.Undecided = run.Undecided[..(int)done];
            if (run.Multiplicities is not null) run.Multiplicities = run.Multiplicities[..(int)done];
        }
    }

    // The run's kept arrays, one entry per row, when the request keeps its rows.
    private static void AllocateRows(RegionRun run)
    {
        RegionRequest request = run.Request;
        if (!request.KeepRegions) return;
        run.Losses = new double[run.Rows];
        run.Ranks = new int[run.Rows];
        if (request.Realizability)
        {
            run.Feasible = new bool[run.Rows];
            run.Realizable = new bool[run.Rows];
            run.Undecided = new bool[run.Rows];
        }
        if (request.Unordered) run.Multiplicities = new long[run.Rows];
    }

    // Copies a unit's kept rows to their place in the run's arrays (a unit placed already has none left).
    private static void PlaceRows(RegionRun run, RegionUnit unit)
    {
        if (!run.Request.KeepRegions || unit.Losses is null) return;
        long offset = unit.First - run.First;
        unit.Losses.CopyTo(run.Losses!, offset);
        unit.Ranks!.CopyTo(run.Ranks!, offset);
        unit.Feasible?.CopyTo(run.Feasible!, offset);
        unit.RealizableRows?.CopyTo(run.Realizable!, offset);
        unit.UndecidedRows?.CopyTo(run.Undecided!, offset);
        unit.Multiplicities?.CopyTo(run.Multiplicities!, offset);
    }

    // "3–7, 12" for a sorted list of unit numbers.
    private static string Ranges(IReadOnlyList<int> units)
    {
        var parts = new List<string>();
        for (int k = 0; k < units.Count;)
        {
            int start = units[k];
            while (k + 1 < units.Count && units[k + 1] == units[k] + 1) k++;
            parts.Add(start == units[k] ? start.ToString(CultureInfo.InvariantCulture) : $"{start}–{units[k]}");
            k++;
            if (parts.Count == 8 && k < units.Count)
            {
                parts.Add("…");
                break;
            }
        }
        return "units " + string.Join(", ", parts);
    }
}
