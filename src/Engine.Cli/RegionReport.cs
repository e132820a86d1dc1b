using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using Engine.Core.Geometry;
using Engine.Core.Regions;
using Engine.Runs;

namespace Engine.Cli;

/// <summary>
/// How region runs are printed and written: tables for people; CSV, JSON and witness lines for programs, each file
/// written atomically. Exhaustive and nonempty runs share one shape (<see cref="RegionRun"/>) and so one writer.
/// </summary>
internal static class RegionReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    // Patterns longer than this are not printed: a row number is more useful than a wall of bits.
    private const int MaxPatternText = 120;

    public static string Describe(RegionShape shape, string dataset) =>
        $"{dataset}: N={shape.Points}, n={shape.Inputs}, h={shape.Hidden}, {(shape.Bias == 1 ? "bias" : "no bias")}, m={shape.Parameters}";

    public static string Regions(long count) =>
        (count & (count - 1)) == 0 ? $"{count.ToString("N0", Inv)} (2^{System.Numerics.BitOperations.Log2((ulong)count)})" : count.ToString("N0", Inv);

    public static string Duration(double seconds) => seconds switch
    {
        < 1 => $"{seconds * 1000:0} ms",
        < 120 => $"{seconds:0.0} s",
        < 7200 => $"{seconds / 60:0.0} min",
        < 172800 => $"{seconds / 3600:0.0} h",
        < 3e7 => $"{seconds / 86400:0.0} days",
        _ => $"{seconds / 3.156e7:0.0e0} years",
    };

    /// <summary>The histogram, extremes, realizable minima and distinct levels of a run as a text table.</summary>
    public static string Table(RegionRun run)
    {
        LossSummary s = run.Summary;
        RegionRequest request = run.Request;
        var text = new StringBuilder();
        if (request.Nonempty)
        {
            text.AppendLine(Inv, $"subglobal minima of the nonempty regions of {Describe(run.Shape, request.Data.Name)}");
            text.AppendLine(Inv, $"{run.Cells!.Count:N0} cells per node; {run.Regions:N0} nonempty regions of 2^{run.Shape.PatternBits} patterns, as {run.Rows:N0} {(request.Unordered ? "multisets" : "ordered tuples")}{Interrupted(run)}; singular systems {s.Singular:N0}; {Duration(run.Seconds)}");
        }
        else
        {
            text.AppendLine(Inv, $"subglobal minima of {Describe(run.Shape, request.Data.Name)}");
            text.AppendLine(Inv, $"regions {Regions(run.Done)}{Interrupted(run)}, singular systems {s.Singular:N0}, {Duration(run.Seconds)} on {run.Device}");
        }
        text.AppendLine(Inv, $"certified solves: {s.Count - s.Exact:N0} by the fast path, {s.Exact:N0} by the exact path on the design{Decided(run)}");
        text.AppendLine();
        Histogram(text, s, run.RealizableSummary);
        Extremes(text, s, run.DeadRegionLoss, row => Pattern(run, row));
        double tolerance = LossLevels.Tolerance(run.DeadRegionLoss);
        if (run.RealizableSummary is { } real)
        {
            if (run.Feasible is not null && !request.Nonempty)
                text.AppendLine(Inv, $"  nonempty regions {run.Feasible.Count(f => f):N0}");
            text.AppendLine(Inv, $"  realizable minima {real.Count:N0}{(real.Count > 0 ? $", lowest {real.Min:0.000000} at {Pattern(run, real.ArgMin)}" : "")}");
            if (run.Realizable is not null)
            {
                long poor = Enumerable.Range(0, (int)run.Done).Where(r => run.Realizable[r] && run.Losses![r] > real.Min + tolerance).Sum(r => run.Multiplicities?[r] ?? 1);
                text.AppendLine(Inv, $"  poor realizable minima (above the lowest realizable): {poor:N0}");
            }
        }
        if (request.Nonempty)
        {
            bool linear = run.Cells!.Columns.Any(c => Enumerable.Range(0, run.Shape.Points).All(i => ColumnFeasibility.Active(c, i)));
            bool dead = run.Cells.Columns.Any(c => c.All(w => w == 0));
            text.AppendLine(Inv, $"  linear region (all ones): {(linear ? "nonempty" : "empty for this data")}; dead region (all zeros): {(dead ? "nonempty" : "empty for this data")}");
        }
        else if (run.Realizable is not null && run.Completed && run.First + run.Done == run.Shape.Regions)
        {
            text.AppendLine(Inv, $"  linear region (all ones, linear regression) {run.Losses![run.Done - 1]:0.000000}, {(run.Realizable[run.Done - 1] ? "realizable" : "not realizable")}");
        }
        if (run.Losses is not null)
        {
            long[]? weights = run.Multiplicities;
            double[]? realizable = run.Realizable is null ? null : run.Losses.Where((_, r) => run.Realizable[r]).ToArray();
            long[]? realizableWeights = run.Realizable is null || weights is null ? null : weights.Where((_, r) => run.Realizable[r]).ToArray();
            Levels(text, run.Losses, weights, realizable, tolerance, realizableWeights);
        }
        return text.ToString();
    }

    /// <summary>
    /// One row per region, written atomically: index,loss,feasible,realizable (feasible and realizable only when
    /// realizability was decided), and the multiplicity of unordered multisets. Nonempty ordered rows with indices are
    /// written in index order, so they line up with the feasible rows of an exhaustive run's CSV.
    /// </summary>
    public static void WriteCsv(RegionRun run, string path)
    {
        IEnumerable<long> rows = Enumerable.Range(0, (int)run.Done).Select(r => (long)r);
        long[] indices = rows.Select(r => run.Index(run.First + r)).ToArray();
        if (run.Request.Nonempty && !run.Request.Unordered && run.Shape.Indexed) rows = rows.OrderBy(r => indices[r]);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.WriteLine(run.Request.Unordered ? "index,loss,feasible,realizable,multiplicity" : "index,loss,feasible,realizable");
            foreach (long r in rows)
            {
                string index = indices[r] < 0 ? "" : indices[r].ToString(Inv);
                string flags = run.Feasible is null ? (run.Request.Nonempty ? "1," : ",") : $"{(run.Feasible[r] ? 1 : 0)},{(run.Realizable![r] ? 1 : 0)}";
                string multiplicity = run.Multiplicities is null ? "" : "," + run.Multiplicities[r].ToString(Inv);
                writer.WriteLine(string.Create(Inv, $"{index},{run.Losses![r]:R},{flags}{multiplicity}"));
            }
        });
    }

    /// <summary>
    /// One JSON object per line for every realizable region, written atomically: its index (and row and multiplicity
    /// in a nonempty run), the verified network (W, b, v, c; b and c only with bias), the loss it attains and its margin.
    /// </summary>
    public static void WriteWitnesses(RegionRun run, string path)
    {
        ArgumentNullException.ThrowIfNull(run.Witnesses);
        AtomicFile.Write(path, stream =>
        {
            foreach (RegionWitness w in run.Witnesses)
            {
                using (var json = new Utf8JsonWriter(stream))
                {
                    json.WriteStartObject();
                    if (w.Index >= 0) json.WriteNumber("index", w.Index);
                    if (run.Request.Nonempty) json.WriteNumber("row", w.Row);
                    if (run.Request.Unordered) json.WriteNumber("multiplicity", w.Multiplicity);
                    json.WriteStartArray("W");
                    foreach (double[] row in w.Witness.W)
                    {
                        json.WriteStartArray();
                        foreach (double e in row) json.WriteNumberValue(e);
                        json.WriteEndArray();
                    }
                    json.WriteEndArray();
                    if (w.Witness.Bias) Numbers(json, "b", w.Witness.B);
                    Numbers(json, "v", w.Witness.V);
                    if (w.Witness.Bias) json.WriteNumber("c", w.Witness.C);
                    json.WriteNumber("loss", w.Witness.Loss);
                    json.WriteNumber("margin", w.Witness.Margin);
                    json.WriteEndObject();
                }
                stream.WriteByte((byte)'\n');
            }
        });
    }

    /// <summary>
    /// The run's settings, histograms and decision counts as JSON. Only "seconds" depends on how the run went: not the
    /// device, the split into parts or the interruptions, so a resumed or merged run writes the same document.
    /// </summary>
    public static JsonObject Json(RegionRun run)
    {
        LossSummary s = run.Summary;
        RegionRequest request = run.Request;
        var json = new JsonObject
        {
            ["dataset"] = request.Data.Name,
            ["points"] = run.Shape.Points,
            ["inputs"] = run.Shape.Inputs,
            ["hidden"] = run.Shape.Hidden,
            ["bias"] = run.Shape.Bias == 1,
            ["parameters"] = run.Shape.Parameters,
            ["nonempty"] = request.Nonempty,
            ["unordered"] = request.Unordered,
            ["cells_per_node"] = run.Cells?.Count,
            ["regions"] = run.Regions,
            ["rows"] = run.Rows,
            ["start"] = run.First,
            ["requested"] = run.Rows,
            ["done"] = run.Done,
            ["completed"] = run.Completed,
            ["units"] = run.Units.Total,
            ["seconds"] = run.Seconds,
            ["dead_region_loss"] = run.DeadRegionLoss,
        };
        foreach ((string key, JsonNode? value) in SummaryJson(s)) json[key] = value?.DeepClone();
        json["realizable"] = run.RealizableSummary is { } real ? SummaryJson(real) : null;
        json["decisions"] = run.Cells is null ? null : new JsonObject
        {
            ["programs"] = run.Decisions.Programs,
            ["glop_fallbacks"] = run.Decisions.Fallbacks,
            ["unchecked"] = run.Decisions.Unchecked,
        };
        return json;
    }

    /// <summary>Writes <paramref name="node"/> indented to <paramref name="path"/>, atomically.</summary>
    public static void WriteJson(JsonNode node, string path) => AtomicFile.WriteText(path, node.ToJsonString(Indented) + "\n");

    /// <summary>One line on stderr when some yes/no of the geometry could be backed by neither a witness nor a certificate.</summary>
    public static void WarnUnchecked(RegionRun run)
    {
        if (run.Decisions.Unchecked > 0)
            Console.Error.WriteLine($"engine: warning: {run.Decisions.Unchecked:N0} geometry decisions had neither a verified witness nor a certificate, even from GLOP; they count as \"no\"");
    }

    /// <summary>Columns as one group of h bits per data point, nodes in order.</summary>
    public static string ColumnsPattern(IReadOnlyList<ulong[]> columns, int points)
    {
        var text = new StringBuilder(points * (columns.Count + 1));
        for (int i = 0; i < points; i++)
        {
            if (i > 0) text.Append(' ');
            foreach (ulong[] column in columns) text.Append(ColumnFeasibility.Active(column, i) ? '1' : '0');
        }
        return text.ToString();
    }

    private static string Interrupted(RegionRun run) => run.Completed ? "" : string.Create(Inv, $" ({run.Done:N0} of {run.Rows:N0} rows: interrupted)");

    // How the geometry's margin programs were decided, after the solve counts.
    private static string Decided(RegionRun run) => run.Cells is null ? "" : string.Create(Inv,
        $"; geometry: {run.Decisions.Programs:N0} margin programs, {run.Decisions.Fallbacks:N0} sent to GLOP, {run.Decisions.Unchecked:N0} unchecked");

    // "region I (a = …)" of an exhaustive run, the pattern or the row and cells of a nonempty one.
    private static string Pattern(RegionRun run, long row)
    {
        if (!run.Request.Nonempty) return $"region {row} (a = {RegionPattern.Format(row, run.Shape.Points, run.Shape.Hidden)})";
        return run.Shape.Points * (run.Shape.Hidden + 1) <= MaxPatternText
            ? "a = " + ColumnsPattern(run.Columns(row), run.Shape.Points)
            : $"row {row} (cells {string.Join(", ", run.CellsOf(row)!.Select(c => c + 1))})";
    }

    private static void Numbers(Utf8JsonWriter json, string name, IReadOnlyList<double> values)
    {
        json.WriteStartArray(name);
        foreach (double e in values) json.WriteNumberValue(e);
        json.WriteEndArray();
    }

    // Minimum and maximum with where they are, the mean, and the dead region's loss.
    private static void Extremes(StringBuilder text, LossSummary s, double dead, Func<long, string> where)
    {
        if (s.Count == 0) return;
        text.AppendLine(Inv, $"  min  {s.Min:0.000000} at {where(s.ArgMin)}");
        text.AppendLine(Inv, $"  max  {s.Max:0.000000} at {where(s.ArgMax)}");
        text.AppendLine(Inv, $"  mean {s.Mean:0.000000}; dead region (all zeros) {dead:0.000000}");
    }

    // Bins of all regions, with the realizable ones beside them when decided.
    private static void Histogram(StringBuilder text, LossSummary s, LossSummary? real)
    {
        text.AppendLine(real is null ? "  loss from     loss to    regions    share" : "  loss from     loss to    regions    share  realizable");
        double width = s.Upper / s.Bins.Length;
        for (int b = 0; b < s.Bins.Length; b++)
        {
            text.Append(Inv, $"  {b * width,9:0.0000}   {(b + 1) * width,9:0.0000}  {s.Bins[b],9:N0}  {Share(s.Bins[b], s.Count),6}");
            if (real is not null) text.Append(Inv, $"  {real.Bins[b],10:N0}");
            text.AppendLine();
        }
        text.AppendLine();
    }

    // Distinct minima with their (weighted) region counts, and realizable counts when known; only when few.
    private static void Levels(StringBuilder text, double[] losses, long[]? weights, double[]? realizable, double tolerance, long[]? realizableWeights)
    {
        IReadOnlyList<(double Loss, long Count)> levels = LossLevels.Group(losses, tolerance, weights);
        if (levels.Count > 40) return;
        IReadOnlyList<(double Loss, long Count)> real = realizable is null ? [] : LossLevels.Group(realizable, tolerance, realizableWeights);
        text.AppendLine();
        text.AppendLine(realizable is null ? "  distinct minima   regions" : "  distinct minima   regions  realizable");
        foreach ((double loss, long count) in levels)
        {
            text.Append(Inv, $"  {loss,14:0.000000}  {count,8:N0}");
            if (realizable is not null)
            {
                long r = real.Where(l => Math.Abs(l.Loss - loss) <= tolerance).Sum(l => l.Count);
                text.Append(Inv, $"  {(r == 0 ? "." : r.ToString("N0", Inv)),10}");
            }
            text.AppendLine();
        }
    }

    private static string Share(long count, long total) => total == 0 ? "-" : (100.0 * count / total).ToString("0.00", Inv) + "%";

    private static JsonArray Bins(LossSummary s)
    {
        double width = s.Upper / s.Bins.Length;
        var bins = new JsonArray();
        for (int b = 0; b < s.Bins.Length; b++)
            bins.Add(new JsonObject { ["from"] = b * width, ["to"] = (b + 1) * width, ["regions"] = s.Bins[b] });
        return bins;
    }

    private static JsonObject SummaryJson(LossSummary s) => new()
    {
        ["count"] = s.Count,
        ["singular"] = s.Singular,
        ["exact_path"] = s.Exact,
        ["min"] = s.Count > 0 ? s.Min : null,
        ["argmin"] = s.Count > 0 ? s.ArgMin : null,
        ["max"] = s.Count > 0 ? s.Max : null,
        ["argmax"] = s.Count > 0 ? s.ArgMax : null,
        ["mean"] = s.Count > 0 ? s.Mean : null,
        ["histogram"] = Bins(s),
    };
}
