using System.Globalization;
using Engine.Core.Data;
using Engine.Core.Regions;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// <c>engine sweep</c>: its units against separate runs of the same dataset and width, its aggregates against a plain
/// recomputation from its own CSV, parts and resumes against the single run, and teachers the network can fit exactly.
/// </summary>
[Category("unit")]
[NonParallelizable]
public sealed class SweepTests
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private string _scratch = "";

    [SetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("engine-sweep-").FullName;

    [TearDown]
    public void RemoveScratch() => Directory.Delete(_scratch, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CommandLine.Run(args);

    // Each unit's counts are those of an enumerate --nonempty --unordered --realizable and a global run of its own.
    [Test]
    public void UnitsEqualSeparateEnumerateAndGlobalRuns()
    {
        var request = new SweepRequest { Points = [7], Inputs = 2, Bias = true, FirstSeed = 3, LastSeed = 4, MinHidden = 1, MaxHidden = 2 };
        using EngineSession session = EngineSession.Open(Backend.Cpu);
        SweepOutcome sweep = session.Sweep(request);
        Assert.That(sweep.Units, Has.Count.EqualTo(4));
        foreach (SweepUnit unit in sweep.Units)
        {
            Dataset data = DatasetCatalog.Load($"random:7,2,{unit.Seed}");
            RegionRun run = session.Enumerate(new RegionRequest { Data = data, Hidden = unit.Hidden, Bias = true, Nonempty = true, Unordered = true, Realizability = true, KeepRegions = true });
            GlobalMinimum global = session.Global(new GlobalRequest { Data = data, Hidden = unit.Hidden, Bias = true });
            double tolerance = global.Tolerance;
            IReadOnlyList<RegionRow> rows = run.KeptRows;
            Assert.That(unit.GlobalMinimum, Is.EqualTo(global.Value), $"seed {unit.Seed}, h {unit.Hidden}");
            Assert.That(unit.AttainedAtBoundary, Is.EqualTo(global.AttainedAtBoundary));
            Assert.That(unit.LowestRealizable, Is.EqualTo(global.LowestRealizable));
            Assert.That(unit.Regions, Is.EqualTo(run.Regions));
            Assert.That(unit.PoorRegions, Is.EqualTo(rows.Where(r => r.Loss > global.Value + tolerance).Sum(r => r.Multiplicity)));
            Assert.That(unit.RealizableMinima, Is.EqualTo(rows.Where(r => r.Realizable == true).Sum(r => r.Multiplicity)));
            Assert.That(unit.SpuriousMinima, Is.EqualTo(rows.Where(r => r.Realizable == true && r.Loss > global.Value + tolerance).Sum(r => r.Multiplicity)));
        }
    }

    // The aggregates, recomputed here from the per-unit CSV: means with Student-t intervals, fractions with Wilson's.
    [Test]
    public void AggregatesAreThoseOfTheUnitsCsv()
    {
        string csv = Path.Combine(_scratch, "units.csv"), json = Path.Combine(_scratch, "sweep.json");
        (int code, _, string error) = Run("sweep", "--family", "random:6|7,1,bias", "--seeds", "1..8", "--hidden", "1..2", "--csv", csv, "--json", json);
        Assert.That(code, Is.EqualTo(0), error);
        string[] header = File.ReadLines(csv).First().Split(',');
        int col(string name) => Array.IndexOf(header, name);
        foreach (string name in new[] { "seed", "hidden", "globalMinimum", "attainedAtBoundary", "lowestRealizable", "spuriousMinima", "poorRegionShare" })
            Assert.That(col(name), Is.GreaterThanOrEqualTo(0), name);
        string[][] rows = [.. File.ReadLines(csv).Skip(1).Select(l => l.Split(','))];
        var aggregates = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!["aggregates"]!.AsArray();
        Assert.That(aggregates, Has.Count.EqualTo(4));
        foreach (var a in aggregates)
        {
            int n = a!["points"]!.GetValue<int>(), h = a["hidden"]!.GetValue<int>();
            string[][] group = [.. rows.Where(r => r[col("points")] == n.ToString(Inv) && r[col("hidden")] == h.ToString(Inv))];
            double[] shares = [.. group.Select(r => double.Parse(r[col("poorRegionShare")], Inv))];
            double mean = shares.Average();
            double sd = Math.Sqrt(shares.Sum(s => (s - mean) * (s - mean)) / (shares.Length - 1));
            // t(0.975, 7) = 2.365 for the eight seeds.
            Assert.That(a["poorRegionShare"]!["value"]!.GetValue<double>(), Is.EqualTo(mean).Within(1e-12));
            Assert.That(a["poorRegionShare"]!["high"]!.GetValue<double>(), Is.EqualTo(mean + 2.365 * sd / Math.Sqrt(8)).Within(1e-9));
            int spurious = group.Count(r => long.Parse(r[col("spuriousMinima")], Inv) > 0);
            (double low, double high) = Wilson(spurious, group.Length);
            Assert.That(a["withSpuriousMinima"]!["value"]!.GetValue<double>(), Is.EqualTo((double)spurious / group.Length));
            Assert.That(a["withSpuriousMinima"]!["low"]!.GetValue<double>(), Is.EqualTo(low).Within(1e-12));
            Assert.That(a["withSpuriousMinima"]!["high"]!.GetValue<double>(), Is.EqualTo(high).Within(1e-12));
            int boundary = group.Count(r => r[col("attainedAtBoundary")] == "1");
            Assert.That(a["attainedAtBoundary"]!["value"]!.GetValue<double>(), Is.EqualTo((double)boundary / group.Length));
        }
    }

    // Parts in any order, one twice, and a resume after losing units, all write the single run's outputs.
    [Test]
    public void PartsAndResumesWriteTheSingleRunsOutputs()
    {
        string[] args = ["sweep", "--family", "random:6,2,bias", "--seeds", "1..4", "--hidden", "1..2"];
        string single = Path.Combine(_scratch, "single.csv");
        Assert.That(Run([.. args, "--csv", single]).Code, Is.EqualTo(0));
        string parts = Path.Combine(_scratch, "parts");
        foreach (string shard in new[] { "1/3", "2/3", "1/3", "0/3" }) Assert.That(Run([.. args, "--run", parts, "--shard", shard]).Code, Is.EqualTo(0));
        string merged = Path.Combine(_scratch, "merged.csv");
        Assert.That(Run("merge", parts, "--csv", merged).Code, Is.EqualTo(0));
        string resume = Path.Combine(_scratch, "resume");
        Assert.That(Run([.. args, "--run", resume]).Code, Is.EqualTo(0));
        foreach (string unit in Directory.GetFiles(Path.Combine(resume, "units")).Where((_, k) => k % 2 == 0)) File.Delete(unit);
        string resumed = Path.Combine(_scratch, "resumed.csv");
        Assert.That(Run([.. args, "--run", resume, "--csv", resumed]).Code, Is.EqualTo(0));
        static string[] Untimed(string file) => [.. File.ReadAllLines(file).Select(l => l[..l.LastIndexOf(',')])];
        Assert.That(Untimed(merged), Is.EqualTo(Untimed(single)));
        Assert.That(Untimed(resumed), Is.EqualTo(Untimed(single)));
    }

    // A teacher with K ≤ h nodes and no noise is a network of width h: inf L_f = 0, certified by the search, not assumed.
    [TestCase(1, 1, true)]
    [TestCase(1, 2, true)]
    [TestCase(2, 2, false)]
    public void NoiseFreeTeachersThatFitGiveAGlobalMinimumOfZero(int teacher, int hidden, bool bias)
    {
        var request = new SweepRequest
        {
            Points = [7], Inputs = 2, Bias = bias, FirstSeed = 1, LastSeed = 3, MinHidden = hidden, MaxHidden = hidden, Targets = new SweepTargets(teacher, 0.0),
        };
        using EngineSession session = EngineSession.Open(Backend.Cpu);
        foreach (SweepUnit unit in session.Sweep(request).Units)
        {
            Assert.That(unit.Proven, Is.True);
            Assert.That(unit.GlobalMinimum, Is.EqualTo(0.0).Within(LossLevels.Tolerance(unit.DeadRegionLoss)), $"seed {unit.Seed}");
        }
    }

    [TestCase("--family", "gauss:8,2", "expected random:N,n")]
    [TestCase("--seeds", "5..1", "A ≤ B")]
    [TestCase("--targets", "teacher:0", "teacher:K")]
    public void BadSweepsAreRefusedInOneLine(string option, string value, string message)
    {
        string[] args = ["sweep", "--family", "random:6,2", "--seeds", "1..2", "--hidden", "1"];
        int at = Array.IndexOf(args, option);
        args = at >= 0 ? [.. args[..(at + 1)], value, .. args[(at + 2)..]] : [.. args, option, value];
        (int code, _, string error) = Run(args);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain(message));
    }

    private static (double, double) Wilson(int k, int n)
    {
        const double z = 1.959963984540054;
        double p = (double)k / n, d = 1 + z * z / n, c = (p + z * z / (2 * n)) / d, h = z * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / d;
        return (Math.Max(0, c - h), Math.Min(1, c + h));
    }
}
