using Engine.Core.Mnist;
using NUnit.Framework;

namespace Engine.Tests.Mnist;

/// <summary>
/// Real MNIST for the tests: the repository's data/mnist, where the test command (tests/run, through `engine mnist fetch`) puts it. Tests never
/// download: when it is missing, a test that needs it fails with one line naming the fetch command.
/// </summary>
internal static class MnistFixture
{
    private static readonly Lazy<string> LazyDirectory = new(() =>
    {
        string directory = Path.Combine(RepositoryRoot(), MnistFiles.DefaultDirectory);
        if (!MnistFiles.ArePresent(directory))
            Assert.Fail($"MNIST is missing in {directory}: run 'dotnet run --project src/Engine.Cli -c Release -- mnist fetch' first");
        return directory;
    });

    public static string Directory => LazyDirectory.Value;

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Engine.sln"))) return d.FullName;
        }
        return Path.GetTempPath();
    }
}
