using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Core.Mlp;
using Engine.Core.Regions;
using Engine.Mnist;

namespace Engine;

/// <summary>
/// The documents a run is written as for programs, the same from every front end (the CLI's files, the server's
/// responses): the run as JSON, one CSV row per kept region, and one JSON line per witness.
/// </summary>
public static class RunDocuments
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// One row per kept region: index,loss,feasible,realizable (feasible and realizable only when realizability was
    /// decided), the multiplicity of unordered multisets, and with closures the minimum of L_f over the closed region
    /// (empty for an empty region). Nonempty ordered rows with indices are written in index
    /// order, so they line up with the feasible rows of an exhaustive run's CSV.
    /// </summary>
    public static void WriteCsv(RegionRun run, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(run);
        IReadOnlyList<RegionRow> rows = run.KeptRows;
        // Index order by sorting a permutation of row numbers: 12 bytes a row, where ordering the rows themselves would
        // hold every one of up to 2^24 of them as an object at once.
        int[]? order = null;
        if (run.Request.Nonempty && !run.Request.Unordered && run.Shape.Indexed)
        {
            long[] keys = new long[rows.Count];
            for (int r = 0; r < keys.Length; r++) keys[r] = run.Index(run.First + r);
            order = [.. Enumerable.Range(0, keys.Length)];
            Array.Sort(keys, order);
        }
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        string closure = run.Request.Closure ? ",closure" : "";
        writer.WriteLine((run.Request.Unordered ? "index,loss,feasible,realizable,multiplicity" : "index,loss,feasible,realizable") + closure);
        WriteCsvLines(writer, rows, order, run.Request);
    }

    // The rows of the CSV in the given order (row order without one). Each line is formatted into one buffer: 2^26 rows
    // of interpolated strings took most of a run's time. Also timed on a sample for a run's estimate (RegionRunner).
    internal static void WriteCsvLines(TextWriter writer, IReadOnlyList<RegionRow> rows, int[]? order, RegionRequest request)
    {
        Span<char> line = stackalloc char[160];
        for (int k = 0; k < rows.Count; k++)
        {
            RegionRow row = rows[order?[k] ?? k];
            int at = 0;
            if (row.Index >= 0) at += Format(row.Index, line);
            line[at++] = ',';
            at += Format(row.Loss, line[at..]);
            line[at++] = ',';
            at += Flag(row.Nonempty, line[at..]);
            line[at++] = ',';
            // An undecided row is "?", never 0: neither a witness nor a certificate settled it.
            if (row.Undecided) line[at++] = '?';
            else at += Flag(row.Realizable, line[at..]);
            if (request.Unordered)
            {
                line[at++] = ',';
                at += Format(row.Multiplicity, line[at..]);
            }
            if (request.Closure)
            {
                line[at++] = ',';
                if (row.Closure is { } c) at += Format(c, line[at..]);
            }
            writer.WriteLine(line[..at]);
        }
    }

    private static int Format(long value, Span<char> into) => value.TryFormat(into, out int written, default, Inv) ? written : throw new InvalidOperationException("a CSV field overflowed its buffer");

    // "R": the shortest text that reads back as the same double.
    private static int Format(double value, Span<char> into) => value.TryFormat(into, out int written, "R", Inv) ? written : throw new InvalidOperationException("a CSV field overflowed its buffer");

    private static int Flag(bool? value, Span<char> into)
    {
        if (value is not { } v) return 0;
        into[0] = v ? '1' : '0';
        return 1;
    }

    /// <summary>
    /// One JSON object per line for every realizable region: its index (and row and multiplicity in a nonempty run),
    /// the verified network (W, b, v, c; b and c only with bias), the loss it attains and its margin.
    /// </summary>
    public static void WriteWitnesses(RegionRun run, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (RegionWitness w in run.Witnesses ?? [])
        {
            using (var json = new Utf8JsonWriter(stream)) WriteWitness(json, run, w, row: run.Request.Nonempty);
            stream.WriteByte((byte)'\n');
        }
    }

    /// <summary>
    /// One witness as a JSON object: index (when it fits 62 bits), row (with <paramref name="row"/>), multiplicity of a
    /// multiset, W, b, v, c, loss and margin.
    /// </summary>
    public static void WriteWitness(Utf8JsonWriter json, RegionRun run, RegionWitness w, bool row)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(w);
        json.WriteStartObject();
        if (w.Index >= 0) json.WriteNumber("index", w.Index);
        if (row) json.WriteNumber("row", w.Row);
        if (run.Request.Unordered) json.WriteNumber("multiplicity", w.Multiplicity);
        json.WriteStartArray("W");
        foreach (double[] weights in w.Witness.W) Numbers(json, null, weights);
        json.WriteEndArray();
        if (w.Witness.Bias) Numbers(json, "b", w.Witness.B);
        Numbers(json, "v", w.Witness.V);
        if (w.Witness.Bias) json.WriteNumber("c", w.Witness.C);
        json.WriteNumber("loss", w.Witness.Loss);
        json.WriteNumber("margin", w.Witness.Margin);
        json.WriteEndObject();
    }

    /// <summary>
    /// The run's settings, histograms (with their edges), minima and decision counts. Only "seconds" depends on how the
    /// run went: not the device, the split into parts or the interruptions, so a resumed or merged run writes the same
    /// document.
    /// </summary>
    public static JsonObject Json(RegionRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
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
        foreach ((string key, JsonNode? value) in Summary(s, run.Histogram)) json[key] = value?.DeepClone();
        json["realizable"] = run.RealizableSummary is { } real ? Summary(real, run.RealizableHistogram!) : null;
        json["decisions"] = run.Cells is null ? null : new JsonObject
        {
            ["programs"] = run.Decisions.Programs,
            ["glop_fallbacks"] = run.Decisions.Fallbacks,
            ["unchecked"] = run.Decisions.Unchecked,
            ["undecided_regions"] = run.Decisions.Undecided,
            ["exact_regions"] = run.Decisions.Exact,
        };
        json["minima"] = Minima(run.Minima);
        json["global"] = run.Global is { } global ? GlobalDocuments.Json(global, timed: false) : null;
        return json;
    }

    /// <summary>Table 1 as JSON: the options, and each cell's mean ± std and every repeat's accuracies.</summary>
    public static JsonObject Table1Json(Table1Options options, IReadOnlyList<Table1Cell> cells)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cells);
        // Built node by node rather than serialized by reflection, which a trimmed engine (bench/gpu/pack) does not carry.
        return new JsonObject
        {
            ["widths"] = new JsonArray([.. options.Widths.Select(k => (JsonNode)k)]),
            ["modes"] = new JsonArray([.. options.Modes.Select(m => (JsonNode)m.Name())]),
            ["repeats"] = options.Repeats,
            ["epochs"] = options.Epochs,
            ["seed"] = options.Seed,
            ["cells"] = new JsonArray([.. cells.Select(c => (JsonNode)new JsonObject
            {
                ["mode"] = c.Mode.Name(),
                ["k"] = c.K,
                ["epochs"] = c.Epochs,
                ["secondsPerEpoch"] = c.SecondsPerEpoch,
                ["trainMean"] = c.Train.Mean,
                ["trainStd"] = c.Train.Std,
                ["testMean"] = c.Test.Mean,
                ["testStd"] = c.Test.Std,
                ["train"] = new JsonArray([.. c.TrainAccuracy.Select(a => (JsonNode)a)]),
                ["test"] = new JsonArray([.. c.TestAccuracy.Select(a => (JsonNode)a)]),
            })]),
        };
    }

    private static void Numbers(Utf8JsonWriter json, string? name, IReadOnlyList<double> values)
    {
        if (name is null) json.WriteStartArray();
        else json.WriteStartArray(name);
        foreach (double e in values) json.WriteNumberValue(e);
        json.WriteEndArray();
    }

    private static JsonObject Summary(LossSummary s, Histogram histogram)
    {
        var bins = new JsonArray();
        for (int b = 0; b < histogram.Counts.Count; b++)
            bins.Add(new JsonObject { ["from"] = histogram.Edges[b], ["to"] = histogram.Edges[b + 1], ["regions"] = histogram.Counts[b] });
        return new JsonObject
        {
            ["count"] = s.Count,
            ["singular"] = s.Singular,
            ["exact_path"] = s.Exact,
            ["min"] = histogram.Min,
            ["argmin"] = s.Count > 0 ? s.ArgMin : null,
            ["max"] = histogram.Max,
            ["argmax"] = s.Count > 0 ? s.ArgMax : null,
            ["mean"] = histogram.Mean,
            ["histogram"] = bins,
        };
    }

    // "global_minimum" is inf L_f of the real network, null when the run did not find it; the lowest subglobal minimum
    // is a lower bound and is named as one.
    private static JsonObject Minima(MinimaAnalysis minima) => new()
    {
        ["tolerance"] = minima.Tolerance,
        ["lowest_subglobal"] = minima.LowestSubglobal,
        ["lowest_subglobal_realizable"] = minima.LowestSubglobalRealizable,
        ["lowest_realizable"] = minima.LowestRealizable,
        ["global_minimum"] = minima.GlobalMinimum,
        ["poor_reference"] = minima.Reference == PoorReference.GlobalMinimum ? "global_minimum" : "lowest_realizable",
        ["poor_realizable"] = minima.PoorRealizable,
        ["poor_realizable_level_count"] = minima.PoorRealizableLevels.Count,
        ["poor_realizable_levels"] = new JsonArray([.. minima.PoorRealizableLevels.Take(MaxLevels).Select(l => (JsonNode)l)]),
        ["above_lowest_subglobal"] = minima.AboveLowestSubglobal,
        ["above_global_minimum"] = minima.AboveGlobalMinimum,
        ["linear"] = Special(minima.Linear),
        ["dead"] = Special(minima.Dead),
        // Per-level rows belong in the CSV: the document lists at most MaxLevels of them, and says how many there are.
        ["level_count"] = minima.Levels.Count,
        ["levels"] = minima.Levels.Count > MaxLevels ? null
            : new JsonArray([.. minima.Levels.Select(l => (JsonNode)new JsonObject { ["loss"] = l.Loss, ["regions"] = l.Regions, ["realizable"] = l.Realizable })]),
    };

    /// <summary>Most distinct loss levels the run document lists; beyond them "levels" is null and the CSV has every row.</summary>
    public const int MaxLevels = 1000;

    private static JsonObject Special(SpecialRegion region) => new()
    {
        ["loss"] = region.Loss,
        ["nonempty"] = region.Nonempty,
        ["realizable"] = region.Realizable,
    };
}
