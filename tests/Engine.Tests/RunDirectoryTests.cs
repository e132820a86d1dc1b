using System.Diagnostics;
using Engine.Core.Geometry;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// Runs that never lose work, tested on real child processes of the <c>engine</c> program: interrupted by kill -9,
/// SIGTERM and Ctrl+C (SIGINT) at several points and resumed, split into parts run in any order (one of them twice) and
/// merged. Every final output must equal an uninterrupted run's, byte for byte except the timing field.
/// </summary>
[Category("cluster")]
[NonParallelizable]
public sealed class RunDirectoryTests
{
    // An exhaustive run with realizability and witnesses (64 units), and a nonempty one with a CSV (18 units).
    private static readonly string[] Exhaustive = ["enumerate", "--dataset", "random:11,2,3", "--bias", "--hidden", "2"];
    private static readonly string[] Nonempty = ["enumerate", "--dataset", "random:20,2,5", "--bias", "--hidden", "2", "--nonempty", "--unordered", "--csv", "{dir}/out.csv"];
    private static readonly string[] Outputs = ["--witness", "{dir}/out.w", "--json", "{dir}/out.json"];

    private string _root = "";
    private readonly Dictionary<string, string> _reference = [];

    [OneTimeSetUp]
    public void RunUninterrupted()
    {
        _root = Path.Combine(Path.GetTempPath(), $"engine-runs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_root);
        foreach ((string name, string[] args) in new[] { ("exhaustive", Exhaustive), ("nonempty", Nonempty) })
        {
            string dir = Folder(name + "-reference");
            (int code, _) = Engine(Args(args, dir));
            Assert.That(code, Is.Zero);
            _reference[name] = dir;
        }
    }

    [OneTimeTearDown]
    public void RemoveFolders()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [TestCase("exhaustive", "KILL", 2)]
    [TestCase("exhaustive", "TERM", 6)]
    [TestCase("exhaustive", "INT", 20)]
    [TestCase("nonempty", "KILL", 1)]
    [TestCase("nonempty", "TERM", 4)]
    [TestCase("nonempty", "INT", 9)]
    public void InterruptedRunsResumeToIdenticalOutputs(string workload, string signal, int units)
    {
        string dir = Folder($"{workload}-{signal}-{units}");
        string[] args = [.. Args(workload == "exhaustive" ? Exhaustive : Nonempty, dir), "--run", Path.Combine(dir, "run")];
        string unitFolder = Path.Combine(dir, "run", "units");
        using Process child = Start(args);
        // Interrupt once the run has stored this many units, mid-run.
        var clock = Stopwatch.StartNew();
        while (!child.HasExited && (!Directory.Exists(unitFolder) || Directory.GetFiles(unitFolder, "*.unit").Length < units) && clock.Elapsed.TotalSeconds < 120)
            Thread.Sleep(5);
        bool interrupted = !child.HasExited;
        if (interrupted) Signal(child, signal);
        child.WaitForExit();
        if (interrupted)
        {
            Assert.That(child.ExitCode, Is.Not.Zero, "an interrupted run must not claim success");
            // Nothing half-written under a final name: outputs appear whole or not at all.
            Assert.That(File.Exists(Path.Combine(dir, "out.w")), Is.False);
            if (signal != "KILL") Assert.That(child.ExitCode, Is.EqualTo(130));
        }
        (int code, _) = Engine(args);
        Assert.That(code, Is.Zero);
        AssertSameOutputs(_reference[workload], dir);
        TestContext.Out.WriteLine(interrupted ? $"interrupted by SIG{signal} after {units}+ units" : "the run finished before the signal");
    }

    [TestCase("exhaustive")]
    [TestCase("nonempty")]
    public void PartsInAnyOrderAndOneTwiceMergeToTheSingleRun(string workload)
    {
        string dir = Folder($"{workload}-parts");
        string run = Path.Combine(dir, "run");
        string[] args = [.. Args(workload == "exhaustive" ? Exhaustive : Nonempty, dir), "--run", run];
        foreach (int part in new[] { 2, 0, 3, 0 })
        {
            (int code, string error) = Engine([.. args, "--shard", $"{part}/4"]);
            Assert.That(code, Is.Zero, error);
        }
        (int missingCode, string missing) = Engine(["merge", run]);
        Assert.That(missingCode, Is.EqualTo(2));
        Assert.That(missing, Does.Contain("1/4"));
        Assert.That(missing.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(Engine([.. args, "--shard", "1/4"]).Code, Is.Zero);
        string[] outputs = workload == "exhaustive"
            ? ["merge", run, "--witness", Path.Combine(dir, "out.w"), "--json", Path.Combine(dir, "out.json")]
            : ["merge", run, "--csv", Path.Combine(dir, "out.csv"), "--witness", Path.Combine(dir, "out.w"), "--json", Path.Combine(dir, "out.json")];
        (int merged, string mergeError) = Engine(outputs);
        Assert.That(merged, Is.Zero, mergeError);
        AssertSameOutputs(_reference[workload], dir);
    }

    [Test]
    public void Table1PartsAndInterruptionsGiveTheSingleRunsTable()
    {
        string mnist = Mnist.MnistFixture.Directory;
        string[] args = ["table1", "--k", "16,32", "--repeats", "2", "--epochs", "1", "--mnist", mnist];
        string single = Folder("table1-single"), parts = Folder("table1-parts"), resumed = Folder("table1-resumed");
        (int code, string error) = Engine([.. args, "--json", Path.Combine(single, "out.json")]);
        Assert.That(code, Is.Zero, error);
        // Four groups: parts in any order, one twice, then merged.
        foreach (int part in new[] { 1, 0, 1 }) Assert.That(Engine([.. args, "--run", Path.Combine(parts, "run"), "--shard", $"{part}/2"]).Code, Is.Zero);
        Assert.That(Engine(["merge", Path.Combine(parts, "run"), "--json", Path.Combine(parts, "out.json")]).Code, Is.Zero);
        // SIGTERM once the first group is stored; the group in training is lost and trained again on resuming.
        string[] run = [.. args, "--run", Path.Combine(resumed, "run"), "--json", Path.Combine(resumed, "out.json")];
        using (Process child = Start(run))
        {
            string units = Path.Combine(resumed, "run", "units");
            while (!child.HasExited && (!Directory.Exists(units) || Directory.GetFiles(units, "*.unit").Length < 1)) Thread.Sleep(5);
            if (!child.HasExited) Signal(child, "TERM");
            child.WaitForExit();
        }
        Assert.That(Engine(run).Code, Is.Zero);
        foreach (string dir in new[] { parts, resumed })
        {
            static string[] Untimed(string file) => [.. File.ReadAllLines(file).Where(l => !l.Contains("secondsPerEpoch", StringComparison.Ordinal))];
            Assert.That(Untimed(Path.Combine(dir, "out.json")), Is.EqualTo(Untimed(Path.Combine(single, "out.json"))), dir);
        }
    }

    [Test]
    public void CellEnumerationContinuesFromItsCheckpoint()
    {
        // 39,802 cells in ℝ³ take several seconds; SIGTERM after the first checkpoint, then the same command finishes.
        string dir = Folder("cells");
        string[] args = ["regions", "--dataset", "random:200,2,1", "--bias", "--hidden", "1", "--run", Path.Combine(dir, "run")];
        using (Process child = Start(args))
        {
            string checkpoint = Path.Combine(dir, "run", "cells-progress.bin");
            while (!child.HasExited && !File.Exists(checkpoint)) Thread.Sleep(5);
            if (!child.HasExited) Signal(child, "TERM");
            child.WaitForExit();
        }
        using Process resumed = Start(args, captureOutput: true);
        string output = resumed.StandardOutput.ReadToEnd();
        resumed.WaitForExit();
        Assert.That(resumed.ExitCode, Is.Zero);
        // Points in general position: the closed form counts the cells independently.
        Assert.That(output, Does.Contain($"cells per node: {ArrangementCells.GeneralPositionCount(200, 3):N0}"));
        Assert.That(File.Exists(Path.Combine(dir, "run", "cells.bin")), Is.True);
    }

    [Test]
    public void ADifferentRequestOnTheSameDirectoryIsRefused()
    {
        string dir = Folder("refused");
        string run = Path.Combine(dir, "run");
        Assert.That(Engine(["enumerate", "--dataset", "paper-fig3", "--hidden", "2", "--run", run]).Code, Is.Zero);
        (int code, string error) = Engine(["enumerate", "--dataset", "paper-fig3", "--hidden", "3", "--run", run]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("holds a different request"));
        Assert.That(error, Does.Contain("\"hidden\": 2"));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        // The same request again finds every unit done and only writes the outputs.
        Assert.That(Engine(["enumerate", "--dataset", "paper-fig3", "--hidden", "2", "--run", run]).Code, Is.Zero);
    }

    [Test]
    public void UnwritableOutputsFailBeforeAnyWork()
    {
        var clock = Stopwatch.StartNew();
        (int code, string error) = Engine(["enumerate", "--dataset", "random:30,2,1", "--hidden", "2", "--allow-long", "--json", "/nonexistent-folder/run.json"]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("/nonexistent-folder"));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        // The run would take minutes; the refusal comes before it starts (the process start itself is most of this).
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(10));
    }

    private string Folder(string name)
    {
        string dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string[] Args(string[] args, string dir) => [.. args.Concat(Outputs).Select(a => a.Replace("{dir}", dir, StringComparison.Ordinal))];

    // The program next to the tests, as a separate process.
    private static Process Start(string[] args, bool captureOutput = false)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "engine"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) info.ArgumentList.Add(a);
        Process process = Process.Start(info)!;
        if (captureOutput) return process;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.ErrorDataReceived += (_, _) => { };
        return process;
    }

    private static (int Code, string Error) Engine(string[] args)
    {
        using Process process = Start(args);
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }

    private static void Signal(Process process, string signal)
    {
        using Process kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    // The outputs of two runs: witness lines and CSV byte for byte, JSON line by line except the timing field.
    private static void AssertSameOutputs(string expected, string actual)
    {
        foreach (string name in new[] { "out.w", "out.csv" })
        {
            string e = Path.Combine(expected, name), a = Path.Combine(actual, name);
            Assert.That(File.Exists(a), Is.EqualTo(File.Exists(e)), name);
            if (File.Exists(e)) Assert.That(File.ReadAllBytes(a), Is.EqualTo(File.ReadAllBytes(e)), name);
        }
        static string[] Untimed(string file) => [.. File.ReadAllLines(file).Where(l => !l.TrimStart().StartsWith("\"seconds\"", StringComparison.Ordinal))];
        Assert.That(Untimed(Path.Combine(actual, "out.json")), Is.EqualTo(Untimed(Path.Combine(expected, "out.json"))));
    }
}
