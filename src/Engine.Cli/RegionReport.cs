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
        MinimaAnalysis minima = run.Minima;
        if (run.RealizableSummary is { } real)
        {
            if (run.Feasible is not null && !request.Nonempty)
                text.AppendLine(Inv, $"  nonempty regions {run.KeptRows.Count(r => r.Nonempty == true):N0}");
            text.AppendLine(Inv, $"  realizable minima {real.Count:N0}{(real.Count > 0 ? $", lowest {real.Min:0.000000} at {Pattern(run, real.ArgMin)}" : "")}");
            if (run.Realizable is not null)
                text.AppendLine(Inv, $"  poor realizable minima (above the {(minima.Reference == PoorReference.GlobalMinimum ? "global minimum inf L_f" : "lowest realizable; pass --global to measure against inf L_f")}): {minima.PoorRealizable:N0}");
        }
        if (run.Global is { } global)
        {
            string where = global.AttainedAtBoundary ? "attained only on a region boundary, below every differentiable local minimum" : "attained at a realizable minimum";
            text.AppendLine(Inv, $"  global minimum of the real network inf L_f {global.Value:0.000000} ({where}; {(global.Status == ProofStatus.Proven ? "proven" : "NOT proven")}); the min above is the lowest subglobal minimum, a lower bound");
            if (minima.AboveGlobalMinimum is { } above)
                text.AppendLine(Inv, $"  regions whose subglobal minimum lies above inf L_f: {above:N0}");
        }
        text.AppendLine(Inv, $"  linear region (all ones, linear regression) {minima.Linear.Loss:0.000000}{Special(minima.Linear)}; dead region (all zeros){Special(minima.Dead)}");
        Levels(text, minima.Levels, run.Realizable is not null);
        return text.ToString();
    }

    /// <summary>Writes <paramref name="node"/> indented to <paramref name="path"/>, atomically.</summary>
    public static void WriteJson(JsonNode node, string path) => AtomicFile.WriteText(path, node.ToJsonString(Indented) + "\n");

    /// <summary>One line on stderr when some decisions of the geometry could be backed by neither a witness nor a certificate.</summary>
    public static void WarnUnchecked(RegionRun run)
    {
        if (run.Decisions.Undecided > 0)
        {
            // Where they are, when the rows were kept: the first few row numbers.
            string where = run.Undecided is { } flags
                ? "; rows " + string.Join(", ", Enumerable.Range(0, flags.Length).Where(r => flags[r]).Take(10).Select(r => (run.First + r).ToString(Inv))) + (flags.Count(f => f) > 10 ? ", …" : "")
                : "";
            Console.Error.WriteLine($"engine: warning: the realizability of {run.Decisions.Undecided:N0} regions is undecided (neither a verified witness nor a certificate, even from GLOP): \"?\" in the CSV, counted as neither realizable nor not{where}");
        }
        else if (run.Decisions.Unchecked > 0)
            Console.Error.WriteLine($"engine: warning: {run.Decisions.Unchecked:N0} geometry programs had neither a verified witness nor a certificate, even from GLOP");
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
        $"; geometry: {run.Decisions.Programs:N0} margin programs{Rate(run.Decisions.Programs, run.Seconds)}, {run.Decisions.Fallbacks:N0} sent to GLOP, {run.Decisions.Unchecked:N0} unchecked, {run.Decisions.Exact:N0} regions decided in exact arithmetic");

    // Programs per second of the run's wall time (solves included), where the run took measurable time.
    private static string Rate(long programs, double seconds) =>
        programs > 0 && seconds > 0.0 ? string.Create(Inv, $" ({programs / seconds:0.00e0}/s of the run)") : "";

    // "region I (a = …)" of an exhaustive run, the pattern or the row and cells of a nonempty one.
    private static string Pattern(RegionRun run, long row)
    {
        if (!run.Request.Nonempty) return $"region {row} (a = {RegionPattern.Format(row, run.Shape.Points, run.Shape.Hidden)})";
        return run.Shape.Points * (run.Shape.Hidden + 1) <= MaxPatternText
            ? "a = " + ColumnsPattern(run.Columns(row), run.Shape.Points)
            : $"row {row} (cells {string.Join(", ", run.CellsOf(row)!.Select(c => c + 1))})";
    }

    // Minimum and maximum with where they are, the mean, and the dead region's loss.
    private static void Extremes(StringBuilder text, LossSummary s, double dead, Func<long, string> where)
    {
        if (s.Count == 0) return;
        text.AppendLine(Inv, $"  min  {s.Min:0.000000} at {where(s.ArgMin)} (the lowest subglobal minimum: a lower bound on L_f, not its global minimum)");
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

    // ": nonempty, realizable" as far as the run knows.
    private static string Special(SpecialRegion region)
    {
        string[] known =
        [
            region.Nonempty is { } n ? (n ? "nonempty" : "empty for this data") : "",
            region.Realizable is { } r ? (r ? "realizable" : "not realizable") : "",
        ];
        string said = string.Join(", ", known.Where(k => k.Length > 0));
        return said.Length == 0 ? "" : ": " + said;
    }

    // Distinct minima with their (weighted) region counts, and realizable counts when known; only when few.
    private static void Levels(StringBuilder text, IReadOnlyList<LossLevel> levels, bool decided)
    {
        if (levels.Count == 0 || levels.Count > 40) return;
        text.AppendLine();
        text.AppendLine(decided ? "  distinct minima   regions  realizable" : "  distinct minima   regions");
        foreach (LossLevel level in levels)
        {
            text.Append(Inv, $"  {level.Loss,14:0.000000}  {level.Regions,8:N0}");
            if (decided) text.Append(Inv, $"  {(level.Realizable == 0 ? "." : level.Realizable.ToString("N0", Inv)),10}");
            text.AppendLine();
        }
    }

    private static string Share(long count, long total) => total == 0 ? "-" : (100.0 * count / total).ToString("0.00", Inv) + "%";
}
