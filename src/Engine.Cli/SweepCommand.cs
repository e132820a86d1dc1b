using System.CommandLine;
using System.Globalization;
using Engine.Runs;

namespace Engine.Cli;

/// <summary><c>engine sweep</c>: the paper's §3.2 width claim across a family of datasets, with the certified global minimum.</summary>
internal static class SweepCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var family = new Option<string>("--family") { Description = "Datasets random:N,n[,bias]: N one value, a range A..B or a list A|B|C (one curve per N).", Required = true };
        var seeds = new Option<string>("--seeds") { Description = "Seeds of the family's generator: S or A..B.", Required = true };
        var hidden = new Option<string>("--hidden", "-H") { Description = "Widths h: H or A..B.", Required = true };
        var targets = new Option<string>("--targets") { Description = "gaussian (the family's own), or teacher:K[,noise]: a random ReLU network with K nodes, plus relative noise.", DefaultValueFactory = _ => "gaussian" };
        var allPatterns = new Option<bool>("--all-patterns") { Description = "Count all 2^(N·h) patterns, as the paper's Figure 3 does, instead of the nonempty regions." };
        var csv = new Option<FileInfo?>("--csv") { Description = "Write one row per unit (dataset, h)." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the units and the aggregates per (N, h) as JSON." };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Write the figures (PNG and SVG) into this directory." };
        var runDirectory = RunOptionsParser.DirectoryOption();
        var shard = RunOptionsParser.ShardOption();
        var command = new Command("sweep", "Across many datasets and widths: the share of poor regions, spurious local minima and boundary global minima, measured against the certified inf L_f.");
        foreach (Option option in new Option[] { family, seeds, hidden, targets, allPatterns, csv, json, output, runDirectory, shard }) command.Options.Add(option);
        command.SetAction((parsed, cancellation) =>
        {
            (IReadOnlyList<int> points, int inputs, bool bias) = ParseFamily(parsed.Value(family));
            (int firstSeed, int lastSeed) = ParseRange(parsed.Value(seeds), "--seeds", allowNegative: true);
            (int minHidden, int maxHidden) = ParseRange(parsed.Value(hidden), "--hidden", allowNegative: false);
            var request = new SweepRequest
            {
                Points = points, Inputs = inputs, Bias = bias, FirstSeed = firstSeed, LastSeed = lastSeed, MinHidden = minHidden, MaxHidden = maxHidden,
                Targets = SweepTargets.Parse(parsed.Value(targets)), AllPatterns = parsed.GetValue(allPatterns),
            };
            request.Validate();
            RunOptions options = RunOptionsParser.Parse(parsed.GetValue(runDirectory), parsed.GetValue(shard));
            FileInfo? csvFile = parsed.GetValue(csv), jsonFile = parsed.GetValue(json);
            DirectoryInfo? figures = parsed.GetValue(output);
            Outputs.Check([], ("--csv", csvFile), ("--json", jsonFile));
            if (figures is not null) OutputPolicy.CheckDirectory("--out", figures.FullName);
            Console.Error.WriteLine(string.Create(Inv, $"engine: sweep of {request.Units:N0} units ({request.Family}, {request.Targets.Name} targets, seeds {firstSeed}..{lastSeed}, h = {minHidden}..{maxHidden}, {(request.AllPatterns ? "all patterns" : "nonempty regions")})"));

            using EngineSession session = EngineSession.Open(Backend.Cpu);
            SweepOutcome outcome = session.Sweep(request, options, Progress.Phases(), cancellation);
            Progress.Done();
            if (!outcome.Complete)
            {
                bool stopped = cancellation.IsCancellationRequested;
                Console.Error.WriteLine(stopped
                    ? $"engine: interrupted; {outcome.Missing.Count:N0} of {request.Units:N0} units remain{(options.Directory is null ? "; pass --run DIR to keep finished units" : $" in {options.Directory}: run the same command to resume")}"
                    : $"engine: part {options.Part}/{options.Parts} done; {outcome.Missing.Count:N0} units of other parts still missing; then 'engine merge {options.Directory}'");
                return stopped ? Cli.Interrupted : 0;
            }
            Write(outcome, csvFile, jsonFile, figures);
            return 0;
        });
        return command;
    }

    /// <summary>Prints the aggregates and writes the outputs asked for; shared with <c>engine merge</c>.</summary>
    public static void Write(SweepOutcome sweep, FileInfo? csv, FileInfo? json, DirectoryInfo? figures)
    {
        Console.Write(Report(sweep));
        if (csv is not null) AtomicFile.Write(csv.FullName, stream => SweepDocuments.WriteCsv(sweep, stream));
        if (json is not null) RegionReport.WriteJson(SweepDocuments.Json(sweep), json.FullName);
        if (figures is null) return;
        figures.Create();
        foreach (string file in SweepDocuments.WriteFigures(sweep, figures.FullName)) Console.Error.WriteLine($"engine: wrote {file} and its SVG");
    }

    private static string Report(SweepOutcome sweep)
    {
        SweepRequest r = sweep.Request;
        var text = new System.Text.StringBuilder();
        text.AppendLine(Inv, $"sweep of {r.Family} with {r.Targets.Name} targets, seeds {r.FirstSeed}..{r.LastSeed}: {(r.AllPatterns ? "all 2^(N·h) patterns" : "nonempty regions")}, measured against the certified global minimum inf L_f");
        text.AppendLine("   N   h  datasets  poor-region share (95 % CI)      with spurious minima (95 % CI)   global min on a boundary (95 % CI)  spurious minima (mean)");
        foreach (SweepAggregate a in sweep.Aggregates)
        {
            text.AppendLine(Inv, $"{a.Points,4} {a.Hidden,3} {a.Datasets,9}  {Share(a.PoorRegionShare),-30}  {Share(a.WithSpuriousMinima),-30}  {Share(a.AttainedAtBoundary),-34}  {a.SpuriousMinima.Value,10:0.0}");
        }
        long undecided = sweep.Units.Sum(u => u.Undecided);
        int unproven = sweep.Units.Count(u => !u.Proven);
        text.AppendLine(Inv, $"{sweep.Units.Count:N0} units; {undecided:N0} regions with undecided realizability; {unproven} units whose inf L_f is not proven; {RegionReport.Duration(sweep.Seconds)}");
        return text.ToString();
    }

    private static string Share(Estimate e) => string.Create(Inv, $"{100.0 * e.Value:0.0}% [{100.0 * e.Low:0.0}, {100.0 * e.High:0.0}]");

    /// <summary>random:N,n[,bias] with N a value, a range A..B or a list A|B|C.</summary>
    public static (IReadOnlyList<int> Points, int Inputs, bool Bias) ParseFamily(string text)
    {
        string[] parts = text.StartsWith("random:", StringComparison.Ordinal) ? text["random:".Length..].Split(',') : [];
        if (parts.Length is 2 or 3 && (parts.Length == 2 || parts[2] == "bias")
            && int.TryParse(parts[1], NumberStyles.None, Inv, out int inputs))
        {
            int[]? points = parts[0].Contains("..", StringComparison.Ordinal)
                ? ParseRange(parts[0], "--family", allowNegative: false) is var (a, b) && b - a < 1000 ? [.. Enumerable.Range(a, b - a + 1)] : null
                : parts[0].Split('|').Select(p => int.TryParse(p, NumberStyles.None, Inv, out int n) ? n : -1).ToArray();
            if (points is not null && points.All(n => n > 0)) return (points, inputs, parts.Length == 3);
        }
        throw new EngineInputException($"--family '{text}': expected random:N,n or random:N,n,bias, N a value, a range A..B or a list A|B|C");
    }

    /// <summary>A or A..B, inclusive.</summary>
    public static (int First, int Last) ParseRange(string text, string option, bool allowNegative)
    {
        NumberStyles style = allowNegative ? NumberStyles.AllowLeadingSign : NumberStyles.None;
        string[] ends = text.Split("..");
        if (ends.Length is 1 or 2 && ends.All(e => int.TryParse(e, style, Inv, out _)))
        {
            int first = int.Parse(ends[0], style, Inv), last = int.Parse(ends[^1], style, Inv);
            if (first <= last) return (first, last);
        }
        throw new EngineInputException($"{option} '{text}': expected a value or a range A..B with A ≤ B");
    }
}
