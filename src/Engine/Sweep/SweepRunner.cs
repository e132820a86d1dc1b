using System.Diagnostics;
using System.Text.Json.Nodes;
using Engine.Core.Closure;
using Engine.Core.Geometry;
using Engine.Core.Regions;
using Engine.Runs;

namespace Engine;

/// <summary>
/// Runs a sweep unit by unit (<see cref="SweepRequest.Unit"/>), in memory or in a run directory: each finished unit is
/// written to units/ atomically, so a rerun computes only the missing ones, after Ctrl+C, SIGTERM or kill -9; part I of
/// K computes the units u with u mod K = I; a merge reads them all back. A unit's record is its numbers' exact bits, so
/// resumed, split and single runs write the same outputs.
/// </summary>
internal static class SweepRunner
{
    private const string Version = "engine sweep run 1";
    private const int Magic = 0x53574550;

    /// <summary>Whether <paramref name="directory"/> holds a sweep.</summary>
    public static bool IsSweepRun(string directory)
    {
        string file = Path.Combine(directory, "request.json");
        return File.Exists(file) && File.ReadAllText(file).Contains($"\"{Version}\"", StringComparison.Ordinal);
    }

    /// <summary>Computes the units <paramref name="options"/> assigns that are not finished, and returns the whole sweep when every unit is in.</summary>
    public static SweepOutcome Run(SweepRequest request, RunOptions options, RegionEngine engine, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        request.Validate();
        var clock = Stopwatch.StartNew();
        RunDirectory? directory = options.Directory is { } path ? Open(request, path) : null;
        directory?.RemoveStrays();
        if (directory is not null && options.Parts > 1) directory.SetParts(options.Parts);
        int units = (int)request.Units;
        var results = new SweepUnit?[units];
        if (directory is not null)
        {
            for (int u = 0; u < units; u++)
            {
                if (directory.Has(u)) results[u] = directory.Read(u, Read);
            }
        }
        int[] todo = [.. Enumerable.Range(0, units).Where(u => u % options.Parts == options.Part && results[u] is null)];
        var phase = Stopwatch.StartNew();
        (int Points, int Seed)? current = null;
        ArrangementCells? cells = null;
        for (int k = 0; k < todo.Length && !cancellation.IsCancellationRequested; k++)
        {
            int u = todo[k];
            (int points, int seed, int hidden) = request.Unit(u);
            // Units of one dataset come one after another (h innermost), so its cells are found once.
            if (current != (points, seed))
            {
                cells = ArrangementCells.Enumerate(request.Dataset(points, seed), request.Bias, cancellation);
                current = (points, seed);
            }
            SweepUnit? unit;
            try
            {
                unit = Compute(request, cells!, hidden, seed, engine, cancellation);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            results[u] = unit;
            directory?.Write(u, w => Write(w, unit));
            progress?.Report(new RunProgress("units", k + 1, todo.Length, phase.Elapsed));
        }
        long[] missing = [.. Enumerable.Range(0, units).Where(u => results[u] is null).Select(u => (long)u)];
        if (missing.Length > 0) return new SweepOutcome(request, [], [], missing, clock.Elapsed.TotalSeconds);
        SweepUnit[] all = [.. results.Select(r => r!)];
        return new SweepOutcome(request, all, SweepAggregate.Of(all), [], clock.Elapsed.TotalSeconds);
    }

    /// <summary>The finished sweep in <paramref name="directory"/>, or <see cref="EngineInputException"/> naming the missing units and parts.</summary>
    public static SweepOutcome Merge(string directory)
    {
        var clock = Stopwatch.StartNew();
        SweepRequest request = ReadRequest(directory);
        RunDirectory dir = Open(request, directory);
        int units = (int)request.Units;
        IReadOnlyList<int> missing = dir.Missing(units);
        if (missing.Count > 0)
        {
            string which = dir.Parts is int k ? $"parts {string.Join(", ", missing.Select(u => u % k).Distinct().Order().Select(p => $"{p}/{k}"))} have not finished" : "run the same sweep again to finish them";
            throw new EngineInputException($"{directory}: {missing.Count} of {units} units are missing; {which}");
        }
        SweepUnit[] all = [.. Enumerable.Range(0, units).Select(u => dir.Read(u, Read))];
        return new SweepOutcome(request, all, SweepAggregate.Of(all), [], clock.Elapsed.TotalSeconds);
    }

    /// <summary>One unit: the regions' subglobal minima and realizability, the certified global minimum, and their counts.</summary>
    public static SweepUnit Compute(SweepRequest request, ArrangementCells cells, int hidden, int seed, RegionEngine engine, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        double dead = cells.Normalized.DeadRegionLoss;
        double tolerance = LossLevels.Tolerance(dead);
        double[] losses;
        bool[] realizable, undecided;
        long[]? weights;
        GlobalSearchResult global;
        if (request.AllPatterns)
        {
            // Every pattern, empty ones included (as the paper's Figure 3 counts them); inf L_f over the nonempty ones.
            RegionEnumeration all = engine.Enumerate(new RegionRequest
            {
                Data = cells.Data, Hidden = hidden, Bias = request.Bias, KeepRegions = true, Realizability = true,
            }, cancellation: cancellation, cells: cells);
            (losses, realizable, undecided, weights) = (all.Losses!, all.Realizable!, all.Undecided!, null);
            global = GlobalSearch.Run(cells, hidden, 0, null, cancellation);
        }
        else
        {
            // The nonempty multisets once: their subglobal minima are also the bounds of the global search.
            NonemptyRegions rows = NonemptyRegions.Enumerate(cells, hidden,
                new NonemptyOptions { Unordered = true, Keep = true, Realizability = true, Bins = 1 }, cancellation);
            (losses, realizable, undecided, weights) = (rows.Losses!, rows.Realizable!, rows.Undecided!, rows.Multiplicities);
            global = GlobalSearch.Search(cells, hidden, null, losses, 0, null, cancellation);
        }
        double above = global.GlobalMinimum + tolerance;
        long regions = 0, poor = 0, realizableMinima = 0, spurious = 0, unsure = 0;
        var realizableLosses = new List<double>();
        var spuriousLosses = new List<double>();
        for (int r = 0; r < losses.Length; r++)
        {
            long w = weights?[r] ?? 1;
            regions += w;
            if (losses[r] > above) poor += w;
            if (undecided[r]) unsure += w;
            if (!realizable[r]) continue;
            realizableMinima += w;
            realizableLosses.Add(losses[r]);
            if (losses[r] <= above) continue;
            spurious += w;
            spuriousLosses.Add(losses[r]);
        }
        int realizableLevels = LossLevels.Group([.. realizableLosses], tolerance).Losses.Length;
        double[] spuriousLevels = [.. LossLevels.Group([.. spuriousLosses], tolerance).Losses.Select(l => dead > 0.0 ? l / dead : 0.0)];
        return new SweepUnit(cells.Data.Count, seed, hidden, regions, poor, realizableMinima, realizableLevels, spurious, spuriousLevels,
            global.GlobalMinimum, global.AttainedAtBoundary, global.LowestRealizable, losses.Min(), dead, unsure, global.Certified, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The request a sweep directory was started with.</summary>
    public static SweepRequest ReadRequest(string directory)
    {
        string file = Path.Combine(directory, "request.json");
        if (!IsSweepRun(directory)) throw new EngineInputException($"{directory} is not a sweep run directory");
        JsonNode json = JsonNode.Parse(File.ReadAllText(file))!;
        return new SweepRequest
        {
            Points = [.. json["points"]!.AsArray().Select(p => p!.GetValue<int>())],
            Inputs = json["inputs"]!.GetValue<int>(),
            Bias = json["bias"]!.GetValue<bool>(),
            FirstSeed = json["first_seed"]!.GetValue<int>(),
            LastSeed = json["last_seed"]!.GetValue<int>(),
            MinHidden = json["min_hidden"]!.GetValue<int>(),
            MaxHidden = json["max_hidden"]!.GetValue<int>(),
            Targets = SweepTargets.Parse(json["targets"]!.GetValue<string>()),
            AllPatterns = json["all_patterns"]!.GetValue<bool>(),
        };
    }

    private static RunDirectory Open(SweepRequest request, string path)
    {
        var identity = new JsonObject
        {
            ["version"] = Version,
            ["command"] = "sweep",
            ["points"] = new JsonArray([.. request.Points.Select(p => (JsonNode)p)]),
            ["inputs"] = request.Inputs,
            ["bias"] = request.Bias,
            ["first_seed"] = request.FirstSeed,
            ["last_seed"] = request.LastSeed,
            ["min_hidden"] = request.MinHidden,
            ["max_hidden"] = request.MaxHidden,
            ["targets"] = request.Targets.Name,
            ["all_patterns"] = request.AllPatterns,
        };
        return RunDirectory.Open(path, identity);
    }

    private static void Write(BinaryWriter w, SweepUnit u)
    {
        w.Write(Magic);
        w.Write(u.Points);
        w.Write(u.Seed);
        w.Write(u.Hidden);
        foreach (long count in new[] { u.Regions, u.PoorRegions, u.RealizableMinima, u.SpuriousMinima, u.Undecided }) w.Write(count);
        w.Write(u.RealizableLevels);
        w.Write(u.SpuriousLevels.Count);
        foreach (double level in u.SpuriousLevels) w.Write(level);
        w.Write(u.GlobalMinimum);
        w.Write(u.AttainedAtBoundary);
        w.Write(u.LowestRealizable is not null);
        w.Write(u.LowestRealizable ?? 0.0);
        w.Write(u.LowestSubglobal);
        w.Write(u.DeadRegionLoss);
        w.Write(u.Proven);
        w.Write(u.Seconds);
    }

    private static SweepUnit Read(BinaryReader r)
    {
        if (r.ReadInt32() != Magic) throw new InvalidDataException("not a sweep unit of this engine");
        int points = r.ReadInt32(), seed = r.ReadInt32(), hidden = r.ReadInt32();
        long regions = r.ReadInt64(), poor = r.ReadInt64(), realizable = r.ReadInt64(), spurious = r.ReadInt64(), undecided = r.ReadInt64();
        int levels = r.ReadInt32();
        double[] spuriousLevels = new double[r.ReadInt32()];
        for (int k = 0; k < spuriousLevels.Length; k++) spuriousLevels[k] = r.ReadDouble();
        double global = r.ReadDouble();
        bool boundary = r.ReadBoolean();
        bool hasLowest = r.ReadBoolean();
        double lowest = r.ReadDouble();
        double subglobal = r.ReadDouble(), dead = r.ReadDouble();
        bool proven = r.ReadBoolean();
        double seconds = r.ReadDouble();
        return new SweepUnit(points, seed, hidden, regions, poor, realizable, levels, spurious, spuriousLevels, global, boundary, hasLowest ? lowest : null,
            subglobal, dead, undecided, proven, seconds);
    }
}
