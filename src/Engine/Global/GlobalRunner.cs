using System.Text.Json.Nodes;
using Engine.Core.Closure;
using Engine.Core.Geometry;
using Engine.Core.Network;
using Engine.Core.Regions;
using Engine.Runs;

namespace Engine;

/// <summary>What a call of a global search in a run directory did: the answer once every part is in, else what is missing.</summary>
/// <param name="Minimum">The merged answer; null while parts are missing or when this call was interrupted.</param>
/// <param name="Parts">Parts the rows are split into.</param>
/// <param name="Missing">Parts whose result is not in the directory yet.</param>
public sealed record GlobalOutcome(GlobalMinimum? Minimum, int Parts, IReadOnlyList<int> Missing);

/// <summary>
/// A global search in a run directory, resumable and split into parts for job arrays. The unordered rows are cut into
/// units of <see cref="GlobalSearch.BoundChunk"/>; part I of K owns the units u with u mod K = I. A part stores each
/// unit's bounds as it finishes them (units/), then searches its own rows and stores its answer (part-I-of-K); parts
/// merge by <see cref="GlobalSearch.Merge"/> into the same answer as one search over every row. Ctrl+C, SIGTERM or
/// kill -9 lose at most the unit or search in flight; the same command resumes. The cells live in cells/.
/// </summary>
internal static class GlobalRunner
{
    private const string Version = "engine global run 1";

    /// <summary>Whether <paramref name="directory"/> holds a global run.</summary>
    public static bool IsGlobalRun(string directory)
    {
        string file = Path.Combine(directory, "request.json");
        return File.Exists(file) && File.ReadAllText(file).Contains($"\"{Version}\"", StringComparison.Ordinal);
    }

    /// <summary>The cells of a run directory's request, kept in its cells/ folder.</summary>
    public static ArrangementCells Cells(GlobalRequest request, string directory, IProgress<RunProgress>? progress, CancellationToken cancellation) =>
        RegionRunner.Cells(request.Data, request.Bias, Path.Combine(Open(request, directory).Path, "cells"), progress, cancellation);

    /// <summary>Computes the part of <paramref name="plan"/> that <paramref name="options"/> assigns, and merges when all are in.</summary>
    public static GlobalOutcome Run(GlobalPlan plan, RunOptions options, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        GlobalRequest request = plan.Request;
        RunDirectory directory = Open(request, options.Directory!);
        directory.RemoveStrays();
        if (options.Parts > 1) directory.SetParts(options.Parts);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int units = Units(plan.Rows);
        int[] mine = [.. Enumerable.Range(0, units).Where(u => u % options.Parts == options.Part)];
        string name = PartName(options.Part, options.Parts);
        if (directory.Load(name, r => Read(r, request, plan.Cells)) is null)
        {
            // A part with no units (fewer units than parts) has no answer of its own; it is stored as empty.
            if (mine.Length == 0)
            {
                directory.Save(name, w => Write(w, null));
                IReadOnlyList<int> left = Missing(directory, options.Parts);
                return left.Count > 0 ? new GlobalOutcome(null, options.Parts, left) : new GlobalOutcome(Merged(directory, options.Parts, request, plan.Cells, clock.Elapsed.TotalSeconds), options.Parts, []);
            }
            var phase = System.Diagnostics.Stopwatch.StartNew();
            long[] rows = [.. mine.SelectMany(u => Range(u, plan.Rows))];
            double[] bounds = new double[rows.Length];
            long done = 0;
            foreach (int u in mine)
            {
                if (cancellation.IsCancellationRequested) return new GlobalOutcome(null, options.Parts, Missing(directory, options.Parts));
                long from = (long)u * GlobalSearch.BoundChunk, count = Math.Min(GlobalSearch.BoundChunk, plan.Rows - from);
                double[] unit = directory.Has(u) ? directory.Read(u, r => ReadBounds(r, count)) : Store(directory, u, GlobalSearch.Bounds(plan.Cells, request.Hidden, from, count, 0, cancellation));
                unit.CopyTo(bounds, done);
                done += count;
                progress?.Report(new RunProgress("bounds", done, rows.Length, phase.Elapsed));
            }
            phase.Restart();
            string current = "";
            var phases = progress is null ? null : new ProgressCallback<SearchProgress>(p =>
            {
                if (p.Phase != current) phase.Restart();
                current = p.Phase;
                progress.Report(new RunProgress(p.Phase, p.Done, p.Total, phase.Elapsed));
            });
            GlobalSearchResult part;
            try
            {
                part = GlobalSearch.Search(plan.Cells, request.Hidden, rows, bounds, 0, phases, cancellation);
            }
            catch (OperationCanceledException)
            {
                return new GlobalOutcome(null, options.Parts, Missing(directory, options.Parts));
            }
            directory.Save(name, w => Write(w, part));
        }
        IReadOnlyList<int> missing = Missing(directory, options.Parts);
        if (missing.Count > 0) return new GlobalOutcome(null, options.Parts, missing);
        return new GlobalOutcome(Merged(directory, options.Parts, request, plan.Cells, clock.Elapsed.TotalSeconds), options.Parts, []);
    }

    /// <summary>
    /// The answer of the finished global run in <paramref name="directory"/>, its request and data read from there, or
    /// <see cref="EngineInputException"/> naming the parts still missing.
    /// </summary>
    public static GlobalMinimum Merge(string directory, IProgress<RunProgress>? progress)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        JsonNode json = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "request.json")))!;
        var request = new GlobalRequest
        {
            Data = RegionRunner.ReadData(directory, json["data_sha256"]!.GetValue<string>()),
            Hidden = json["hidden"]!.GetValue<int>(),
            Bias = json["bias"]!.GetValue<bool>(),
        };
        RunDirectory dir = Open(request, directory);
        int parts = dir.Parts ?? 1;
        IReadOnlyList<int> missing = Missing(dir, parts);
        if (missing.Count > 0)
            throw new EngineInputException($"{directory}: parts {string.Join(", ", missing.Select(p => $"{p}/{parts}"))} have not finished; run them, then merge");
        ArrangementCells cells = RegionRunner.Cells(request.Data, request.Bias, Path.Combine(dir.Path, "cells"), progress);
        return Merged(dir, parts, request, cells, clock.Elapsed.TotalSeconds);
    }

    private static GlobalMinimum Merged(RunDirectory directory, int parts, GlobalRequest request, ArrangementCells cells, double seconds)
    {
        GlobalSearchResult[] all = [.. Enumerable.Range(0, parts).Select(p => directory.Load(PartName(p, parts), r => Read(r, request, cells))!.Result)
            .OfType<GlobalSearchResult>()];
        return new GlobalMinimum(request, cells, GlobalSearch.Merge(all), seconds);
    }

    private static RunDirectory Open(GlobalRequest request, string path)
    {
        JsonObject identity = RegionRunner.Identity(Version, "global", request.Data, request.Hidden, request.Bias);
        RunDirectory directory = RunDirectory.Open(path, identity);
        RegionRunner.SaveData(directory, request.Data);
        return directory;
    }

    private static int Units(long rows) => (int)((rows + GlobalSearch.BoundChunk - 1) / GlobalSearch.BoundChunk);

    private static IEnumerable<long> Range(int unit, long rows)
    {
        long from = (long)unit * GlobalSearch.BoundChunk;
        for (long r = from; r < Math.Min(rows, from + GlobalSearch.BoundChunk); r++) yield return r;
    }

    private static string PartName(int part, int parts) => $"part-{part}-of-{parts}.bin";

    private static IReadOnlyList<int> Missing(RunDirectory directory, int parts) =>
        [.. Enumerable.Range(0, parts).Where(p => !File.Exists(Path.Combine(directory.Path, PartName(p, parts))))];

    private static double[] Store(RunDirectory directory, int unit, double[] bounds)
    {
        directory.Write(unit, w =>
        {
            w.Write(bounds.Length);
            foreach (double b in bounds) w.Write(b);
        });
        return bounds;
    }

    private static double[] ReadBounds(BinaryReader reader, long count)
    {
        int n = reader.ReadInt32();
        if (n != count) throw new InvalidDataException($"a unit of {n} bounds where {count} were expected");
        double[] bounds = new double[n];
        for (int k = 0; k < n; k++) bounds[k] = reader.ReadDouble();
        return bounds;
    }

    // A stored part: its answer, or none when it owns no rows.
    private sealed record StoredPart(GlobalSearchResult? Result);

    // A part's answer, every number as its exact bits.
    private static void Write(BinaryWriter w, GlobalSearchResult? r)
    {
        w.Write(r is not null);
        if (r is null) return;
        w.Write(r.GlobalMinimum);
        Network(w, r.Witness.W, r.Witness.B, r.Witness.V, r.Witness.C, r.Witness.Loss);
        w.Write(r.Witness.Boundary.Length);
        foreach ((int point, int node) in r.Witness.Boundary)
        {
            w.Write(point);
            w.Write(node);
        }
        Region(w, r.Region);
        w.Write((int)r.Proof);
        w.Write(r.LowerBound);
        w.Write(r.Certified);
        w.Write(r.Tolerance);
        w.Write(r.LowestSubglobal);
        w.Write(r.LowestRealizable is not null);
        if (r.LowestRealizable is { } low)
        {
            w.Write(low);
            NetworkWitness n = r.RealizableWitness!;
            Network(w, [.. n.W], [.. n.B], [.. n.V], n.C, n.Loss);
            Region(w, r.RealizableRegion!);
        }
        foreach (long count in new[] { r.RegionsBounded, r.OrderedRegions, r.RegionsSolved, r.Programs, r.DoubleProofs, r.ExactProofs, r.Undecided,
            r.FailedWitnesses, r.ExactCells, r.RealizabilityDecisions, r.Decisions.Programs, r.Decisions.Fallbacks, r.Decisions.Unchecked })
            w.Write(count);
    }

    // A stored part's answer, its networks checked on the data again before they count.
    private static StoredPart Read(BinaryReader reader, GlobalRequest request, ArrangementCells cells)
    {
        if (!reader.ReadBoolean()) return new StoredPart(null);
        double value = reader.ReadDouble();
        (double[][] w, double[] b, double[] v, double c, double loss) = Network(reader);
        var boundary = new (int, int)[reader.ReadInt32()];
        for (int k = 0; k < boundary.Length; k++) boundary[k] = (reader.ReadInt32(), reader.ReadInt32());
        ClosedRegion region = Region(reader);
        var proof = (ClosureProof)reader.ReadInt32();
        double lower = reader.ReadDouble();
        bool certified = reader.ReadBoolean();
        double tolerance = reader.ReadDouble();
        double lowestSubglobal = reader.ReadDouble();
        double? lowestRealizable = null;
        NetworkWitness? realizable = null;
        ClosedRegion? realizableRegion = null;
        var shape = RegionShape.ForColumns(request.Data.Count, request.Data.Inputs, request.Hidden, request.Bias);
        double witnessTolerance = Realizability.WitnessTolerance(cells.Normalized, shape);
        if (reader.ReadBoolean())
        {
            lowestRealizable = reader.ReadDouble();
            (double[][] rw, double[] rb, double[] rv, double rc, double rloss) = Network(reader);
            realizableRegion = Region(reader);
            realizable = NetworkWitness.Verify(request.Data, request.Bias, [.. realizableRegion.Cells.Select(k => cells.Columns[k])], rw, rb, rv, rc, rloss, witnessTolerance)
                ?? throw new InvalidDataException("its realizable witness fails on the data");
        }
        long[] counts = new long[13];
        for (int k = 0; k < counts.Length; k++) counts[k] = reader.ReadInt64();
        double[] theta = [.. w.SelectMany(row => row), .. v, .. request.Bias ? [.. b, c] : Array.Empty<double>()];
        if (!(Math.Abs(ReluNetwork.Loss(request.Data, request.Hidden, request.Bias, theta) - value) <= witnessTolerance))
            throw new InvalidDataException("its witness does not attain its value on the data");
        var decisions = new DecisionCounts();
        decisions.Add(counts[10], counts[11], counts[12]);
        return new StoredPart(new GlobalSearchResult
        {
            GlobalMinimum = value,
            Witness = new ClosedNetwork(w, b, v, c, loss, boundary),
            Region = region,
            Proof = proof,
            LowerBound = lower,
            Certified = certified,
            Tolerance = tolerance,
            LowestSubglobal = lowestSubglobal,
            LowestRealizable = lowestRealizable,
            RealizableWitness = realizable,
            RealizableRegion = realizableRegion,
            RegionsBounded = counts[0],
            OrderedRegions = counts[1],
            RegionsSolved = counts[2],
            Programs = counts[3],
            DoubleProofs = counts[4],
            ExactProofs = counts[5],
            Undecided = counts[6],
            FailedWitnesses = counts[7],
            ExactCells = counts[8],
            RealizabilityDecisions = counts[9],
            Decisions = decisions,
        });
    }

    private static void Network(BinaryWriter w, IReadOnlyList<double[]> weights, IReadOnlyList<double> b, IReadOnlyList<double> v, double c, double loss)
    {
        w.Write(v.Count);
        w.Write(weights[0].Length);
        foreach (double[] row in weights)
        {
            foreach (double e in row) w.Write(e);
        }
        foreach (double e in b) w.Write(e);
        foreach (double e in v) w.Write(e);
        w.Write(c);
        w.Write(loss);
    }

    private static (double[][], double[], double[], double, double) Network(BinaryReader r)
    {
        int h = r.ReadInt32(), n = r.ReadInt32();
        double[][] w = new double[h][];
        for (int j = 0; j < h; j++)
        {
            w[j] = new double[n];
            for (int k = 0; k < n; k++) w[j][k] = r.ReadDouble();
        }
        double[] b = new double[h], v = new double[h];
        for (int j = 0; j < h; j++) b[j] = r.ReadDouble();
        for (int j = 0; j < h; j++) v[j] = r.ReadDouble();
        return (w, b, v, r.ReadDouble(), r.ReadDouble());
    }

    private static void Region(BinaryWriter w, ClosedRegion region)
    {
        w.Write(region.Row);
        w.Write(region.Cells.Length);
        foreach (int c in region.Cells) w.Write(c);
        foreach (int s in region.Signs) w.Write(s);
    }

    private static ClosedRegion Region(BinaryReader r)
    {
        long row = r.ReadInt64();
        int h = r.ReadInt32();
        int[] cells = new int[h], signs = new int[h];
        for (int j = 0; j < h; j++) cells[j] = r.ReadInt32();
        for (int j = 0; j < h; j++) signs[j] = r.ReadInt32();
        return new ClosedRegion(row, cells, signs);
    }
}
