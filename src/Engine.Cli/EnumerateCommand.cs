using System.CommandLine;
using System.Globalization;
using Engine.Core.Data;
using Engine.Runs;

namespace Engine.Cli;

/// <summary><c>engine enumerate</c>: every activation region's subglobal minimum, as a histogram.</summary>
internal static class EnumerateCommand
{
    // Runs expected to take longer than this need --allow-long: they are likely a mistyped size.
    public const double LongRunSeconds = 3600;

    public static Command Create()
    {
        var common = new RegionOptions();
        var csv = new Option<FileInfo?>("--csv") { Description = "Write one row per region: index,loss,feasible,realizable (keeps every region and decides realizability)." };
        var nonempty = new Option<bool>("--nonempty") { Description = "Enumerate only nonempty regions, as combinations of each node's arrangement cells (any N·h; host only)." };
        var unordered = new Option<bool>("--unordered") { Description = "With --nonempty: multisets of node columns weighted by multiplicity (same histograms, about h! times less work)." };
        var realizable = new Option<bool>("--realizable") { Description = "Decide which subglobal minima are realizable and show them beside all minima." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the run's settings and histogram as JSON." };
        var witness = new Option<FileInfo?>("--witness") { Description = "Write one JSON line per realizable region: its index and a verified network {W, b, v, c} attaining its loss (decides realizability)." };
        var bins = new Option<int>("--bins") { Description = "Histogram bins over [0, dead-region loss].", DefaultValueFactory = _ => 20 };
        var start = new Option<long>("--start") { Description = "First region index (to resume an interrupted run without --run)." };
        var count = new Option<long?>("--count") { Description = "Regions to enumerate from --start (default: all)." };
        var global = new Option<bool>("--global") { Description = "Also certify inf L_f, the real network's global minimum (engine global), and measure poor minima against it (runs of at most 2^16 patterns always do)." };
        var strict = new Option<bool>("--strict") { Description = "Exit with code 3 when the realizability of any region is undecided (neither a verified witness nor a certificate)." };
        var closure = new Option<bool>("--closure") { Description = "With --csv: a column with each region's minimum of L_f over its closed region (all signs of v), the loss training can reach there." };
        var allowLong = new Option<bool>("--allow-long") { Description = $"Run even when the estimate exceeds {LongRunSeconds / 3600:0} hour." };
        var path = new Option<string>("--path") { Description = "Where the math runs: auto, host (C# twin on all cores, SIMD lanes), scalar (the host twin without lanes) or kernel (ILGPU).", DefaultValueFactory = _ => "auto" };
        var runDirectory = RunOptionsParser.DirectoryOption();
        var shard = RunOptionsParser.ShardOption();

        var command = new Command("enumerate", "Solve Eq. 7 for every activation region and print the histogram of subglobal-minimum losses.");
        common.AddTo(command);
        foreach (Option option in new Option[] { csv, nonempty, unordered, realizable, json, witness, global, closure, strict, bins, start, count, allowLong, path, runDirectory, shard })
            command.Options.Add(option);

        command.SetAction((parsed, cancellation) =>
        {
            Dataset data = DatasetCatalog.Load(parsed.Value(common.Dataset));
            FileInfo? csvFile = parsed.GetValue(csv), jsonFile = parsed.GetValue(json), witnessFile = parsed.GetValue(witness);
            bool decide = csvFile is not null || witnessFile is not null || parsed.GetValue(realizable);
            var request = new RegionRequest
            {
                Data = data,
                Hidden = parsed.GetValue(common.Hidden),
                Bias = parsed.GetValue(common.Bias),
                Nonempty = parsed.GetValue(nonempty),
                Unordered = parsed.GetValue(unordered),
                Start = parsed.GetValue(start),
                Count = parsed.GetValue(count),
                Bins = parsed.GetValue(bins),
                KeepRegions = csvFile is not null,
                Realizability = decide,
                Witnesses = witnessFile is not null,
                Global = parsed.GetValue(global),
                Closure = parsed.GetValue(closure),
                Path = ParsePath(parsed.Value(path)),
            };
            if (request.Unordered && !request.Nonempty) throw new EngineInputException("--unordered needs --nonempty");
            if (request.Closure && csvFile is null) throw new EngineInputException("--closure adds a column to --csv; pass --csv FILE");
            if (request.Nonempty && (request.Start != 0 || request.Count is not null))
                throw new EngineInputException("--start and --count index exhaustive enumeration; --nonempty enumerates all nonempty regions");
            RunOptions options = RunOptionsParser.Parse(parsed.GetValue(runDirectory), parsed.GetValue(shard));
            // Every output is checked before any work, so that a run of hours is not lost to a typo in a path.
            Outputs.Check([parsed.Value(common.Dataset)], ("--csv", csvFile), ("--json", jsonFile), ("--witness", witnessFile));

            using EngineSession session = EngineSession.Open(BackendNames.Parse(parsed.Value(common.Device)));
            RegionPlan plan = session.Plan(request, options, Progress.Phases(), cancellation);
            Progress.Done();
            double rate = session.MeasureRate(plan);
            double estimate = plan.PendingRows / rate + EngineSession.MeasureOutputSeconds(plan, csvFile is not null);
            string what = request.Nonempty ? $"{plan.Rows:N0} {(request.Unordered ? "multisets" : "ordered regions")} of {plan.CellsPerNode:N0} cells per node" : $"{RegionReport.Regions(plan.Rows)} regions";
            string done = plan.PendingRows < plan.Rows ? $", {plan.PendingRows:N0} rows still to do" : "";
            string where = request.Nonempty ? "the host" : $"{session.Device.Backend.Name()} via the {session.DescribePath(request.Path)} path";
            string planText = $"{what} of {RegionReport.Describe(plan.Shape, data.Name)} in {plan.Units:N0} units{done}, on {where} at {rate:0.00e0} rows/s: about {RegionReport.Duration(estimate)} and {Math.Max(1, plan.MemoryBytes >> 20):N0} MiB";
            if (estimate > LongRunSeconds && !parsed.GetValue(allowLong))
                throw new EngineInputException($"{planText}; pass --allow-long to run anyway{(request.Nonempty ? "" : ", or --count to take part of the range")}");
            Console.Error.WriteLine($"engine: {planText}");
            var wall = System.Diagnostics.Stopwatch.StartNew();

            RunOutcome outcome = session.Run(plan, Progress.Phases(), cancellation);
            Progress.Done();
            if (options.Parts > 1)
            {
                Console.Error.WriteLine(outcome.Missing.Count == 0
                    ? $"engine: part {options.Part}/{options.Parts} done; all {outcome.Units:N0} units are finished: write the outputs with 'engine merge {options.Directory}'"
                    : $"engine: part {options.Part}/{options.Parts}: {outcome.Computed:N0} units computed here; {outcome.Missing.Count:N0} of {outcome.Units:N0} units still missing{(cancellation.IsCancellationRequested ? " (interrupted: run this part again to finish it)" : " (other parts)")}");
                return cancellation.IsCancellationRequested ? Cli.Interrupted : 0;
            }
            if (outcome.Run is not { } run)
            {
                Console.Error.WriteLine($"engine: interrupted after {outcome.Computed:N0} units; {outcome.Missing.Count:N0} of {outcome.Units:N0} units remain in {options.Directory}: run the same command to resume");
                return Cli.Interrupted;
            }
            Write(run, csvFile, jsonFile, witnessFile);
            // The estimate beside what happened, so that a user (and the tests) can hold one against the other.
            Console.Error.WriteLine($"engine: finished in {RegionReport.Duration(wall.Elapsed.TotalSeconds)} (estimated {RegionReport.Duration(estimate)}), " +
                $"peak memory {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 >> 20:N0} MiB (estimated {plan.MemoryBytes >> 20:N0} MiB)");
            if (parsed.GetValue(strict) && run.Decisions.Undecided > 0)
            {
                Console.Error.WriteLine($"engine: --strict: {run.Decisions.Undecided:N0} regions are undecided");
                return Cli.Undecided;
            }
            if (run.Completed) return 0;
            Console.Error.WriteLine(request.Nonempty
                ? $"engine: interrupted after {run.Done:N0} of {run.Rows:N0} rows; pass --run DIR to make a run resumable"
                : $"engine: interrupted after {run.Done:N0} regions; resume with --start {run.First + run.Done}{(request.Count is not null ? $" --count {run.Rows - run.Done}" : "")}");
            return Cli.Interrupted;
        });
        return command;
    }

    /// <summary>Prints a finished (or stopped) run's table and writes the outputs asked for.</summary>
    public static void Write(RegionRun run, FileInfo? csv, FileInfo? json, FileInfo? witness)
    {
        Console.Write(RegionReport.Table(run));
        if (csv is not null) AtomicFile.Write(csv.FullName, stream => RunDocuments.WriteCsv(run, stream));
        if (json is not null) RegionReport.WriteJson(RunDocuments.Json(run), json.FullName);
        if (witness is not null) AtomicFile.Write(witness.FullName, stream => RunDocuments.WriteWitnesses(run, stream));
        RegionReport.WarnUnchecked(run);
    }

    public static RegionPath ParsePath(string name) => name.ToLowerInvariant() switch
    {
        "auto" => RegionPath.Auto,
        "host" => RegionPath.Host,
        "scalar" => RegionPath.Scalar,
        "kernel" => RegionPath.Kernel,
        _ => throw new EngineInputException($"unknown path '{name}': expected auto, host, scalar or kernel"),
    };
}

/// <summary>The options every resumable command shares: --run DIR and --shard I/K.</summary>
internal static class RunOptionsParser
{
    public static Option<DirectoryInfo?> DirectoryOption() => new("--run")
    {
        Description = "Keep the run's work in this directory: running the same command again resumes it, after Ctrl+C, SIGTERM, kill -9 or a power loss.",
    };

    public static Option<string?> ShardOption() => new("--shard")
    {
        Description = "Compute only part I of K (0 ≤ I < K) into the --run directory, e.g. a job array's task; write the outputs with 'engine merge DIR'.",
    };

    public static RunOptions Parse(DirectoryInfo? directory, string? shard)
    {
        if (shard is null) return new RunOptions(directory?.FullName);
        string[] parts = shard.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || count < 1 || index >= count)
            throw new EngineInputException($"--shard '{shard}': expected I/K with 0 ≤ I < K, e.g. 0/4");
        if (directory is null) throw new EngineInputException("--shard needs --run DIR, where the parts are collected");
        return new RunOptions(directory.FullName, index, count);
    }
}
