using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text;
using Engine.Core.Data;
using Engine.Core.Regions;

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
            if (parsed.GetValue(output) is { } target && target.Parent is { Exists: false } parent)
                throw new EngineInputException($"--out {target}: directory {parent.FullName} does not exist");
            using ComputeDevice compute = ComputeDevice.Open(BackendNames.Parse(parsed.Value(device)));
            var runner = new RegionRunner(compute);
            Dataset data = DatasetCatalog.Load(Dataset);
            var runs = new List<RegionRun>();
            for (int h = 1; h <= MaxHidden; h++)
            {
                var request = new RegionRequest { Data = data, Hidden = h, KeepRegions = true, Realizability = true };
                RegionRun? run = runner.Run(RegionRunner.Plan(request, new RunOptions()), cancellation: cancellation).Run;
                cancellation.ThrowIfCancellationRequested();
                runs.Add(run!);
            }
            (double[] levels, long[][] counts) = Levels(runs, (_, _) => true);
            (_, long[][] realizable) = Levels(runs, (r, k) => r.Realizable![k]);
            Console.Write(Figure3(runs, levels, counts, realizable));
            if (parsed.GetValue(output) is { } dir) Write(dir, runs, levels, counts, realizable);
            return 0;
        });
        return command;
    }

    // The union of loss levels over all h, with each h's count of selected regions per level.
    private static (double[] Levels, long[][] Counts) Levels(List<RegionRun> runs, Func<RegionRun, int, bool> selected)
    {
        double tolerance = Tolerance(runs);
        double[] all = runs.SelectMany(r => r.Losses!).ToArray();
        double[] levels = LossLevels.Group(all, tolerance).Select(l => l.Loss).ToArray();
        long[][] counts = runs.Select(r =>
        {
            long[] c = new long[levels.Length];
            foreach ((double loss, long n) in LossLevels.Group(r.Losses!.Where((_, k) => selected(r, k)).ToArray(), tolerance))
                c[Nearest(levels, loss)] += n;
            return c;
        }).ToArray();
        return (levels, counts);
    }

    private static double Tolerance(List<RegionRun> runs) => LossLevels.Tolerance(runs[0].DeadRegionLoss);

    private static int Nearest(double[] levels, double loss)
    {
        int best = 0;
        for (int k = 1; k < levels.Length; k++)
            if (Math.Abs(levels[k] - loss) < Math.Abs(levels[best] - loss)) best = k;
        return best;
    }

    private static string Figure3(List<RegionRun> runs, double[] levels, long[][] counts, long[][] realizable)
    {
        var inv = CultureInfo.InvariantCulture;
        double tolerance = Tolerance(runs);
        var text = new StringBuilder();
        text.AppendLine(inv, $"Figure 3: subglobal minima of {Dataset} (x1=[-1,1], y1=1; x2=[2,1], y2=2; x3=[1,3], y3=3), no biases");
        text.AppendLine("regions per subglobal-minimum loss, by hidden nodes h: all regions / regions whose minimum is realizable");
        text.AppendLine("(a realizable minimum is a differentiable local minimum of the real network: some minimizer lies inside the region)");
        text.AppendLine();
        text.Append("      loss");
        foreach (RegionRun run in runs) text.Append(inv, $"  {"h=" + run.Shape.Hidden,13}");
        text.AppendLine();
        for (int k = 0; k < levels.Length; k++)
        {
            text.Append(inv, $"  {levels[k],8:0.0000}");
            for (int h = 0; h < runs.Count; h++) text.Append(inv, $"  {Pair(counts[h][k], realizable[h][k]),13}");
            text.AppendLine();
        }
        text.Append("   regions");
        foreach (RegionRun run in runs) text.Append(inv, $"  {Pair(run.Done, run.RealizableSummary!.Count),13}");
        text.AppendLine();
        text.Append("  nonempty");
        foreach (RegionRun run in runs) text.Append(inv, $"  {run.Feasible!.Count(f => f),13:N0}");
        text.AppendLine();
        text.AppendLine();
        RegionRun first = runs[0];
        text.AppendLine(inv, $"  linear region (all ones, loss of linear regression) {first.Losses![^1]:0.0000}; dead region (all zeros) {first.Losses![0]:0.0000}");
        foreach (RegionRun run in runs)
        {
            double poor = run.Losses!.Count(l => l > run.Summary.Min + tolerance);
            LossSummary real = run.RealizableSummary!;
            double[] poorLevels = Distinct(run).Where(l => l > real.Min + tolerance).ToArray();
            text.AppendLine(inv, $"  h={run.Shape.Hidden}: global minimum {run.Summary.Min:0.0000} ({(real.Min <= run.Summary.Min + tolerance ? "realizable" : $"not realizable; lowest realizable {real.Min:0.0000}")}), {100 * poor / run.Done:0.0}% of regions have a higher (poor) subglobal minimum; poor realizable minima: {(poorLevels.Length == 0 ? "none" : string.Join(", ", poorLevels.Select(l => l.ToString("0.0000", inv))))}");
        }
        text.AppendLine();
        text.AppendLine("  §3.2: every realizable minimum value with h nodes is again a realizable minimum with h + 1 nodes");
        for (int h = 0; h + 1 < runs.Count; h++)
        {
            double[] next = Distinct(runs[h + 1]);
            double[] missing = Distinct(runs[h]).Where(l => !next.Any(m => Math.Abs(m - l) <= tolerance)).ToArray();
            text.AppendLine(inv, $"  h={h + 1} → h={h + 2}: {(missing.Length == 0 ? "yes" : "no, missing " + string.Join(", ", missing.Select(l => l.ToString("0.0000", inv))))}");
        }
        return text.ToString();
    }

    private static string Pair(long all, long realizable) =>
        all == 0 ? "." : string.Create(CultureInfo.InvariantCulture, $"{all:N0}/{(realizable == 0 ? "." : realizable.ToString("N0", CultureInfo.InvariantCulture))}");

    // Distinct realizable minimum values of a run.
    private static double[] Distinct(RegionRun run) =>
        LossLevels.Group(run.Losses!.Where((_, k) => run.Realizable![k]).ToArray(), LossLevels.Tolerance(run.DeadRegionLoss)).Select(l => l.Loss).ToArray();

    private static void Write(DirectoryInfo dir, List<RegionRun> runs, double[] levels, long[][] counts, long[][] realizable)
    {
        dir.Create();
        var inv = CultureInfo.InvariantCulture;
        using (var table = new StreamWriter(Path.Combine(dir.FullName, "figure3.csv")))
        {
            table.WriteLine("loss," + string.Join(',', runs.Select(r => $"h{r.Shape.Hidden},h{r.Shape.Hidden}_realizable")));
            for (int k = 0; k < levels.Length; k++)
                table.WriteLine(string.Create(inv, $"{levels[k]:R},") + string.Join(',', counts.Select((c, h) => string.Create(inv, $"{c[k]},{realizable[h][k]}"))));
        }
        for (int h = 0; h < runs.Count; h++)
        {
            // Only the levels this h reaches, so each histogram shows its own minima.
            int[] used = Enumerable.Range(0, levels.Length).Where(k => counts[h][k] > 0).ToArray();
            Figures.WriteHistogram($"Figure 3, h = {h + 1}: subglobal minima of {Dataset}, all vs realizable",
                used.Select(k => levels[k]).ToArray(), used.Select(k => counts[h][k]).ToArray(), used.Select(k => realizable[h][k]).ToArray(),
                Path.Combine(dir.FullName, $"figure3-h{h + 1}.png"));
        }
        Dataset figure2 = DatasetCatalog.Load("paper-fig2");
        SliceCommand.Write(figure2, 1, false, "w1", "v1", -3, 3, -3, 3, 201, null, Path.Combine(dir.FullName, "figure2-slice.png"));
        var json = new JsonArray();
        foreach (RegionRun run in runs)
        {
            RegionReport.WriteCsv(run, Path.Combine(dir.FullName, $"figure3-h{run.Shape.Hidden}-regions.csv"));
            json.Add(RegionReport.Json(run));
        }
        RegionReport.WriteJson(new JsonObject { ["figure"] = 3, ["dataset"] = Dataset, ["runs"] = json }, Path.Combine(dir.FullName, "figure3.json"));
    }
}
