using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Engine.Core;

namespace Engine.Cli;

/// <summary><c>engine paper</c>: reproduces the paper's Figure 3 on its embedded dataset.</summary>
internal static class PaperCommand
{
    private const string Dataset = "paper-fig3";
    private const int MaxHidden = 4;

    public static Command Create()
    {
        var output = new Option<DirectoryInfo?>("--out") { Description = "Write Figure 3's tables (CSV) and JSON into this directory." };
        var device = RegionOptions.DeviceOption();
        var command = new Command("paper", "Reproduce Figure 3: subglobal minima of paper-fig3 for h = 1..4 hidden nodes, no biases.");
        command.Options.Add(output);
        command.Options.Add(device);
        command.SetAction((parsed, cancellation) =>
        {
            using ComputeDevice compute = ComputeDevice.Open(BackendNames.Parse(parsed.Value(device)));
            var engine = new RegionEngine(compute);
            Dataset data = DatasetCatalog.Load(Dataset);
            var runs = new List<RegionEnumeration>();
            for (int h = 1; h <= MaxHidden; h++)
            {
                cancellation.ThrowIfCancellationRequested();
                runs.Add(engine.Enumerate(new RegionRequest { Data = data, Hidden = h, KeepRegions = true }, cancellation: cancellation));
            }
            (double[] levels, long[][] counts) = Levels(runs);
            Console.Write(Figure3(runs, levels, counts));
            if (parsed.GetValue(output) is { } dir) Write(dir, runs, levels, counts);
            return 0;
        });
        return command;
    }

    // The union of loss levels over all h, with each h's region count per level.
    private static (double[] Levels, long[][] Counts) Levels(List<RegionEnumeration> runs)
    {
        double tolerance = RegionReport.LevelTolerance * (1 + runs[0].DeadRegionLoss);
        double[] all = runs.SelectMany(r => r.Losses!).ToArray();
        double[] levels = LossLevels.Group(all, tolerance).Select(l => l.Loss).ToArray();
        long[][] counts = runs.Select(r =>
        {
            long[] c = new long[levels.Length];
            foreach ((double loss, long n) in LossLevels.Group(r.Losses!, tolerance))
                c[Nearest(levels, loss)] += n;
            return c;
        }).ToArray();
        return (levels, counts);
    }

    private static int Nearest(double[] levels, double loss)
    {
        int best = 0;
        for (int k = 1; k < levels.Length; k++)
            if (Math.Abs(levels[k] - loss) < Math.Abs(levels[best] - loss)) best = k;
        return best;
    }

    private static string Figure3(List<RegionEnumeration> runs, double[] levels, long[][] counts)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(inv, $"Figure 3: subglobal minima of {Dataset} (x1=[-1,1], y1=1; x2=[2,1], y2=2; x3=[1,3], y3=3), no biases");
        text.AppendLine("regions per subglobal-minimum loss, by hidden nodes h");
        text.AppendLine();
        text.Append("      loss");
        foreach (RegionEnumeration run in runs) text.Append(inv, $"  {"h=" + run.Shape.Hidden,8}");
        text.AppendLine();
        for (int k = 0; k < levels.Length; k++)
        {
            text.Append(inv, $"  {levels[k],8:0.0000}");
            foreach (long[] c in counts) text.Append(inv, $"  {(c[k] == 0 ? "." : c[k].ToString("N0", inv)),8}");
            text.AppendLine();
        }
        text.Append("   regions");
        foreach (RegionEnumeration run in runs) text.Append(inv, $"  {run.Done,8:N0}");
        text.AppendLine();
        text.AppendLine();
        foreach (RegionEnumeration run in runs)
        {
            double poor = run.Losses!.Count(l => l > run.Summary.Min + RegionReport.LevelTolerance * (1 + run.DeadRegionLoss));
            text.AppendLine(inv, $"  h={run.Shape.Hidden}: global minimum {run.Summary.Min:0.0000}, {100 * poor / run.Done:0.0}% of regions have a higher (poor) subglobal minimum");
        }
        return text.ToString();
    }

    private static void Write(DirectoryInfo dir, List<RegionEnumeration> runs, double[] levels, long[][] counts)
    {
        dir.Create();
        var inv = CultureInfo.InvariantCulture;
        using (var table = new StreamWriter(Path.Combine(dir.FullName, "figure3.csv")))
        {
            table.WriteLine("loss," + string.Join(',', runs.Select(r => $"h{r.Shape.Hidden}")));
            for (int k = 0; k < levels.Length; k++)
                table.WriteLine(string.Create(inv, $"{levels[k]:R},") + string.Join(',', counts.Select(c => c[k].ToString(inv))));
        }
        var json = new JsonArray();
        foreach (RegionEnumeration run in runs)
        {
            RegionReport.WriteCsv(run, Path.Combine(dir.FullName, $"figure3-h{run.Shape.Hidden}-regions.csv"));
            json.Add(RegionReport.Json(run));
        }
        RegionReport.WriteJson(new JsonObject { ["figure"] = 3, ["dataset"] = Dataset, ["runs"] = json }, Path.Combine(dir.FullName, "figure3.json"));
    }
}
