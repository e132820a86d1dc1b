using System.Diagnostics;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// Outputs never destroy anything: not an input, not another output, not a device, FIFO or file under /proc; a symlink is
/// written through; stale temporary files of killed writes are cleaned up. Each class of path is made here for real.
/// </summary>
[Category("unit")]
[NonParallelizable]
public sealed class OutputPolicyTests
{
    private string _scratch = "";

    [SetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("engine-outputs-").FullName;

    [TearDown]
    public void RemoveScratch() => Directory.Delete(_scratch, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CommandLine.Run(args);

    private string Data()
    {
        string csv = Path.Combine(_scratch, "data.csv");
        File.WriteAllText(csv, "x1,x2,y\n1,0,1\n0,1,2\n1,1,3\n");
        return csv;
    }

    private static void AssertRefused((int Code, string Out, string Err) result, string expected)
    {
        Assert.That(result.Code, Is.EqualTo(2), result.Err);
        Assert.That(result.Err, Does.Contain(expected));
        Assert.That(result.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }

    [TestCase("--csv")]
    [TestCase("--json")]
    [TestCase("--witness")]
    public void TheInputDataIsNeverAnOutput(string option)
    {
        string data = Data();
        string before = File.ReadAllText(data);
        AssertRefused(Run("enumerate", "--dataset", data, "--hidden", "1", option, data), "is an input of this run");
        // Another spelling of the same file, and a hard link to it, are the same file.
        AssertRefused(Run("enumerate", "--dataset", data, "--hidden", "1", option, Path.Combine(_scratch, ".", "data.csv")), "is an input");
        string link = Path.Combine(_scratch, "hard.csv");
        Assert.That(Process.Start("ln", [data, link])!.WaitForExit(10_000), Is.True);
        AssertRefused(Run("enumerate", "--dataset", data, "--hidden", "1", option, link), "is an input");
        Assert.That(File.ReadAllText(data), Is.EqualTo(before));
    }

    [Test]
    public void TwoOutputsAreNeverTheSameFile()
    {
        string out1 = Path.Combine(_scratch, "out");
        AssertRefused(Run("enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--csv", out1, "--json", out1), "is the same file as --csv");
        AssertRefused(Run("global", "--dataset", "paper-fig3", "--hidden", "1", "--json", out1, "--witness", out1), "is the same file as --json");
        Assert.That(File.Exists(out1), Is.False);
    }

    // A character device made here (never the machine's own /dev/null) survives a root run that names it as an output.
    [Test]
    public void ADeviceNodeIsNeverReplaced()
    {
        if (Environment.UserName != "root") Assert.Ignore("mknod needs root; the test command runs as root on a fresh machine");
        string device = Path.Combine(_scratch, "null");
        using (Process mknod = Process.Start("mknod", [device, "c", "1", "3"])!) Assert.That(mknod.WaitForExit(10_000) && mknod.ExitCode == 0, Is.True);
        AssertRefused(Run("enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--json", device), "is a character device");
        AssertRefused(Run("global", "--dataset", "paper-fig3", "--hidden", "1", "--json", device), "is a character device");
        Assert.That(Engine.Runs.OutputPolicy.Status(device)?.Kind, Is.EqualTo(Engine.Runs.OutputPolicy.FileKind.CharacterDevice));
    }

    // A FIFO would block the writer until a reader came: refused at once instead.
    [Test]
    public void AFifoIsRefusedWithoutWaiting()
    {
        string fifo = Path.Combine(_scratch, "fifo");
        using (Process mkfifo = Process.Start("mkfifo", [fifo])!) Assert.That(mkfifo.WaitForExit(10_000) && mkfifo.ExitCode == 0, Is.True);
        var run = Task.Run(() => Run("enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--csv", fifo));
        Assert.That(run.Wait(TimeSpan.FromSeconds(30)), Is.True, "the run waited on the FIFO");
        AssertRefused(run.Result, "is a FIFO");
    }

    [TestCase("/proc/self/environ")]
    [TestCase("/sys/kernel/notes")]
    public void NothingIsWrittenUnderProcOrSys(string path) =>
        AssertRefused(Run("enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--json", path), "is refused");

    // A symlink is written through: the link stays and its target holds the new document.
    [Test]
    public void ASymlinkIsWrittenThroughToItsTarget()
    {
        string target = Path.Combine(_scratch, "target.json"), link = Path.Combine(_scratch, "link.json");
        File.WriteAllText(target, "old");
        File.CreateSymbolicLink(link, target);
        (int code, _, string error) = Run("enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--json", link);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(new FileInfo(link).LinkTarget, Is.EqualTo(target));
        Assert.That(File.ReadAllText(target), Does.Contain("\"dataset\": \"paper-fig3\""));
    }

    // A write killed with kill -9 leaves name.PID.GUID.partial; the next run into the same place removes it.
    [Test]
    public void StaleTemporaryFilesOfKilledWritesAreRemoved()
    {
        string output = Path.Combine(_scratch, "run.json");
        // A process id above the kernel's pid_max belongs to no process.
        string stale = $"{output}.4194305.0123456789abcdef0123456789abcdef.partial";
        File.WriteAllText(stale, new string('x', 1 << 16));
        (int code, _, string error) = Run("enumerate", "--dataset", "paper-fig3", "--hidden", "1", "--json", output);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.Exists(stale), Is.False);
        Assert.That(Directory.GetFiles(_scratch, "*.partial"), Is.Empty);
    }

    [Test]
    public void AnUnknownCommandNamesItselfAndTheCommands()
    {
        (int code, _, string error) = Run("frobnicate");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("unknown command 'frobnicate'").And.Contain("enumerate").And.Contain("global"));
    }

    [Test]
    public void PaperAndServeRefuseDirectoriesThatAreFiles()
    {
        string file = Path.Combine(_scratch, "file");
        File.WriteAllText(file, "");
        AssertRefused(Run("paper", "--out", file), "--out");
        AssertRefused(Run("serve", "--runs", file, "--port", "0"), "--runs");
        AssertRefused(Run("slice", "--dataset", "paper-fig2", "--hidden", "1", "--out", Path.Combine(_scratch, "missing", "s.png")), "does not exist");
    }

    // A binary file as a dataset gets one readable line: no raw bytes, no more than a few dozen characters of them.
    [Test]
    public void ABinaryDatasetGetsOneReadableLine()
    {
        string binary = Path.Combine(_scratch, "binary.csv");
        byte[] bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(binary, [.. "x1,y\n"u8.ToArray(), .. bytes]);
        (int code, _, string error) = Run("enumerate", "--dataset", binary, "--hidden", "1");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error.Length, Is.LessThan(binary.Length + 200));
        Assert.That(error.TrimEnd().All(c => c is >= ' ' and <= '~' or '…' or 'ℝ'), Is.True, error);
    }

    // The run document stays small when the regions are kept: per-row levels belong in the CSV.
    [Test]
    public void TheJsonStaysSmallWhenRegionsAreKept()
    {
        string json = Path.Combine(_scratch, "run.json"), csv = Path.Combine(_scratch, "run.csv");
        (int code, _, string error) = Run("enumerate", "--dataset", "random:40,2,1", "--bias", "--hidden", "2", "--nonempty", "--unordered", "--realizable", "--json", json, "--csv", csv);
        Assert.That(code, Is.EqualTo(0), error);
        var minima = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!["minima"]!;
        Assert.That(minima["level_count"]!.GetValue<int>(), Is.GreaterThan(RunDocuments.MaxLevels));
        Assert.That(minima["levels"], Is.Null);
        Assert.That(new FileInfo(json).Length, Is.LessThan(100_000));
    }
}
