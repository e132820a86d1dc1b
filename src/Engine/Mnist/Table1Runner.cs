using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Engine.Core.Mlp;
using Engine.Core.Mnist;
using Engine.Runs;

namespace Engine.Mnist;

/// <summary>What a call of <see cref="Table1Runner.Run"/> did.</summary>
/// <param name="Cells">The table's cells (of the finished groups), or null when groups are still missing from a run directory.</param>
/// <param name="Groups">Groups of the whole run.</param>
/// <param name="Computed">Groups this call trained.</param>
/// <param name="Missing">Groups not yet finished by anyone.</param>
public sealed record Table1Outcome(IReadOnlyList<Table1Cell>? Cells, int Groups, int Computed, IReadOnlyList<int> Missing);

/// <summary>
/// Table 1 as units of work: each group of repeats (<see cref="Table1Group"/>) is one unit, kept in memory or stored
/// atomically in a run directory. Resuming retrains only the groups not finished (a group cut short is trained again
/// from its start, so it gives the same accuracies), parts of a job array train disjoint groups, and
/// <see cref="Merge"/> assembles the table from a directory.
/// </summary>
public static class Table1Runner
{
    private const string RequestVersion = "engine table1 run 1";

    /// <summary>
    /// Trains the groups of <paramref name="options"/> that <paramref name="run"/> assigns to this call and that are not
    /// finished, on the compute path named <paramref name="pathName"/> (part of the run's identity: another BLAS or a GPU
    /// rounds differently). Without a run directory an interruption keeps the group in training as it stands; with one,
    /// it is abandoned and trained again on resuming.
    /// </summary>
    public static Table1Outcome Run(ComputeDevice device, MnistData data, Table1Options options, string pathName, RunOptions run,
        IProgress<Table1Progress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(run);
        IReadOnlyList<Table1Group> groups = Table1Experiment.Groups(options, data.Features);
        RunDirectory? directory = Open(run, options, data, pathName);
        var kept = new Dictionary<int, Table1GroupResult>();
        int computed = 0;
        var clock = Stopwatch.StartNew();
        for (int g = run.Part; g < groups.Count && !cancellation.IsCancellationRequested; g += run.Parts)
        {
            if (directory is not null && directory.Has(g)) continue;
            Table1GroupResult result;
            try
            {
                result = Table1Experiment.TrainGroup(device, data, options, groups[g], whole: directory is not null, progress, clock.Elapsed, cancellation);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (directory is not null) directory.Write(g, w => Write(w, result));
            else kept[g] = result;
            computed++;
        }
        IReadOnlyList<int> missing = directory is not null ? directory.Missing(groups.Count) : [.. Enumerable.Range(0, groups.Count).Where(g => !kept.ContainsKey(g))];
        if (run.Parts > 1 || (directory is not null && missing.Count > 0)) return new Table1Outcome(null, groups.Count, computed, missing);
        IEnumerable<Table1GroupResult> results = directory is null ? kept.OrderBy(p => p.Key).Select(p => p.Value) : Enumerable.Range(0, groups.Count).Select(g => Read(directory, g, groups[g]));
        return new Table1Outcome(Table1Experiment.Cells(options, results), groups.Count, computed, missing);
    }

    /// <summary>Whether <paramref name="directory"/> holds a Table 1 run (rather than a region run).</summary>
    public static bool IsTable1Run(string directory)
    {
        string file = Path.Combine(directory, "request.json");
        return File.Exists(file) && File.ReadAllText(file).Contains($"\"{RequestVersion}\"", StringComparison.Ordinal);
    }

    /// <summary>
    /// The options of the Table 1 run in <paramref name="directory"/> and its cells once every group is finished;
    /// <see cref="EngineInputException"/> naming the groups and parts still missing otherwise.
    /// </summary>
    public static (Table1Options Options, IReadOnlyList<Table1Cell> Cells) Merge(string directory)
    {
        JsonNode json = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "request.json")))!;
        var options = new Table1Options(
            [.. json["widths"]!.AsArray().Select(k => k!.GetValue<int>())],
            [.. json["modes"]!.AsArray().Select(m => NetworkModes.Parse(m!.GetValue<string>()))],
            json["repeats"]!.GetValue<int>(), json["epochs"]!.GetValue<int>(), json["seed"]!.GetValue<ulong>());
        int features = json["mnist"]!["features"]!.GetValue<int>();
        IReadOnlyList<Table1Group> groups = Table1Experiment.Groups(options, features);
        var dir = RunDirectory.Open(directory, File.ReadAllText(Path.Combine(directory, "request.json")));
        IReadOnlyList<int> missing = dir.Missing(groups.Count);
        if (missing.Count > 0)
        {
            int? parts = dir.Parts;
            throw new EngineInputException($"{directory}: {missing.Count} of {groups.Count} training groups are missing; " +
                (parts is int k ? $"parts {string.Join(", ", missing.Select(g => g % k).Distinct().Order().Select(p => $"{p}/{k}"))} have not finished" : "run the same table1 command again to finish them"));
        }
        return (options, Table1Experiment.Cells(options, Enumerable.Range(0, groups.Count).Select(g => Read(dir, g, groups[g]))));
    }

    private static RunDirectory? Open(RunOptions run, Table1Options options, MnistData data, string pathName)
    {
        if (run.Parts < 1 || run.Part < 0 || run.Part >= run.Parts)
            throw new EngineInputException($"part {run.Part}/{run.Parts} does not exist: parts are numbered 0 to {Math.Max(run.Parts, 1) - 1}");
        if (run.Directory is null)
        {
            if (run.Parts > 1) throw new EngineInputException("a run split into parts needs a run directory to collect them");
            return null;
        }
        var identity = new JsonObject
        {
            ["version"] = RequestVersion,
            ["command"] = "table1",
            ["widths"] = new JsonArray([.. options.Widths.Select(k => JsonValue.Create(k))]),
            ["modes"] = new JsonArray([.. options.Modes.Select(m => JsonValue.Create(m.Name()))]),
            ["repeats"] = options.Repeats,
            ["epochs"] = options.Epochs,
            ["seed"] = options.Seed,
            ["mnist"] = new JsonObject
            {
                ["train"] = data.TrainCount,
                ["test"] = data.TestCount,
                ["features"] = data.Features,
                ["sha256"] = Convert.ToHexStringLower(SHA256.HashData([.. data.Pixels, .. data.Labels])),
            },
            ["path"] = pathName,
        };
        var directory = RunDirectory.Open(run.Directory, identity);
        if (run.Parts > 1) directory.SetParts(run.Parts);
        directory.RemoveStrays();
        return directory;
    }

    private static void Write(BinaryWriter w, Table1GroupResult result)
    {
        w.Write(result.Epochs);
        w.Write(result.SecondsPerEpoch);
        w.Write(result.TrainAccuracy.Length);
        foreach (double a in result.TrainAccuracy) w.Write(a);
        foreach (double a in result.TestAccuracy) w.Write(a);
    }

    private static Table1GroupResult Read(RunDirectory directory, int unit, Table1Group group) => directory.Read(unit, r =>
    {
        int epochs = r.ReadInt32();
        double seconds = r.ReadDouble();
        int size = r.ReadInt32();
        if (size != group.Size) throw new EngineInputException($"{directory.Path} group {unit} holds {size} repeats, not {group.Size}; delete it to train it again");
        double[] train = new double[size], test = new double[size];
        for (int k = 0; k < size; k++) train[k] = r.ReadDouble();
        for (int k = 0; k < size; k++) test[k] = r.ReadDouble();
        return new Table1GroupResult(group, epochs, train, test, seconds);
    });
}
