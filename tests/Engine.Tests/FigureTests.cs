using Engine.Core;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Figure 2's loss slice and the command-line figures: values, boundaries, and files written.</summary>
public sealed class FigureTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("engine-figures-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Figure2SliceHasTheLineW1EqualsZeroAndTheRealLoss()
    {
        Dataset data = DatasetCatalog.Load("paper-fig2");
        // f(x) = w2·σ(w1·x): θ = [w1, v1] in the engine's order.
        LossSlice slice = LossSlice.Compute(data, 1, false, [0, 0], 0, 1, -3, 3, -3, 3, 61);
        Assert.That(slice.Boundaries, Has.Count.EqualTo(1));
        (double a, double b, double c) = slice.Boundaries[0];
        Assert.That((a, Math.Abs(b), c), Is.EqualTo((0.0, 1.0, 0.0)));
        // On w1 = 0 the network is 0, so L_f = ½(9 + 1) = 5 whatever w2 is: the flat line of non-differentiable minima.
        int zero = Array.IndexOf(slice.Xs, 0.0);
        for (int r = 0; r < slice.Ys.Length; r++) Assert.That(slice.Loss[r, zero], Is.EqualTo(5.0));
        // (w1, w2) = (1, 1.5): only x2 = 2 is active, f(2) = 3, so L_f = ½(9 + 16) = 12.5.
        int w1 = Array.IndexOf(slice.Xs, 1.0);
        int w2 = Array.IndexOf(slice.Ys, 1.5);
        Assert.That(slice.Loss[w2, w1], Is.EqualTo(12.5).Within(1e-12));
    }

    [Test]
    public void SliceCommandWritesPngAndSvg()
    {
        string png = Path.Combine(_dir, "fig2.png");
        Assert.That(Run("slice", "--dataset", "paper-fig2", "--hidden", "1", "--grid", "41", "--out", png), Is.EqualTo(0));
        byte[] header = File.ReadAllBytes(png)[..8];
        Assert.That(header, Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        Assert.That(File.ReadAllText(Path.ChangeExtension(png, ".svg")), Does.Contain("<svg"));
    }

    [Test]
    public void RegionsCommandReportsFigure1()
    {
        (int code, string output) = Capture("regions", "--dataset", "paper-fig3", "--hidden", "1");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("cells per node: 6"));
        Assert.That(output, Does.Contain("nonempty regions: 6 of 8"));
    }

    [Test]
    public void EnumerateCsvHasFeasibleAndRealizableColumns()
    {
        string csv = Path.Combine(_dir, "x.csv");
        Assert.That(Run("enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--csv", csv), Is.EqualTo(0));
        string[] lines = File.ReadAllLines(csv);
        Assert.That(lines[0], Is.EqualTo("index,loss,feasible,realizable"));
        Assert.That(lines.Skip(1).Count(l => l.EndsWith(",1,1", StringComparison.Ordinal)), Is.EqualTo(4));
        Assert.That(lines.Skip(1).Count(l => l.Contains(",1,", StringComparison.Ordinal)), Is.EqualTo(6));

        string nonempty = Path.Combine(_dir, "n.csv");
        Assert.That(Run("enumerate", "--dataset", "paper-fig3", "--hidden", "2", "--nonempty", "--unordered", "--csv", nonempty), Is.EqualTo(0));
        string[] rows = File.ReadAllLines(nonempty);
        Assert.That(rows[0], Is.EqualTo("index,loss,feasible,realizable,multiplicity"));
        Assert.That(rows.Skip(1).Sum(l => long.Parse(l.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(36));
    }

    [Test]
    public void PaperCommandPrintsTheSection32CheckAndWritesFigures()
    {
        (int code, string output) = Capture("paper", "--out", _dir);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("h=1 → h=2: yes"));
        Assert.That(output, Does.Contain("linear region"));
        foreach (string name in new[] { "figure3-h1", "figure3-h4", "figure2-slice" })
        {
            Assert.That(File.Exists(Path.Combine(_dir, name + ".png")), name);
            Assert.That(File.Exists(Path.Combine(_dir, name + ".svg")), name);
        }
    }

    [Test]
    public void BadInputIsOneLineAndExitCodeTwo()
    {
        Assert.That(Run("slice", "--dataset", "paper-fig2", "--hidden", "1", "--x", "nope", "--out", Path.Combine(_dir, "x.png")), Is.EqualTo(2));
        Assert.That(Run("enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--unordered"), Is.EqualTo(2));
    }

    private static int Run(params string[] args) => Capture(args).Code;

    private static (int Code, string Output) Capture(params string[] args)
    {
        TextWriter saved = Console.Out;
        TextWriter savedError = Console.Error;
        using var output = new StringWriter();
        try
        {
            Console.SetOut(output);
            Console.SetError(TextWriter.Null);
            return (Cli.Program.Main(args), output.ToString());
        }
        finally
        {
            Console.SetOut(saved);
            Console.SetError(savedError);
        }
    }
}
