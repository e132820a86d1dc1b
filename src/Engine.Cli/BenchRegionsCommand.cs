using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Engine.Core.Regions;

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
            RegionPath regionPath = EnumerateCommand.ParsePath(parsed.Value(path));
            RegionRequest full = w.Request(path: regionPath);
            long regions = new RegionShape(full.Data.Count, full.Data.Inputs, full.Hidden, full.Bias).Regions;
            long target = parsed.GetValue(count) ?? Math.Max(regions, 1L << 20);
            if (target < 1) throw new EngineInputException($"--count must be positive, got {target}");

            using ComputeDevice compute = ComputeDevice.Open(BackendNames.Parse(parsed.Value(device)));
            var engine = new RegionEngine(compute);
            engine.Enumerate(w.Request(Math.Min(regions, 1L << 12), regionPath));
            var seconds = new List<double>();
            for (int r = 0; r < runs; r++)
            {
                // Workloads smaller than the target are enumerated again until the target is reached.
                var clock = Stopwatch.StartNew();
                for (long done = 0; done < target; done += regions)
                {
                    cancellation.ThrowIfCancellationRequested();
                    engine.Enumerate(w.Request(Math.Min(regions, target - done), regionPath), cancellation: cancellation);
                }
                seconds.Add(clock.Elapsed.TotalSeconds);
            }
            seconds.Sort();
            double median = seconds[seconds.Count / 2];
            Console.WriteLine(new JsonObject
            {
                ["workload"] = w.Name,
                ["regions"] = target,
                ["seconds"] = median,
                ["regions_per_s"] = target / median,
                ["device"] = compute.Backend.Name(),
                ["path"] = engine.Describe(regionPath),
                ["runs"] = runs,
            }.ToJsonString());
            return 0;
        });
        return command;
    }
}
