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
            SweepRequest request = SweepRequest.Parse(parsed.Value(family), parsed.Value(seeds), parsed.Value(hidden), parsed.Value(targets), parsed.GetValue(allPatterns));
            request.Validate();
            RunOptions options = RunOptionsParser.Parse(parsed.GetValue(runDirectory), parsed.GetValue(shard));
            FileInfo? csvFile = parsed.GetValue(csv), jsonFile = parsed.GetValue(json);
            DirectoryInfo? figures = parsed.GetValue(output);
            Outputs.Check([], ("--csv", csvFile), ("--json", jsonFile));
            if (figures is not null) OutputPolicy.CheckDirectory("--out", figures.FullName);
            Console.Error.WriteLine(string.Create(Inv, $"engine: sweep of {request.Units:N0} units ({request.Family}, {request.Targets.Name} targets, seeds {request.FirstSeed}..{request.LastSeed}, h = {request.MinHidden}..{request.MaxHidden}, {(request.AllPatterns ? "all patterns" : "nonempty regions")})"));

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
}
