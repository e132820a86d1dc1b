using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text;
using Engine.Core.Data;
using Engine.Runs;

namespace Engine.Cli;

/// <summary><c>engine paper</c>: reproduces the paper's Figure 3 on its embedded dataset.</summary>
internal static class PaperCommand
{
    private const string Dataset = "paper-fig3";
    private const int MaxHidden = 4;

    public static Command Create()
    {
        var output = new Option<DirectoryInfo?>("--out") { Description = "Write Figure 3's tables (CSV), JSON and histograms (PNG, SVG), and the Figure 2 slice, into this directory." };
        var device = RegionOptions.DeviceOption();
        var command = new Command("paper", "Reproduce Figure 3: subglobal minima of paper-fig3 for h = 1..4 hidden nodes, no biases, all against realizable, with the §3.2 check.");
        command.Options.Add(output);
        command.Options.Add(device);
        command.SetAction((parsed, cancellation) =>
        {
            if (parsed.GetValue(output) is { } target)
            {
                OutputPolicy.CheckDirectory("--out", target.FullName);
                string[] files = ["figure3.csv", "figure3.json", "figure2-slice.png", "figure2-slice.svg",
                    .. Enumerable.Range(1, MaxHidden).SelectMany(h => new[] { $"figure3-h{h}.png", $"figure3-h{h}.svg", $"figure3-h{h}-regions.csv" })];
                if (target.Exists) Outputs.Check([], [.. files.Select(f => ("--out", (FileInfo?)new FileInfo(Path.Combine(target.FullName, f))))]);
            }
            using EngineSession session = EngineSession.Open(BackendNames.Parse(parsed.Value(device)));
            Dataset data = session.Dataset(Dataset);
            var runs = new List<RegionRun>();
            for (int h = 1; h <= MaxHidden; h++)
            {
                runs.Add(session.Enumerate(new RegionRequest { Data = data, Hidden = h, KeepRegions = true, Realizability = true, Global = true }, cancellation: cancellation));
                cancellation.ThrowIfCancellationRequested();
            }
            var sweep = new WidthSweep(runs);
            Console.Write(Figure3(sweep));
            if (parsed.GetValue(output) is { } dir) Write(dir, sweep);
            return 0;
        });
        return command;
    }

    private static string Figure3(WidthSweep sweep)
    {
        var inv = CultureInfo.InvariantCulture;
        IReadOnlyList<RegionRun> runs = sweep.Runs;
        var text = new StringBuilder();
        text.AppendLine(inv, $"Figure 3: subglobal minima of {Dataset} (x1=[-1,1], y1=1; x2=[2,1], y2=2; x3=[1,3], y3=3), no biases");
        text.AppendLine("regions per subglobal-minimum loss, by hidden nodes h: all regions / regions whose minimum is realizable");
        text.AppendLine("(a realizable minimum is a differentiable local minimum of the real network: some minimizer lies inside the region)");
        text.AppendLine();
        text.Append("      loss");
        foreach (RegionRun run in runs) text.Append(inv, $"  {"h=" + run.Shape.Hidden,13}");
        text.AppendLine();
        for (int k = 0; k < sweep.Levels.Count; k++)
        {
            text.Append(inv, $"  {sweep.Levels[k],8:0.0000}");
            for (int h = 0; h < runs.Count; h++) text.Append(inv, $"  {Pair(sweep.Regions[h][k], sweep.Realizable[h][k]),13}");
            text.AppendLine();
        }
        text.Append("   regions");
        foreach (RegionRun run in runs) text.Append(inv, $"  {Pair(run.Done, run.RealizableHistogram!.Count),13}");
        text.AppendLine();
        text.Append("  nonempty");
        foreach (RegionRun run in runs) text.Append(inv, $"  {run.KeptRows.Count(r => r.Nonempty == true),13:N0}");
        text.AppendLine();
        text.AppendLine();
        MinimaAnalysis first = runs[0].Minima;
        text.AppendLine(inv, $"  linear region (all ones, loss of linear regression) {first.Linear.Loss:0.0000}; dead region (all zeros) {first.Dead.Loss:0.0000}");
        text.AppendLine("  inf L_f is the global minimum of the real network (engine global); the lowest subglobal minimum only bounds it from below");
        foreach (RegionRun run in runs)
        {
            MinimaAnalysis m = run.Minima;
            GlobalMinimum g = run.Global!;
            string where = g.AttainedAtBoundary ? "only on a region boundary" : "at a realizable minimum";
            string poor = m.PoorRealizableLevels.Count == 0 ? "none" : string.Join(", ", m.PoorRealizableLevels.Select(l => l.ToString("0.0000", inv)));
            text.AppendLine(inv, $"  h={run.Shape.Hidden}: inf L_f {g.Value:0.0000} ({where}); lowest subglobal {m.LowestSubglobal:0.0000}, lowest realizable {m.LowestRealizable:0.0000}; {100.0 * m.AboveGlobalMinimum / run.Regions:0.0}% of regions have a subglobal minimum above inf L_f; poor realizable minima (above inf L_f): {poor}");
        }
        text.AppendLine();
        text.AppendLine("  §3.2: every realizable minimum value with h nodes is again a realizable minimum with h + 1 nodes");
        foreach (NestingCheck check in sweep.Nesting)
            text.AppendLine(inv, $"  h={check.Hidden} → h={check.Hidden + 1}: {(check.Holds ? "yes" : "no, missing " + string.Join(", ", check.Missing.Select(l => l.ToString("0.0000", inv))))}");
        return text.ToString();
    }

    private static string Pair(long all, long realizable) =>
        all == 0 ? "." : string.Create(CultureInfo.InvariantCulture, $"{all:N0}/{(realizable == 0 ? "." : realizable.ToString("N0", CultureInfo.InvariantCulture))}");

    private static void Write(DirectoryInfo dir, WidthSweep sweep)
    {
        dir.Create();
        var inv = CultureInfo.InvariantCulture;
        IReadOnlyList<RegionRun> runs = sweep.Runs;
        AtomicFile.Write(Path.Combine(dir.FullName, "figure3.csv"), stream =>
        {
            using var table = new StreamWriter(stream, leaveOpen: true);
            table.WriteLine("loss," + string.Join(',', runs.Select(r => $"h{r.Shape.Hidden},h{r.Shape.Hidden}_realizable")));
            for (int k = 0; k < sweep.Levels.Count; k++)
                table.WriteLine(string.Create(inv, $"{sweep.Levels[k]:R},") + string.Join(',', runs.Select((_, h) => string.Create(inv, $"{sweep.Regions[h][k]},{sweep.Realizable[h][k]}"))));
        });
        for (int h = 0; h < runs.Count; h++)
        {
            // Only the levels this h reaches, so each histogram shows its own minima.
            IReadOnlyList<LossLevel> levels = runs[h].Minima.Levels;
            Figures.WriteHistogram($"Figure 3, h = {runs[h].Shape.Hidden}: subglobal minima of {Dataset}, all vs realizable",
                [.. levels.Select(l => l.Loss)], [.. levels.Select(l => l.Regions)], [.. levels.Select(l => l.Realizable)],
                Path.Combine(dir.FullName, $"figure3-h{runs[h].Shape.Hidden}.png"));
        }
        SliceCommand.Write(new SliceRequest { Data = DatasetCatalog.Load("paper-fig2"), X = "w1", Y = "v1" }, Path.Combine(dir.FullName, "figure2-slice.png"));
        var json = new JsonArray();
        foreach (RegionRun run in runs)
        {
            AtomicFile.Write(Path.Combine(dir.FullName, $"figure3-h{run.Shape.Hidden}-regions.csv"), stream => RunDocuments.WriteCsv(run, stream));
            json.Add(RunDocuments.Json(run));
        }
        RegionReport.WriteJson(new JsonObject { ["figure"] = 3, ["dataset"] = Dataset, ["runs"] = json }, Path.Combine(dir.FullName, "figure3.json"));
    }
}
