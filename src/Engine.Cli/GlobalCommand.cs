using System.CommandLine;
using System.Globalization;
using Engine.Core.Data;
using Engine.Core.Regions;
using Engine.Runs;

namespace Engine.Cli;

/// <summary><c>engine global</c>: the certified global minimum of the real loss, against the subglobal and realizable minima.</summary>
internal static class GlobalCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var common = new RegionOptions();
        var json = new Option<FileInfo?>("--json") { Description = "Write the value, its proof, the witness, the regions and the counts as JSON." };
        var witness = new Option<FileInfo?>("--witness") { Description = "Write the verified network {W, b, v, c} attaining the minimum as one JSON line." };
        var runDirectory = RunOptionsParser.DirectoryOption();
        var shard = RunOptionsParser.ShardOption();
        var allowLong = new Option<bool>("--allow-long") { Description = "Run even when the bounds phase alone is estimated above an hour." };
        var command = new Command("global", "Certify inf L_f, the global minimum of the real network's loss, by branch and bound over the closures of the nonempty regions.");
        command.Options.Add(common.Dataset);
        command.Options.Add(common.Hidden);
        command.Options.Add(common.Bias);
        command.Options.Add(json);
        command.Options.Add(witness);
        command.Options.Add(allowLong);
        command.Options.Add(runDirectory);
        command.Options.Add(shard);
        command.SetAction((parsed, cancellation) =>
        {
            Dataset data = DatasetCatalog.Load(parsed.Value(common.Dataset));
            var request = new GlobalRequest { Data = data, Hidden = parsed.GetValue(common.Hidden), Bias = parsed.GetValue(common.Bias) };
            request.Validate();
            FileInfo? jsonFile = parsed.GetValue(json), witnessFile = parsed.GetValue(witness);
            Outputs.Check([parsed.Value(common.Dataset)], ("--json", jsonFile), ("--witness", witnessFile));

            // The search is host work: no accelerator is opened.
            using EngineSession session = EngineSession.Open(Backend.Cpu);
            RunOptions options = RunOptionsParser.Parse(parsed.GetValue(runDirectory), parsed.GetValue(shard));
            GlobalPlan plan = session.PlanGlobal(request, options, Progress.Phases(), cancellation);
            Progress.Done();
            string planText = string.Create(Inv, $"{plan.Rows:N0} unordered nonempty regions of {plan.CellsPerNode:N0} cells per node: bounds about {RegionReport.Duration(plan.BoundSeconds)}, then closure programs for the regions the bounds do not prune; about {Math.Max(1, plan.MemoryBytes >> 20):N0} MiB");
            if (plan.BoundSeconds > EnumerateCommand.LongRunSeconds && !parsed.GetValue(allowLong))
                throw new EngineInputException($"{planText}; pass --allow-long to run anyway");
            Console.Error.WriteLine($"engine: {planText}");
            GlobalOutcome outcome = session.RunGlobal(plan, Progress.Phases(), cancellation);
            Progress.Done();
            if (outcome.Minimum is not { } minimum)
            {
                bool stopped = cancellation.IsCancellationRequested;
                Console.Error.WriteLine(stopped
                    ? $"engine: interrupted; finished units are kept in {options.Directory}: run the same command to resume"
                    : $"engine: part {options.Part}/{options.Parts} done; parts {string.Join(", ", outcome.Missing.Select(p => $"{p}/{outcome.Parts}"))} still missing; then 'engine merge {options.Directory}'");
                return stopped ? Cli.Interrupted : 0;
            }
            Write(minimum, jsonFile, witnessFile);
            return 0;
        });
        return command;
    }

    /// <summary>Prints the report and writes the outputs asked for; shared with <c>engine merge</c>.</summary>
    public static void Write(GlobalMinimum minimum, FileInfo? json, FileInfo? witness)
    {
        Console.Write(Report(minimum));
        if (json is not null) RegionReport.WriteJson(GlobalDocuments.Json(minimum), json.FullName);
        if (witness is not null) AtomicFile.WriteText(witness.FullName, GlobalDocuments.WitnessLine(minimum).ToJsonString() + "\n");
    }

    /// <summary>The global minimum against the subglobal and realizable minima, the witness and the search, as text.</summary>
    public static string Report(GlobalMinimum m)
    {
        GlobalRequest request = m.Request;
        var shape = RegionShape.ForColumns(request.Data.Count, request.Data.Inputs, request.Hidden, request.Bias);
        var text = new System.Text.StringBuilder();
        text.AppendLine(Inv, $"global minimum of L_f for {RegionReport.Describe(shape, request.Data.Name)}");
        string proof = m.Status == ProofStatus.Proven
            ? $"proven: nothing lies below {m.LowerBound:0.000000} (tolerance {m.Tolerance:0.0e0}), a verified network attains it"
            : $"NOT proven: {m.Reason}";
        text.AppendLine(Inv, $"  inf L_f            {m.Value,12:0.000000}   {proof}");
        text.AppendLine(Inv, $"  lowest subglobal   {m.LowestSubglobal,12:0.000000}   the least subglobal minimum over nonempty regions: a lower bound{(m.LowestSubglobal < m.Value - m.Tolerance ? " that no network reaches" : "")}");
        string realizable = m.LowestRealizable is { } low ? low.ToString("0.000000", Inv) : "none";
        text.AppendLine(Inv, $"  lowest realizable  {realizable,12}   the least differentiable local minimum{(m.LowestRealizable is null ? ": no region's minimum is realizable" : "")}");
        if (m.AttainedAtBoundary)
        {
            string pairs = string.Join(", ", m.Boundary.Select(p => string.Create(Inv, $"x{p.Point + 1}·node {p.Node + 1}")));
            text.AppendLine(Inv, $"  attained only at a region boundary: every differentiable local minimum lies above it; hinges through data points at the witness: {(pairs.Length > 0 ? pairs : "none")}");
        }
        else text.AppendLine("  attained at a differentiable (realizable) local minimum");
        text.AppendLine(Inv, $"  region: cells {string.Join(' ', m.Region.Cells)}, signs of v {string.Join(' ', m.Region.Signs.Select(s => s > 0 ? "+" : "−"))}, columns {string.Join(' ', m.Region.Columns)}{(m.Region.Index is { } index ? $", index {index}" : "")}");
        text.AppendLine(Inv, $"  witness: {Network(m.Witness, request.Bias)}, L_f = {m.Witness.Loss:R}");
        GlobalCounts c = m.Counts;
        text.AppendLine(Inv, $"  search: {c.RegionsBounded:N0} unordered nonempty regions bounded ({c.OrderedRegions:N0} ordered), {c.RegionsSolved:N0} solved, {100.0 * c.PrunedShare:0.0}% pruned; {c.Programs:N0} closure programs ({c.DoubleProofs:N0} double, {c.ExactProofs:N0} exact, {c.Undecided:N0} undecided); {c.RealizabilityDecisions:N0} realizability decisions; {RegionReport.Duration(m.Seconds)}");
        if (m.UncheckedDecisions > 0)
            text.AppendLine(Inv, $"  warning: {m.UncheckedDecisions:N0} realizability decisions had neither a verified witness nor a certificate");
        return text.ToString();
    }

    private static string Network(NetworkPoint p, bool bias)
    {
        string Vector(IEnumerable<double> v) => "[" + string.Join(", ", v.Select(e => e.ToString("G6", Inv))) + "]";
        string w = "[" + string.Join(", ", p.W.Select(Vector)) + "]";
        return bias ? $"W = {w}, b = {Vector(p.B)}, v = {Vector(p.V)}, c = {p.C.ToString("G6", Inv)}" : $"W = {w}, v = {Vector(p.V)}";
    }
}
