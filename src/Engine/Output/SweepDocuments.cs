using System.Globalization;
using System.Text.Json.Nodes;

namespace Engine;

/// <summary>A sweep as documents for programs (CSV of units, JSON with the aggregates) and as figures.</summary>
public static class SweepDocuments
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The CSV's header: one row per unit.</summary>
    public const string CsvHeader = "family,points,inputs,bias,targets,seed,hidden,regions,poorRegions,poorRegionShare,realizableMinima,realizableLevels," +
        "spuriousMinima,spuriousLevels,highestSpurious,globalMinimum,attainedAtBoundary,lowestRealizable,lowestSubglobal,deadRegionLoss,undecided,proven,seconds";

    /// <summary>
    /// One row per unit, in unit order. Losses are in the data's units; highestSpurious is relative to the dead region's
    /// loss (½Σy², centred with bias); an empty lowestRealizable or highestSpurious means there is none.
    /// </summary>
    public static void WriteCsv(SweepOutcome sweep, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        SweepRequest r = sweep.Request;
        using var writer = new StreamWriter(stream, leaveOpen: true);
        writer.WriteLine(CsvHeader);
        foreach (SweepUnit u in sweep.Units)
        {
            writer.WriteLine(string.Create(Inv, $"random:{u.Points}|{r.Inputs}{(r.Bias ? "|bias" : "")},{u.Points},{r.Inputs},{(r.Bias ? 1 : 0)},{r.Targets.Name.Replace(',', '|')},{u.Seed},{u.Hidden},") +
                string.Create(Inv, $"{u.Regions},{u.PoorRegions},{u.PoorRegionShare:R},{u.RealizableMinima},{u.RealizableLevels},{u.SpuriousMinima},{u.SpuriousLevels.Count},") +
                string.Create(Inv, $"{(u.HighestSpurious is { } s ? s.ToString("R", Inv) : "")},{u.GlobalMinimum:R},{(u.AttainedAtBoundary ? 1 : 0)},") +
                string.Create(Inv, $"{(u.LowestRealizable is { } l ? l.ToString("R", Inv) : "")},{u.LowestSubglobal:R},{u.DeadRegionLoss:R},{u.Undecided},{(u.Proven ? 1 : 0)},{u.Seconds:R}"));
        }
    }

    /// <summary>The request, every unit and the aggregates per (N, h), with "seconds" the only field that depends on how the run went.</summary>
    public static JsonObject Json(SweepOutcome sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        SweepRequest r = sweep.Request;
        return new JsonObject
        {
            ["family"] = r.Family,
            ["points"] = new JsonArray([.. r.Points.Select(p => (JsonNode)p)]),
            ["inputs"] = r.Inputs,
            ["bias"] = r.Bias,
            ["targets"] = r.Targets.Name,
            ["seeds"] = new JsonArray(r.FirstSeed, r.LastSeed),
            ["hidden"] = new JsonArray(r.MinHidden, r.MaxHidden),
            ["regions"] = r.AllPatterns ? "all patterns" : "nonempty",
            ["aggregates"] = new JsonArray([.. sweep.Aggregates.Select(a => (JsonNode)new JsonObject
            {
                ["points"] = a.Points,
                ["hidden"] = a.Hidden,
                ["datasets"] = a.Datasets,
                ["poorRegionShare"] = Estimate(a.PoorRegionShare),
                ["withSpuriousMinima"] = Estimate(a.WithSpuriousMinima),
                ["attainedAtBoundary"] = Estimate(a.AttainedAtBoundary),
                ["spuriousMinima"] = Estimate(a.SpuriousMinima),
            })]),
            ["units"] = new JsonArray([.. sweep.Units.Select(u => (JsonNode)new JsonObject
            {
                ["points"] = u.Points,
                ["seed"] = u.Seed,
                ["hidden"] = u.Hidden,
                ["regions"] = u.Regions,
                ["poorRegions"] = u.PoorRegions,
                ["poorRegionShare"] = u.PoorRegionShare,
                ["realizableMinima"] = u.RealizableMinima,
                ["realizableLevels"] = u.RealizableLevels,
                ["spuriousMinima"] = u.SpuriousMinima,
                ["spuriousLevels"] = new JsonArray([.. u.SpuriousLevels.Select(l => (JsonNode)l)]),
                ["globalMinimum"] = u.GlobalMinimum,
                ["attainedAtBoundary"] = u.AttainedAtBoundary,
                ["lowestRealizable"] = u.LowestRealizable,
                ["lowestSubglobal"] = u.LowestSubglobal,
                ["deadRegionLoss"] = u.DeadRegionLoss,
                ["undecided"] = u.Undecided,
                ["proven"] = u.Proven,
            })]),
            ["seconds"] = sweep.Seconds,
        };
    }

    /// <summary>
    /// The three figures into <paramref name="directory"/> (PNG and SVG each): poor-region share against h and the fraction
    /// of datasets with spurious minima against h, one line per N with 95 % intervals, and the spurious levels' distribution.
    /// </summary>
    public static IReadOnlyList<string> WriteFigures(SweepOutcome sweep, string directory)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        SweepRequest r = sweep.Request;
        string what = string.Create(Inv, $"random:N,{r.Inputs}{(r.Bias ? ",bias" : "")}, N = {string.Join(", ", r.Points)}, {r.Targets.Name} targets, seeds {r.FirstSeed}–{r.LastSeed}");
        var byN = sweep.Aggregates.GroupBy(a => a.Points).ToList();
        string poor = Path.Combine(directory, "sweep-poor-share.png");
        Figures.WriteLines($"{(r.AllPatterns ? "Patterns" : "Nonempty regions")} whose subglobal minimum exceeds inf L_f\n{what}", "hidden nodes h",
            "poor-region share (mean, 95 % interval)",
            [.. byN.Select(g => ($"N = {g.Key}", (IReadOnlyList<(double, double, double, double)>)[.. g.Select(a => ((double)a.Hidden, a.PoorRegionShare.Value, a.PoorRegionShare.Low, a.PoorRegionShare.High))]))], poor);
        string spurious = Path.Combine(directory, "sweep-spurious.png");
        Figures.WriteLines($"Datasets with a spurious differentiable local minimum\n{what}", "hidden nodes h", "fraction of datasets (95 % Wilson interval)",
            [.. byN.Select(g => ($"N = {g.Key}", (IReadOnlyList<(double, double, double, double)>)[.. g.Select(a => ((double)a.Hidden, a.WithSpuriousMinima.Value, a.WithSpuriousMinima.Low, a.WithSpuriousMinima.High))]))], spurious);
        string levels = Path.Combine(directory, "sweep-spurious-levels.png");
        Figures.WriteDistribution($"Loss levels of the spurious local minima\n{what}", "spurious level / ½Σ(y − ȳ)²" + (r.Bias ? "" : " (½Σy² without bias)"),
            [.. sweep.Units.SelectMany(u => u.SpuriousLevels)], 20, levels);
        return [poor, spurious, levels];
    }

    private static JsonObject Estimate(Estimate e) => new() { ["value"] = e.Value, ["low"] = e.Low, ["high"] = e.High };
}
