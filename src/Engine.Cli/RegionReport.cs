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

    /// <summary>Tolerance for treating two minima as one level, relative to the dead-region loss.</summary>
    public const double LevelTolerance = 1e-9;

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
        text.AppendLine();
        text.AppendLine("  loss from     loss to    regions    share");
        double width = s.Upper / s.Bins.Length;
        for (int b = 0; b < s.Bins.Length; b++)
        {
            text.AppendLine(Inv, $"  {b * width,9:0.0000}   {(b + 1) * width,9:0.0000}  {s.Bins[b],9:N0}  {Share(s.Bins[b], s.Count),6}");
        }
        text.AppendLine();
        if (s.Count > 0)
        {
            text.AppendLine(Inv, $"  min  {s.Min:0.000000} at region {s.ArgMin} (a = {Pattern(run, s.ArgMin)})");
            text.AppendLine(Inv, $"  max  {s.Max:0.000000} at region {s.ArgMax} (a = {Pattern(run, s.ArgMax)})");
            text.AppendLine(Inv, $"  mean {s.Mean:0.000000}; dead region (all zeros) {run.DeadRegionLoss:0.000000}");
        }
        if (run.Losses is not null)
        {
            IReadOnlyList<(double Loss, long Count)> levels = LossLevels.Group(run.Losses.AsSpan(0, (int)run.Done), LevelTolerance * (1 + run.DeadRegionLoss));
            if (levels.Count <= 40)
            {
                text.AppendLine();
                text.AppendLine("  distinct minima   regions");
                foreach ((double loss, long count) in levels) text.AppendLine(Inv, $"  {loss,14:0.000000}  {count,8:N0}");
            }
        }
        return text.ToString();
    }

    public static void WriteCsv(RegionEnumeration run, string path)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("index,loss");
        for (long r = 0; r < run.Done; r++)
            writer.WriteLine(string.Create(Inv, $"{run.Request.Start + r},{run.Losses![r]:R}"));
    }

    public static JsonObject Json(RegionEnumeration run)
    {
        LossSummary s = run.Summary;
        double width = s.Upper / s.Bins.Length;
        var bins = new JsonArray();
        for (int b = 0; b < s.Bins.Length; b++)
            bins.Add(new JsonObject { ["from"] = b * width, ["to"] = (b + 1) * width, ["regions"] = s.Bins[b] });
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
            ["min"] = s.Count > 0 ? s.Min : null,
            ["argmin"] = s.Count > 0 ? s.ArgMin : null,
            ["max"] = s.Count > 0 ? s.Max : null,
            ["argmax"] = s.Count > 0 ? s.ArgMax : null,
            ["mean"] = s.Count > 0 ? s.Mean : null,
            ["histogram"] = bins,
        };
    }

    public static void WriteJson(JsonNode node, string path) => File.WriteAllText(path, node.ToJsonString(Indented) + "\n");

    private static string Share(long count, long total) => total == 0 ? "-" : (100.0 * count / total).ToString("0.00", Inv) + "%";

    private static string Pattern(RegionEnumeration run, long index) => RegionPattern.Format(index, run.Shape.Points, run.Shape.Hidden);
}
