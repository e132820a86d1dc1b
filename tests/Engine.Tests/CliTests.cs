using System.Text.Json.Nodes;
using Engine.Core.Data;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>The command line as a user meets it: exit codes, one-line errors, files written.</summary>
[Category("unit")]
[NonParallelizable]
public sealed class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CommandLine.Run(args);

    // Every file the commands write goes here, and is removed with it.
    private string _scratch = "";

    [OneTimeSetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("engine-cli-").FullName;

    [OneTimeTearDown]
    public void RemoveScratch() => Directory.Delete(_scratch, recursive: true);

    private string TempFile(string name) => Path.Combine(_scratch, $"{Guid.NewGuid():N}-{name}");

    [TestCase("unknown dataset", "enumerate", "--dataset", "nope", "--hidden", "1")]
    [TestCase("hidden nodes must be positive", "enumerate", "--dataset", "paper-fig3", "--hidden", "0")]
    [TestCase("hidden nodes must be positive", "enumerate", "--dataset", "paper-fig3", "--hidden", "-3")]
    [TestCase("unknown device", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--device", "tpu")]
    [TestCase("cannot be indexed", "enumerate", "--dataset", "random:40,2,1", "--hidden", "2")]
    [TestCase("--allow-long", "enumerate", "--dataset", "random:30,2,1", "--hidden", "2")]
    [TestCase("count 100 must be in", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--start", "5", "--count", "100")]
    [TestCase("unknown path", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--path", "gpu")]
    [TestCase("at least one bin", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--bins", "0")]
    [TestCase("exceeds the limit of 1,000,000", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--bins", "2000000")]
    [TestCase("unknown workload", "bench", "regions", "--workload", "nope")]
    [TestCase("--hidden", "enumerate", "--dataset", "paper-fig3", "--hidden", "two")]
    [TestCase("--hidden", "enumerate", "--dataset", "paper-fig3")]
    [TestCase("--unordered needs --nonempty", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--unordered")]
    [TestCase("--allow-long", "enumerate", "--dataset", "random:200,2,1", "--hidden", "4", "--nonempty")]
    [TestCase("unknown parameter 'nope'", "slice", "--dataset", "paper-fig2", "--hidden", "1", "--x", "nope", "--out", "x.png")]
    [TestCase("range must be FROM,TO", "slice", "--dataset", "paper-fig2", "--hidden", "1", "--range", "3,1", "--out", "x.png")]
    [TestCase("must name a .png file", "slice", "--dataset", "paper-fig2", "--hidden", "1", "--out", "x.jpg")]
    [TestCase("exceeds the limit of 4,001", "slice", "--dataset", "paper-fig2", "--hidden", "1", "--grid", "100000", "--out", "x.png")]
    [TestCase("exceeds the double-precision range", "slice", "--dataset", "paper-fig2", "--hidden", "1", "--range", "-1e200,1e200", "--out", "x.png")]
    [TestCase("exceeds the limit of 16", "enumerate", "--dataset", "paper-fig1", "--hidden", "17", "--nonempty", "--unordered", "--realizable")]
    public void BadInputIsOneLineAndExitCodeTwo(string expected, params string[] args)
    {
        (int code, string output, string error) = Run(args);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.Contain(expected));
        Assert.That(error, Does.Not.Contain("   at "));
        Assert.That(output, Is.Empty);
    }

    [TestCase("x1,x2,y\n1,NaN,3\n", "not finite")]
    [TestCase("x1,x2,y\n1,2,3\n4,5\n", "2 columns")]
    [TestCase("x1,y\n1,1e200\n2,2e200\n", "beyond the double-precision range")]
    [TestCase("x1,y\n1e-130,1\n1,2\n", "below 1e-6 times its column's largest value")]
    [TestCase("x1,y\n3e-7,1\n1,2\n", "below 1e-6 times its column's largest value")]
    public void MalformedCsvDatasetIsOneLineError(string text, string expected)
    {
        string path = TempFile("bad.csv");
        File.WriteAllText(path, text);
        (int code, _, string error) = Run("enumerate", "--dataset", path, "--hidden", "1");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain(expected));
    }

    [Test]
    public void EnumerateWritesEveryRegionToCsvAndTheHistogramToJson()
    {
        string csv = TempFile("regions.csv"), json = TempFile("run.json");
        (int code, string output, _) = Run("enumerate", "--dataset", "paper-fig3", "--hidden", "2", "--csv", csv, "--json", json, "--bins", "7");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("distinct minima"));
        string[] lines = File.ReadAllLines(csv);
        Assert.That(lines[0], Is.EqualTo("index,loss,feasible,realizable"));
        Assert.That(lines, Has.Length.EqualTo(65));
        // The dead region: nonempty, and realizable (every node off, or v = 0).
        Assert.That(lines[1], Is.EqualTo("0,7,1,1"));
        Assert.That(lines.Skip(1).Count(l => l.EndsWith(",1,1", StringComparison.Ordinal)), Is.EqualTo(28));
        Assert.That(lines.Skip(1).Count(l => l.Contains(",1,", StringComparison.Ordinal)), Is.EqualTo(36));
        JsonNode run = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.That(run["done"]!.GetValue<long>(), Is.EqualTo(64));
        Assert.That(run["histogram"]!.AsArray().Sum(b => b!["regions"]!.GetValue<long>()), Is.EqualTo(64));
        Assert.That(run["histogram"]!.AsArray(), Has.Count.EqualTo(7));
    }

    // The names the analyses read, and a witness whose loss evaluated here is the value.
    [Test]
    public void GlobalWritesTheCertifiedMinimumWithItsProofAndWitness()
    {
        string json = TempFile("global.json"), witness = TempFile("global-witness.jsonl");
        (int code, string output, _) = Run("global", "--dataset", "random:8,2,4", "--hidden", "2", "--bias", "--json", json, "--witness", witness);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("inf L_f"));
        JsonNode g = JsonNode.Parse(File.ReadAllText(json))!;
        foreach (string key in new[] { "globalMinimum", "witness", "attainedAtBoundary", "boundaryPairs", "lowestSubglobal", "lowestRealizable", "lowerBound", "region", "counts", "seconds" })
            Assert.That(g.AsObject().ContainsKey(key), Is.True, key);
        Assert.That(g["status"]!.GetValue<string>(), Is.EqualTo("proven"));
        double value = g["globalMinimum"]!.GetValue<double>();
        Assert.That(g["lowerBound"]!.GetValue<double>(), Is.LessThanOrEqualTo(value).And.GreaterThanOrEqualTo(value - g["tolerance"]!.GetValue<double>()));
        Assert.That(g["lowestSubglobal"]!.GetValue<double>(), Is.LessThanOrEqualTo(value));
        Dataset data = DatasetCatalog.Load("random:8,2,4");
        JsonNode w = JsonNode.Parse(File.ReadAllLines(witness).Single())!;
        double loss = 0;
        for (int i = 0; i < data.Count; i++)
        {
            double f = w["c"]!.GetValue<double>();
            for (int j = 0; j < 2; j++)
            {
                double u = w["b"]![j]!.GetValue<double>() + w["W"]![j]![0]!.GetValue<double>() * data.X[2 * i] + w["W"]![j]![1]!.GetValue<double>() * data.X[2 * i + 1];
                f += w["v"]![j]!.GetValue<double>() * Math.Max(u, 0);
            }
            loss += 0.5 * (f - data.Y[i]) * (f - data.Y[i]);
        }
        Assert.That(loss, Is.EqualTo(value).Within(2 * g["tolerance"]!.GetValue<double>()));
        foreach (JsonNode? pair in w["boundaryPairs"]!.AsArray())
        {
            int i = pair!["point"]!.GetValue<int>(), j = pair["node"]!.GetValue<int>();
            double u = w["b"]![j]!.GetValue<double>() + w["W"]![j]![0]!.GetValue<double>() * data.X[2 * i] + w["W"]![j]![1]!.GetValue<double>() * data.X[2 * i + 1];
            Assert.That(Math.Abs(u), Is.LessThan(1e-9), $"pair ({i}, {j}) is not on its hinge");
        }
    }

    // Parts in any order, one of them twice, merge to the in-memory answer; a plain --run resumes from its stored units.
    [Test]
    public void GlobalRunsInPartsMergeToTheInMemoryAnswer()
    {
        string reference = TempFile("global.json"), merged = TempFile("merged.json"), resumed = TempFile("resumed.json");
        string[] args = ["global", "--dataset", "random:14,2,3", "--hidden", "2", "--bias"];
        Assert.That(Run([.. args, "--json", reference]).Code, Is.EqualTo(0));
        string parts = TempFile("parts"), single = TempFile("single");
        foreach (string shard in new[] { "2/3", "0/3", "2/3", "1/3" }) Assert.That(Run([.. args, "--run", parts, "--shard", shard]).Code, Is.EqualTo(0));
        Assert.That(Run("merge", parts, "--json", merged).Code, Is.EqualTo(0));
        Assert.That(Run([.. args, "--run", single]).Code, Is.EqualTo(0));
        Directory.Delete(Path.Combine(single, "units"), recursive: true);
        Assert.That(Run([.. args, "--run", single, "--json", resumed]).Code, Is.EqualTo(0), "a finished run answers from its stored part");
        JsonNode expected = JsonNode.Parse(File.ReadAllText(reference))!;
        foreach (string file in new[] { merged, resumed })
        {
            JsonNode actual = JsonNode.Parse(File.ReadAllText(file))!;
            foreach (string key in new[] { "globalMinimum", "lowerBound", "lowestSubglobal", "lowestRealizable", "attainedAtBoundary", "region", "witness", "status", "realizableRegion" })
                Assert.That(JsonNode.DeepEquals(actual[key], expected[key]), Is.True, $"{file}: {key}");
        }
    }

    [TestCase("hidden nodes must be positive", "global", "--dataset", "paper-fig3", "--hidden", "0")]
    [TestCase("unknown dataset", "global", "--dataset", "nope", "--hidden", "1")]
    [TestCase("--closure adds a column to --csv", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--closure")]
    public void GlobalAndClosureRefuseBadInputInOneLine(string message, params string[] args)
    {
        (int code, _, string error) = Run(args);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain(message));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }

    // Enumerate names the lowest subglobal minimum as such, measures poor minima against inf L_f, and --closure writes each
    // region's closed minimum: at least its subglobal minimum, blank for empty regions, and least at inf L_f.
    [Test]
    public void EnumerateMeasuresPoorMinimaAgainstTheGlobalMinimumAndWritesClosures()
    {
        string json = TempFile("run.json"), csv = TempFile("closure.csv");
        (int code, _, _) = Run("enumerate", "--dataset", "random:6,2,3", "--hidden", "2", "--bias", "--global", "--json", json, "--csv", csv, "--closure");
        Assert.That(code, Is.EqualTo(0));
        JsonNode minima = JsonNode.Parse(File.ReadAllText(json))!["minima"]!;
        JsonNode global = JsonNode.Parse(File.ReadAllText(json))!["global"]!;
        Assert.That(minima["poor_reference"]!.GetValue<string>(), Is.EqualTo("global_minimum"));
        double value = minima["global_minimum"]!.GetValue<double>();
        Assert.That(global["globalMinimum"]!.GetValue<double>(), Is.EqualTo(value));
        Assert.That(minima["lowest_subglobal"]!.GetValue<double>(), Is.LessThanOrEqualTo(value));
        string[][] rows = [.. File.ReadAllLines(csv).Skip(1).Select(l => l.Split(','))];
        Assert.That(File.ReadAllLines(csv)[0], Is.EqualTo("index,loss,feasible,realizable,closure"));
        double tolerance = minima["tolerance"]!.GetValue<double>();
        double least = double.PositiveInfinity;
        foreach (string[] row in rows)
        {
            bool nonempty = row[2] == "1";
            Assert.That(row[4].Length > 0, Is.EqualTo(nonempty), $"region {row[0]}");
            if (!nonempty) continue;
            double closure = double.Parse(row[4], System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(closure, Is.GreaterThanOrEqualTo(double.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture) - tolerance));
            least = Math.Min(least, closure);
        }
        Assert.That(least, Is.EqualTo(value).Within(tolerance));
    }

    [Test]
    public void WitnessFileHoldsAVerifiedNetworkPerRealizableRegion()
    {
        string witnesses = TempFile("witnesses.jsonl"), csv = TempFile("regions.csv");
        (int code, string output, _) = Run("enumerate", "--dataset", "paper-fig3", "--hidden", "2", "--witness", witnesses, "--csv", csv);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("certified solves"));
        Dataset data = DatasetCatalog.Load("paper-fig3");
        string[] rows = File.ReadAllLines(csv).Skip(1).ToArray();
        string[] lines = File.ReadAllLines(witnesses);
        long[] realizable = rows.Where(r => r.EndsWith(",1,1", StringComparison.Ordinal)).Select(r => long.Parse(r.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.That(lines, Has.Length.EqualTo(realizable.Length));
        foreach (string line in lines)
        {
            JsonNode w = JsonNode.Parse(line)!;
            long index = w["index"]!.GetValue<long>();
            Assert.That(realizable, Does.Contain(index));
            Assert.That(w["b"], Is.Null, "no b without bias");
            Assert.That(w["c"], Is.Null, "no c without bias");
            AssertWitnessLine(data, false, w, Columns(index, data.Count, 2));
        }
    }

    [Test]
    public void NonemptyWitnessesCarryRowsAndMultiplicities()
    {
        string witnesses = TempFile("nonempty.jsonl"), json = TempFile("nonempty.json");
        (int code, _, _) = Run("enumerate", "--dataset", "random:10,2,3", "--bias", "--hidden", "2", "--nonempty", "--unordered", "--witness", witnesses, "--json", json);
        Assert.That(code, Is.EqualTo(0));
        Dataset data = DatasetCatalog.Load("random:10,2,3");
        string[] lines = File.ReadAllLines(witnesses);
        JsonNode run = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.That(lines.Sum(l => JsonNode.Parse(l)!["multiplicity"]!.GetValue<long>()), Is.EqualTo(run["realizable"]!["count"]!.GetValue<long>()));
        Assert.That(run["decisions"]!["unchecked"]!.GetValue<long>(), Is.Zero);
        foreach (string line in lines)
        {
            JsonNode w = JsonNode.Parse(line)!;
            AssertWitnessLine(data, true, w, Columns(w["index"]!.GetValue<long>(), data.Count, 2));
        }
    }

    [Test]
    public void HugeButRepresentableTargetsGiveFiniteOutputs()
    {
        string data = TempFile("huge.csv"), json = TempFile("huge.json"), csv = TempFile("huge-regions.csv");
        File.WriteAllText(data, "x1,y\n1,1e150\n2,-2e150\n3,5e149\n");
        (int code, string output, _) = Run("enumerate", "--dataset", data, "--hidden", "2", "--bias", "--json", json, "--csv", csv);
        Assert.That(code, Is.EqualTo(0));
        foreach (string text in new[] { output, File.ReadAllText(json), File.ReadAllText(csv) })
        {
            Assert.That(text, Does.Not.Contain("NaN"));
            Assert.That(text, Does.Not.Contain("Infinity"));
            Assert.That(text, Does.Not.Contain("∞"));
        }
    }

    private static ulong[][] Columns(long index, int points, int hidden) =>
        Enumerable.Range(0, hidden).Select(j => new[] { (ulong)Enumerable.Range(0, points).Where(i => ((index >> (i * hidden + j)) & 1) != 0).Sum(i => 1L << i) }).ToArray();

    // A witness line read back and checked by the tests' own evaluation of the network.
    private static void AssertWitnessLine(Dataset data, bool bias, JsonNode w, ulong[][] columns)
    {
        double[][] weights = w["W"]!.AsArray().Select(row => row!.AsArray().Select(e => e!.GetValue<double>()).ToArray()).ToArray();
        double[] v = w["v"]!.AsArray().Select(e => e!.GetValue<double>()).ToArray();
        double[] b = bias ? w["b"]!.AsArray().Select(e => e!.GetValue<double>()).ToArray() : new double[v.Length];
        double c = bias ? w["c"]!.GetValue<double>() : 0;
        double scale = 0.5 * data.Y.ToArray().Sum(y => y * y);
        Assert.That(WitnessCheck.Problem(data, bias, columns, weights, b, v, c, w["loss"]!.GetValue<double>(), 1e-8 * scale), Is.Null, w.ToJsonString());
    }

    [Test]
    public void PaperPrintsFigure3AndWritesItsTables()
    {
        string dir = TempFile("paper");
        (int code, string output, _) = Run("paper", "--out", dir);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("Figure 3"));
        Assert.That(output, Does.Contain("h=4"));
        Assert.That(output, Does.Contain("linear region"));
        for (int h = 1; h < 4; h++) Assert.That(output, Does.Contain($"h={h} → h={h + 1}: yes"));
        Assert.That(File.ReadAllLines(Path.Combine(dir, "figure3.csv"))[0],
            Is.EqualTo("loss,h1,h1_realizable,h2,h2_realizable,h3,h3_realizable,h4,h4_realizable"));
        Assert.That(File.Exists(Path.Combine(dir, "figure3.json")), Is.True);
        foreach (string name in new[] { "figure3-h1", "figure3-h2", "figure3-h3", "figure3-h4", "figure2-slice" })
            AssertPngAndSvg(Path.Combine(dir, name + ".png"));
    }

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // A figure is written twice: a PNG (checked by its signature) and an SVG beside it.
    private static void AssertPngAndSvg(string png)
    {
        Assert.That(File.ReadAllBytes(png)[..8], Is.EqualTo(PngSignature), png);
        Assert.That(File.ReadAllText(Path.ChangeExtension(png, ".svg")), Does.Contain("<svg"), png);
    }

    [Test]
    public void SliceWritesPngAndSvg()
    {
        string png = TempFile("fig2.png");
        (int code, string output, _) = Run("slice", "--dataset", "paper-fig2", "--hidden", "1", "--grid", "41", "--out", png);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("1 activation boundary line"));
        AssertPngAndSvg(png);
    }

    [Test]
    public void RegionsReportsFigure1()
    {
        (int code, string output, _) = Run("regions", "--dataset", "paper-fig3", "--hidden", "1");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("cells per node: 6"));
        Assert.That(output, Does.Contain("nonempty regions: 6 of 8"));
    }

    [Test]
    public void NonemptyUnorderedCsvCarriesMultiplicities()
    {
        string csv = TempFile("nonempty.csv");
        (int code, string output, _) = Run("enumerate", "--dataset", "paper-fig3", "--hidden", "2", "--nonempty", "--unordered", "--csv", csv);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("36 nonempty regions"));
        string[] rows = File.ReadAllLines(csv);
        Assert.That(rows[0], Is.EqualTo("index,loss,feasible,realizable,multiplicity"));
        Assert.That(rows, Has.Length.EqualTo(1 + 6 * 7 / 2));
        Assert.That(rows.Skip(1).Sum(l => long.Parse(l.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(36));
        Assert.That(rows.Skip(1).Where(l => l.Split(',')[3] == "1").Sum(l => long.Parse(l.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(28));
    }

    [Test]
    public void BenchRegionsPrintsOneJsonLine()
    {
        (int code, string output, _) = Run("bench", "regions", "--workload", "fig3", "--count", "4096", "--repeats", "1");
        Assert.That(code, Is.EqualTo(0));
        JsonNode line = JsonNode.Parse(output.Trim())!;
        Assert.That(line["workload"]!.GetValue<string>(), Is.EqualTo("fig3"));
        Assert.That(line["regions"]!.GetValue<long>(), Is.EqualTo(4096));
        Assert.That(line["regions_per_s"]!.GetValue<double>(), Is.GreaterThan(0));
    }
}
