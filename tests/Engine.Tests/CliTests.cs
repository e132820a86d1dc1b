using System.Text.Json.Nodes;
using Engine.Cli;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>The command line as a user meets it: exit codes, one-line errors, files written.</summary>
[NonParallelizable]
public sealed class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        TextWriter stdout = Console.Out, stderr = Console.Error;
        var output = new StringWriter();
        var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int code = Program.Main(args);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    private static string TempFile(string name) => Path.Combine(TestContext.CurrentContext.WorkDirectory, $"{Guid.NewGuid():N}-{name}");

    [TestCase("unknown dataset", "enumerate", "--dataset", "nope", "--hidden", "1")]
    [TestCase("hidden nodes must be positive", "enumerate", "--dataset", "paper-fig3", "--hidden", "0")]
    [TestCase("hidden nodes must be positive", "enumerate", "--dataset", "paper-fig3", "--hidden", "-3")]
    [TestCase("unknown device", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--device", "tpu")]
    [TestCase("cannot be indexed", "enumerate", "--dataset", "random:40,2,1", "--hidden", "2")]
    [TestCase("--allow-long", "enumerate", "--dataset", "random:30,2,1", "--hidden", "2")]
    [TestCase("count 100 must be in", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--start", "5", "--count", "100")]
    [TestCase("unknown path", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--path", "gpu")]
    [TestCase("at least one bin", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--bins", "0")]
    [TestCase("unknown workload", "bench", "regions", "--workload", "nope")]
    [TestCase("--hidden", "enumerate", "--dataset", "paper-fig3", "--hidden", "two")]
    [TestCase("--hidden", "enumerate", "--dataset", "paper-fig3")]
    [TestCase("--unordered needs --nonempty", "enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--unordered")]
    [TestCase("--allow-long", "enumerate", "--dataset", "random:200,2,1", "--hidden", "4", "--nonempty")]
    [TestCase("unknown parameter 'nope'", "slice", "--dataset", "paper-fig2", "--hidden", "1", "--x", "nope", "--out", "x.png")]
    [TestCase("range must be FROM,TO", "slice", "--dataset", "paper-fig2", "--hidden", "1", "--range", "3,1", "--out", "x.png")]
    [TestCase("must name a .png file", "slice", "--dataset", "paper-fig2", "--hidden", "1", "--out", "x.jpg")]
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
