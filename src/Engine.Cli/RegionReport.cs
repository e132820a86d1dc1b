using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Core;

namespace Engine.Cli;

/// <summary>How region results are printed and written: tables for people, CSV and JSON for programs.</summary>
internal static class RegionReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

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

    /// <summary>The histogram and extremes of a run as a text table.</summary>
    public static string Table(RegionEnumeration run)
    {
        LossSummary s = run.Summary;
        var text = new StringBuilder();
        text.AppendLine(Inv, $"subglobal minima of {Describe(run.Shape, run.Request.Data.Name)}");
        text.AppendLine(Inv, $"regions {Regions(run.Done)}{(run.Completed ? "" : $" of {run.Requested:N0} (interrupted)")}, singular systems {s.Singular:N0}, {Duration(run.Seconds)} on {run.Device}");
        text.AppendLine(Inv, $"certified solves: {s.Count - s.Exact:N0} by the fast path, {s.Exact:N0} by the exact path on the design{Decided(run.RealizableSummary is null ? null : run.Decisions)}");
        text.AppendLine();
        Histogram(text, s, run.RealizableSummary);
        Extremes(text, s, run.DeadRegionLoss, index => $"region {index} (a = {Pattern(run, index)})");
        if (run.RealizableSummary is { } real)
        {
            long nonempty = run.Feasible!.Count(f => f);
            text.AppendLine(Inv, $"  nonempty regions {nonempty:N0}; realizable minima {real.Count:N0}{(real.Count > 0 ? $", lowest {real.Min:0.000000} at region {real.ArgMin} (a = {Pattern(run, real.ArgMin)})" : "")}");
            double tolerance = LossLevels.Tolerance(run.DeadRegionLoss);
            long poor = Enumerable.Range(0, (int)run.Done).LongCount(r => run.Realizable![r] && run.Losses![r] > real.Min + tolerance);
            text.AppendLine(Inv, $"  poor realizable minima (above the lowest realizable): {poor:N0}");
            if (run.Request.Start + run.Done == run.Shape.Regions)
                text.AppendLine(Inv, $"  linear region (all ones, linear regression) {run.Losses![run.Done - 1]:0.000000}, {(run.Realizable![run.Done - 1] ? "realizable" : "not realizable")}");
        }
        if (run.Losses is not null)
        {
            double[] losses = run.Losses.AsSpan(0, (int)run.Done).ToArray();
            double[]? realizable = run.Realizable is null ? null : losses.Where((_, r) => run.Realizable[r]).ToArray();
            Levels(text, losses, null, realizable, LossLevels.Tolerance(run.DeadRegionLoss));
        }
        return text.ToString();
    }

    /// <summary>The text table of a nonempty-region enumeration.</summary>
    public static string Table(NonemptyRegions run, string dataset, double seconds)
    {
        LossSummary s = run.Summary;
        var text = new StringBuilder();
        text.AppendLine(Inv, $"subglobal minima of the nonempty regions of {Describe(run.Shape, dataset)}");
        text.AppendLine(Inv, $"{run.Cells.Count:N0} cells per node; {run.Regions:N0} nonempty regions of 2^{run.Shape.PatternBits} patterns, as {run.Rows:N0} {(run.Options.Unordered ? "multisets" : "ordered tuples")}; singular systems {s.Singular:N0}; {Duration(seconds)}");
        var decisions = new DecisionCounts();
        decisions.Merge(run.Cells.Decisions);
        decisions.Merge(run.Decisions);
        text.AppendLine(Inv, $"certified solves: {s.Exact:N0} of {s.Count:N0} regions by the exact path on the design, the rest by the fast path{Decided(decisions)}");
        text.AppendLine();
        Histogram(text, s, run.RealizableSummary);
        Extremes(text, s, run.DeadRegionLoss, row => NonemptyPattern(run, row));
        if (run.RealizableSummary is { Count: > 0 } real)
        {
            text.AppendLine(Inv, $"  realizable minima {real.Count:N0}, lowest {real.Min:0.000000} at {NonemptyPattern(run, real.ArgMin)}");
            if (run.Losses is not null)
            {
                double tolerance = LossLevels.Tolerance(run.DeadRegionLoss);
                long poor = Enumerable.Range(0, (int)run.Rows).Where(r => run.Realizable![r] && run.Losses[r] > real.Min + tolerance).Sum(r => run.Multiplicities![r]);
                text.AppendLine(Inv, $"  poor realizable minima (above the lowest realizable): {poor:N0}");
            }
        }
        int linear = Enumerable.Range(0, run.Cells.Count).FirstOrDefault(c => Enumerable.Range(0, run.Shape.Points).All(i => ColumnFeasibility.Active(run.Cells.Columns[c], i)), -1);
        text.AppendLine(Inv, $"  linear region (all ones): {(linear < 0 ? "empty for this data" : "nonempty")}; dead region (all zeros): {(Enumerable.Range(0, run.Cells.Count).Any(c => run.Cells.Columns[c].All(w => w == 0)) ? "nonempty" : "empty for this data")}");
        if (run.Losses is not null)
        {
            double[]? realizable = run.Realizable is null ? null : run.Losses.Where((_, r) => run.Realizable[r]).ToArray();
            long[]? realizableWeights = run.Realizable is null ? null : run.Multiplicities!.Where((_, r) => run.Realizable[r]).ToArray();
            Levels(text, run.Losses, run.Multiplicities, realizable, LossLevels.Tolerance(run.DeadRegionLoss), realizableWeights);
        }
        return text.ToString();
    }

    /// <summary>
    /// Index (or nothing beyond 62 bits), loss, and flags; with --unordered also the multiplicity. Ordered rows with
    /// indices are written in index order, so they line up with the feasible rows of an exhaustive run's CSV.
    /// </summary>
    public static void WriteCsv(NonemptyRegions run, string path)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(run.Options.Unordered ? "index,loss,feasible,realizable,multiplicity" : "index,loss,feasible,realizable");
        IEnumerable<long> rows = Enumerable.Range(0, (int)run.Rows).Select(r => (long)r);
        if (run.Indices is { } indices && !run.Options.Unordered) rows = rows.OrderBy(r => indices[r]);
        foreach (long r in rows)
        {
            string index = run.Indices is null ? "" : run.Indices[r].ToString(Inv);
            string realizable = run.Realizable is null ? "" : run.Realizable[r] ? "1" : "0";
            string multiplicity = run.Options.Unordered ? "," + run.Multiplicities![r].ToString(Inv) : "";
            writer.WriteLine(string.Create(Inv, $"{index},{run.Losses![r]:R},1,{realizable}{multiplicity}"));
        }
    }

    public static void WriteCsv(RegionEnumeration run, string path)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("index,loss,feasible,realizable");
        for (long r = 0; r < run.Done; r++)
        {
            string flags = run.Feasible is null ? "," : $"{(run.Feasible[r] ? 1 : 0)},{(run.Realizable![r] ? 1 : 0)}";
            writer.WriteLine(string.Create(Inv, $"{run.Request.Start + r},{run.Losses![r]:R},{flags}"));
        }
    }

    // How the geometry's margin programs were decided, after the solve counts.
    private static string Decided(DecisionCounts? decisions) => decisions is null ? "" : string.Create(Inv,
        $"; geometry: {decisions.Programs:N0} margin programs, {decisions.Fallbacks:N0} sent to GLOP, {decisions.Unchecked:N0} unchecked");

    /// <summary>One line on stderr when some yes/no of the geometry could be backed by neither a witness nor a certificate.</summary>
    public static void WarnUnchecked(params DecisionCounts[] counts)
    {
        long unchecked_ = counts.Sum(c => c.Unchecked);
        if (unchecked_ > 0)
            Console.Error.WriteLine($"engine: warning: {unchecked_:N0} geometry decisions had neither a verified witness nor a certificate, even from GLOP; they count as \"no\"");
    }

    /// <summary>
    /// One JSON object per line for every realizable region: its index, the verified network (W, b, v, c; b and c only
    /// with bias) and the loss it attains.
    /// </summary>
    public static void WriteWitnesses(RegionEnumeration run, string path) =>
        WriteWitnessLines(path, run.Witnesses!.Select(w => (w.Witness, (Action<System.Text.Json.Utf8JsonWriter>)(json => json.WriteNumber("index", w.Index)))));

    /// <summary>The witnesses of a nonempty run: the standard index when N·h ≤ 62, the row, and the multiplicity when unordered.</summary>
    public static void WriteWitnesses(NonemptyRegions run, string path)
    {
        ArgumentNullException.ThrowIfNull(run.Witnesses);
        WriteWitnessLines(path, run.Witnesses.Select(w => (w.Witness, (Action<System.Text.Json.Utf8JsonWriter>)(json =>
        {
            if (run.Shape.Indexed) json.WriteNumber("index", NonemptyRegions.Index(run.Columns(w.Row), run.Shape.Points));
            json.WriteNumber("row", w.Row);
            if (run.Options.Unordered) json.WriteNumber("multiplicity", run.Multiplicity(w.Row));
        }))));
    }

    private static void WriteWitnessLines(string path, IEnumerable<(NetworkWitness Witness, Action<System.Text.Json.Utf8JsonWriter> Key)> witnesses)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        foreach ((NetworkWitness w, Action<System.Text.Json.Utf8JsonWriter> key) in witnesses)
        {
            using (var json = new System.Text.Json.Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                key(json);
                json.WriteStartArray("W");
                foreach (double[] row in w.W)
                {
                    json.WriteStartArray();
                    foreach (double e in row) json.WriteNumberValue(e);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
                if (w.Bias) Array(json, "b", w.B);
                Array(json, "v", w.V);
                if (w.Bias) json.WriteNumber("c", w.C);
                json.WriteNumber("loss", w.Loss);
                json.WriteNumber("margin", w.Margin);
                json.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }
    }

    private static void Array(System.Text.Json.Utf8JsonWriter json, string name, IReadOnlyList<double> values)
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
    private static void Levels(StringBuilder text, double[] losses, long[]? weights, double[]? realizable, double tolerance, long[]? realizableWeights = null)
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

    public static JsonObject Json(RegionEnumeration run)
    {
        LossSummary s = run.Summary;
        return new JsonObject
        {
            ["dataset"] = run.Request.Data.Name,
            ["points"] = run.Shape.Points,
            ["inputs"] = run.Shape.Inputs,
            ["hidden"] = run.Shape.Hidden,
            ["bias"] = run.Shape.Bias == 1,
            ["parameters"] = run.Shape.Parameters,
            ["device"] = run.Device,
            ["path"] = run.Path.ToString().ToLowerInvariant(),
            ["start"] = run.Request.Start,
            ["requested"] = run.Requested,
            ["done"] = run.Done,
            ["completed"] = run.Completed,
            ["seconds"] = run.Seconds,
            ["dead_region_loss"] = run.DeadRegionLoss,
            ["singular"] = s.Singular,
            ["exact_path"] = s.Exact,
            ["decisions"] = run.RealizableSummary is null ? null : DecisionsJson(run.Decisions),
            ["min"] = s.Count > 0 ? s.Min : null,
            ["argmin"] = s.Count > 0 ? s.ArgMin : null,
            ["max"] = s.Count > 0 ? s.Max : null,
            ["argmax"] = s.Count > 0 ? s.ArgMax : null,
            ["mean"] = s.Count > 0 ? s.Mean : null,
            ["histogram"] = Bins(s),
            ["realizable"] = run.RealizableSummary is { } real ? SummaryJson(real) : null,
        };
    }

    public static void WriteJson(JsonNode node, string path) => File.WriteAllText(path, node.ToJsonString(Indented) + "\n");

    private static string Share(long count, long total) => total == 0 ? "-" : (100.0 * count / total).ToString("0.00", Inv) + "%";

    private static string Pattern(RegionEnumeration run, long index) => RegionPattern.Format(index, run.Shape.Points, run.Shape.Hidden);

    // Patterns longer than this are not printed: a row number is more useful than a wall of bits.
    private const int MaxPatternText = 120;

    /// <summary>"a = …" for a nonempty region's row in <see cref="RegionPattern.Format"/>'s layout, or its row when too long.</summary>
    public static string NonemptyPattern(NonemptyRegions run, long row) =>
        run.Shape.Points * (run.Shape.Hidden + 1) <= MaxPatternText
            ? "a = " + ColumnsPattern(run.Columns(row), run.Shape.Points)
            : $"row {row} (cells {string.Join(", ", run.Tuple(row).Select(c => c + 1))})";

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

    /// <summary>The settings and histograms of a nonempty run as JSON.</summary>
    public static JsonObject Json(NonemptyRegions run, string dataset, double seconds)
    {
        var json = new JsonObject
        {
            ["dataset"] = dataset,
            ["points"] = run.Shape.Points,
            ["inputs"] = run.Shape.Inputs,
            ["hidden"] = run.Shape.Hidden,
            ["bias"] = run.Shape.Bias == 1,
            ["nonempty"] = true,
            ["unordered"] = run.Options.Unordered,
            ["cells_per_node"] = run.Cells.Count,
            ["regions"] = run.Regions,
            ["rows"] = run.Rows,
            ["seconds"] = seconds,
            ["dead_region_loss"] = run.DeadRegionLoss,
            ["summary"] = SummaryJson(run.Summary),
        };
        if (run.RealizableSummary is { } real)
        {
            json["realizable"] = SummaryJson(real);
            json["decisions"] = DecisionsJson(run.Decisions);
        }
        json["cell_decisions"] = DecisionsJson(run.Cells.Decisions);
        return json;
    }

    private static JsonArray Bins(LossSummary s)
    {
        double width = s.Upper / s.Bins.Length;
        var bins = new JsonArray();
        for (int b = 0; b < s.Bins.Length; b++)
            bins.Add(new JsonObject { ["from"] = b * width, ["to"] = (b + 1) * width, ["regions"] = s.Bins[b] });
        return bins;
    }

    private static JsonObject DecisionsJson(DecisionCounts d) => new()
    {
        ["programs"] = d.Programs,
        ["glop_fallbacks"] = d.Fallbacks,
        ["unchecked"] = d.Unchecked,
    };

    private static JsonObject SummaryJson(LossSummary s) => new()
    {
            ["count"] = s.Count,
            ["singular"] = s.Singular,
            ["exact_path"] = s.Exact,
            ["min"] = s.Count > 0 ? s.Min : null,
            ["max"] = s.Count > 0 ? s.Max : null,
            ["mean"] = s.Count > 0 ? s.Mean : null,
            ["histogram"] = Bins(s),
    };
}
