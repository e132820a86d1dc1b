using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// The job-array path on a real Slurm cluster (the one-node cluster `.ci/slurm-up` starts): the repository's
/// engine-slurm submits a 4-task array and a dependent merge, and the merged outputs equal a single run's.
/// </summary>
[Category("cluster")]
[NonParallelizable]
public sealed class SlurmTests
{
    [Test]
    public void AFourTaskArrayAndItsMergeEqualASingleRun()
    {
        if (!Idle()) Assert.Ignore("no Slurm cluster on this machine (sinfo shows no idle node); .ci/slurm-up starts a one-node cluster");
        string root = Path.Combine(Path.GetTempPath(), $"engine-slurm-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        try
        {
            string engine = Path.Combine(AppContext.BaseDirectory, "engine");
            string[] request = ["enumerate", "--dataset", "random:12,2,3", "--bias", "--hidden", "2", "--nonempty", "--unordered", "--csv", Path.Combine(root, "part.csv"), "--witness", Path.Combine(root, "part.w")];
            (int code, string output) = Run(Path.Combine(Repository.Root(), "src", "Engine.Cli", "cluster", "engine-slurm"), root, engine,
                ["--wait", "4", Path.Combine(root, "run"), "--csv", Path.Combine(root, "merged.csv"), "--witness", Path.Combine(root, "merged.w"), "--json", Path.Combine(root, "merged.json"), "--", .. request]);
            Assert.That(code, Is.Zero, output);
            Assert.That(Directory.GetFiles(root, "engine-part-*.log"), Has.Length.EqualTo(4), "one log per array task");
            (int single, string singleOutput) = Run(engine, root, engine,
                ["enumerate", "--dataset", "random:12,2,3", "--bias", "--hidden", "2", "--nonempty", "--unordered", "--csv", Path.Combine(root, "single.csv"), "--witness", Path.Combine(root, "single.w"), "--json", Path.Combine(root, "single.json")]);
            Assert.That(single, Is.Zero, singleOutput);
            Assert.That(File.ReadAllBytes(Path.Combine(root, "merged.csv")), Is.EqualTo(File.ReadAllBytes(Path.Combine(root, "single.csv"))));
            Assert.That(File.ReadAllBytes(Path.Combine(root, "merged.w")), Is.EqualTo(File.ReadAllBytes(Path.Combine(root, "single.w"))));
            static string[] Untimed(string file) => [.. File.ReadAllLines(file).Where(l => !l.TrimStart().StartsWith("\"seconds\"", StringComparison.Ordinal))];
            Assert.That(Untimed(Path.Combine(root, "merged.json")), Is.EqualTo(Untimed(Path.Combine(root, "single.json"))));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static bool Idle()
    {
        try
        {
            (int code, string output) = Run("sinfo", Path.GetTempPath(), "", ["-h", "-o", "%T"]);
            return code == 0 && output.Contains("idle", StringComparison.Ordinal);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static (int Code, string Output) Run(string program, string directory, string engine, string[] args) =>
        Repository.Run(program, directory, args, engine.Length > 0 ? new Dictionary<string, string> { ["ENGINE"] = engine } : null);
}
