using System.CommandLine;
using Engine.Core;

namespace Engine.Cli;

/// <summary><c>engine enumerate</c>: every activation region's subglobal minimum, as a histogram.</summary>
internal static class EnumerateCommand
{
    // Runs expected to take longer than this need --allow-long: they are likely a mistyped size.
    private const double LongRunSeconds = 3600;

    public static Command Create()
    {
        var common = new RegionOptions();
        var csv = new Option<FileInfo?>("--csv") { Description = "Write one row per region: index,loss (keeps every region in memory)." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the run's settings and histogram as JSON." };
        var bins = new Option<int>("--bins") { Description = "Histogram bins over [0, dead-region loss].", DefaultValueFactory = _ => 20 };
        var start = new Option<long>("--start") { Description = "First region index (to resume an interrupted run)." };
        var count = new Option<long?>("--count") { Description = "Regions to enumerate from --start (default: all)." };
        var allowLong = new Option<bool>("--allow-long") { Description = $"Run even when the estimate exceeds {LongRunSeconds / 3600:0} hour." };
        var path = new Option<string>("--path") { Description = "Where the math runs: auto, host (C# twin on all cores) or kernel (ILGPU).", DefaultValueFactory = _ => "auto" };

        var command = new Command("enumerate", "Solve Eq. 7 for every activation region and print the histogram of subglobal-minimum losses.");
        common.AddTo(command);
        foreach (Option option in new Option[] { csv, json, bins, start, count, allowLong, path }) command.Options.Add(option);

        command.SetAction((parsed, cancellation) =>
        {
            Dataset data = DatasetCatalog.Load(parsed.Value(common.Dataset));
            var request = new RegionRequest
            {
                Data = data,
                Hidden = parsed.GetValue(common.Hidden),
                Bias = parsed.GetValue(common.Bias),
                Start = parsed.GetValue(start),
                Count = parsed.GetValue(count),
                Bins = parsed.GetValue(bins),
                KeepRegions = parsed.GetValue(csv) is not null,
                Path = ParsePath(parsed.Value(path)),
            };
            var shape = new RegionShape(data.Count, data.Inputs, request.Hidden, request.Bias);
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
