using System.CommandLine;
using System.Text.Json.Nodes;

namespace Engine.Cli;

/// <summary><c>engine bench regions</c>: regions per second of a named workload, median of several runs.</summary>
internal static class BenchRegionsCommand
{
    public static Command Create()
    {
        var workload = new Option<string>("--workload") { Description = $"Workload: {string.Join(", ", RegionWorkload.All.Select(w => w.Name))}.", Required = true };
        var count = new Option<long?>("--count") { Description = "Regions to solve per run (default: the workload's 2^(N·h), at least 2^20 by repetition)." };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs; the median is reported.", DefaultValueFactory = _ => 3 };
        var path = new Option<string>("--path") { Description = "auto, host (SIMD lanes where they apply), scalar or kernel.", DefaultValueFactory = _ => "auto" };
        var device = RegionOptions.DeviceOption();
        var command = new Command("regions", "Time the Eq. 7 build and solve with the device reduction; prints {workload, regions, seconds, regions_per_s}.");
        foreach (Option option in new Option[] { workload, count, repeats, path, device }) command.Options.Add(option);
        command.SetAction((parsed, cancellation) =>
        {
            RegionWorkload w = RegionWorkload.Find(parsed.Value(workload));
            int runs = parsed.GetValue(repeats);
            if (runs < 1) throw new EngineInputException($"--repeats must be at least 1, got {runs}");
            if (parsed.GetValue(count) is < 1) throw new EngineInputException($"--count must be positive, got {parsed.GetValue(count)}");
            RegionPath regionPath = EnumerateCommand.ParsePath(parsed.Value(path));
            long target = parsed.GetValue(count) ?? Math.Max(w.Regions, 1L << 20);
            using EngineSession session = EngineSession.Open(BackendNames.Parse(parsed.Value(device)));
            List<double> seconds = [.. session.TimeRegions(w, target, runs, regionPath, cancellation)];
            seconds.Sort();
            double median = seconds[seconds.Count / 2];
            Console.WriteLine(new JsonObject
            {
                ["workload"] = w.Name,
                ["regions"] = target,
                ["seconds"] = median,
                ["regions_per_s"] = target / median,
                ["device"] = session.Device.Backend.Name(),
                ["path"] = session.DescribePath(regionPath),
                ["runs"] = runs,
            }.ToJsonString());
            return 0;
        });
        return command;
    }
}
