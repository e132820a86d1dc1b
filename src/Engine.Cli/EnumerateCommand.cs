using System.CommandLine;
using Engine.Core;

namespace Engine.Cli;

/// <summary><c>engine enumerate</c>: every activation region's subglobal minimum, as a histogram.</summary>
internal static class EnumerateCommand
{
    // Runs expected to take longer than this need --allow-long: they are likely a mistyped size.
    private const double LongRunSeconds = 3600;

    // Nonempty rows beyond this need --allow-long: at the 1e5–1e6 rows/s measured on two cores, an hour or more.
    private const long LongNonemptyRows = 1L << 30;

    public static Command Create()
    {
        var common = new RegionOptions();
        var csv = new Option<FileInfo?>("--csv") { Description = "Write one row per region: index,loss,feasible,realizable (keeps every region in memory and decides realizability)." };
        var nonempty = new Option<bool>("--nonempty") { Description = "Enumerate only nonempty regions, as combinations of each node's arrangement cells (any N·h; host only)." };
        var unordered = new Option<bool>("--unordered") { Description = "With --nonempty: multisets of node columns weighted by multiplicity (same histograms, about h! times less work)." };
        var realizable = new Option<bool>("--realizable") { Description = "Decide which subglobal minima are realizable and show them beside all minima." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the run's settings and histogram as JSON." };
        var witness = new Option<FileInfo?>("--witness") { Description = "Write one JSON line per realizable region: its index and a verified network {W, b, v, c} attaining its loss (decides realizability)." };
        var bins = new Option<int>("--bins") { Description = "Histogram bins over [0, dead-region loss].", DefaultValueFactory = _ => 20 };
        var start = new Option<long>("--start") { Description = "First region index (to resume an interrupted run)." };
        var count = new Option<long?>("--count") { Description = "Regions to enumerate from --start (default: all)." };
        var allowLong = new Option<bool>("--allow-long") { Description = $"Run even when the estimate exceeds {LongRunSeconds / 3600:0} hour." };
        var path = new Option<string>("--path") { Description = "Where the math runs: auto, host (C# twin on all cores) or kernel (ILGPU).", DefaultValueFactory = _ => "auto" };

        var command = new Command("enumerate", "Solve Eq. 7 for every activation region and print the histogram of subglobal-minimum losses.");
        common.AddTo(command);
        foreach (Option option in new Option[] { csv, nonempty, unordered, realizable, json, witness, bins, start, count, allowLong, path }) command.Options.Add(option);

        command.SetAction((parsed, cancellation) =>
        {
            Dataset data = DatasetCatalog.Load(parsed.Value(common.Dataset));
            bool keep = parsed.GetValue(csv) is not null;
            bool onlyNonempty = parsed.GetValue(nonempty);
            bool witnesses = parsed.GetValue(witness) is not null;
            bool decide = keep || witnesses || parsed.GetValue(realizable);
            var request = new RegionRequest
            {
                Data = data,
                Hidden = parsed.GetValue(common.Hidden),
                Bias = parsed.GetValue(common.Bias),
                Start = parsed.GetValue(start),
                Count = parsed.GetValue(count),
                Bins = parsed.GetValue(bins),
                // Exhaustive runs decide realizability per kept region; nonempty runs as they go.
                KeepRegions = keep || (decide && !onlyNonempty),
                Realizability = decide,
                Witnesses = witnesses,
                Unordered = parsed.GetValue(unordered),
                Path = ParsePath(parsed.Value(path)),
            };
            if (request.Unordered && !onlyNonempty)
                throw new EngineInputException("--unordered needs --nonempty");
            RegionShape shape = onlyNonempty
                ? RegionShape.ForColumns(data.Count, data.Inputs, request.Hidden, request.Bias)
                : new RegionShape(data.Count, data.Inputs, request.Hidden, request.Bias);
            if (onlyNonempty)
            {
                if (parsed.GetValue(start) != 0 || request.Count is not null)
                    throw new EngineInputException("--start and --count index exhaustive enumeration; --nonempty enumerates all nonempty regions");
                RegionEngine.ValidateNonempty(request);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                ArrangementCells cells = RegionEngine.Cells(data, request.Bias, cancellation);
                long rows;
                try
                {
                    rows = NonemptyRegions.RowsFor(cells.Count, request.Hidden, request.Unordered);
                }
                catch (OverflowException)
                {
                    throw new EngineInputException($"{cells.Count:N0} cells per node give more than 2^63 combinations for h = {request.Hidden}");
                }
                if (rows > LongNonemptyRows && !parsed.GetValue(allowLong))
                    throw new EngineInputException($"{cells.Count:N0} cells per node make {rows:N0} {(request.Unordered ? "multisets" : "ordered regions")} for h = {request.Hidden}, likely hours; pass --allow-long to run anyway{(request.Unordered ? "" : ", or --unordered")}");
                Console.Error.WriteLine($"engine: {cells.Count:N0} cells per node of {RegionReport.Describe(shape, data.Name)} ({RegionReport.Duration(clock.Elapsed.TotalSeconds)}); solving {rows:N0} {(request.Unordered ? "multisets" : "ordered regions")} on the host");
                NonemptyRegions found = RegionEngine.EnumerateNonempty(request, cancellation, cells);
                double seconds = clock.Elapsed.TotalSeconds;
                Console.Write(RegionReport.Table(found, data.Name, seconds));
                if (parsed.GetValue(csv) is { } nonemptyCsv) RegionReport.WriteCsv(found, nonemptyCsv.FullName);
                if (parsed.GetValue(json) is { } nonemptyJson) RegionReport.WriteJson(RegionReport.Json(found, data.Name, seconds), nonemptyJson.FullName);
                if (parsed.GetValue(witness) is { } nonemptyWitnesses) RegionReport.WriteWitnesses(found, nonemptyWitnesses.FullName);
                RegionReport.WarnUnchecked(found.Decisions, found.Cells.Decisions);
                return 0;
            }
            long regions = request.Count ?? shape.Regions - request.Start;

            using ComputeDevice device = ComputeDevice.Open(BackendNames.Parse(parsed.Value(common.Device)));
            var engine = new RegionEngine(device);
            double rate = engine.MeasureRate(request);
            double estimate = regions / rate;
            string plan = $"{RegionReport.Regions(regions)} regions of {RegionReport.Describe(shape, data.Name)} on {device.Backend.Name()} via the {engine.Resolve(request.Path).ToString().ToLowerInvariant()} path at {rate:0.00e0} regions/s: about {RegionReport.Duration(estimate)}";
            if (estimate > LongRunSeconds && !parsed.GetValue(allowLong))
                throw new EngineInputException($"{plan}; pass --allow-long to run anyway, or --count to take part of the range");
            Console.Error.WriteLine($"engine: {plan}");

            RegionEnumeration run = engine.Enumerate(request, Progress.Reporter("regions"), cancellation);
            Progress.Done();
            Console.Write(RegionReport.Table(run));
            if (parsed.GetValue(csv) is { } csvFile) RegionReport.WriteCsv(run, csvFile.FullName);
            if (parsed.GetValue(json) is { } jsonFile) RegionReport.WriteJson(RegionReport.Json(run), jsonFile.FullName);
            if (parsed.GetValue(witness) is { } witnessFile && run.Witnesses is not null) RegionReport.WriteWitnesses(run, witnessFile.FullName);
            RegionReport.WarnUnchecked(run.Decisions);
            if (run.Completed) return 0;
            Console.Error.WriteLine($"engine: interrupted after {run.Done:N0} regions; resume with --start {run.Request.Start + run.Done}");
            return Cli.Interrupted;
        });
        return command;
    }

    public static RegionPath ParsePath(string name) => name.ToLowerInvariant() switch
    {
        "auto" => RegionPath.Auto,
        "host" => RegionPath.Host,
        "kernel" => RegionPath.Kernel,
        _ => throw new EngineInputException($"unknown path '{name}': expected auto, host or kernel"),
    };
}
