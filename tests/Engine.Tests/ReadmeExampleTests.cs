using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// The README's first C# block, exactly as written, in a fresh console project that references the packages
/// <c>dotnet pack Engine.sln</c> writes, from a local folder: it must build and print what the engine computes here.
/// </summary>
[NonParallelizable]
[Category("package")]
public sealed partial class ReadmeExampleTests
{
    [Test]
    public void TheReadmeProgramRunsAgainstThePackedPackages()
    {
        string root = Repository.Root();
        Match block = CSharpBlock().Match(File.ReadAllText(Path.Combine(root, "README.md")));
        Assert.That(block.Success, Is.True, "the README has a ```csharp block");
        // A version of its own, so that neither NuGet's cache nor an earlier pack can stand in for this build.
        string version = $"0.1.0-readme.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        string work = Path.Combine(Path.GetTempPath(), $"engine-readme-{Guid.NewGuid():N}");
        string packages = Path.Combine(work, "packages"), app = Path.Combine(work, "app");
        try
        {
            string dotnet = Repository.Dotnet();
            // The solution was built by the test command: pack what was built.
            (int code, string output) = Repository.Run(dotnet, root, ["pack", "Engine.sln", "-c", "Release", "--no-build", "-o", packages, $"-p:Version={version}"]);
            Assert.That(code, Is.Zero, output);
            Assert.That(Directory.GetFiles(packages, "*.nupkg").Select(Path.GetFileName).Order(),
                Is.EqualTo(new[] { $"Engine.Core.{version}.nupkg", $"Engine.Facade.{version}.nupkg", $"Engine.Kernels.{version}.nupkg" }),
                "the library packages, and no test, bench or CLI package");
            (code, output) = Repository.Run(dotnet, work, ["new", "console", "-o", app]);
            Assert.That(code, Is.Zero, output);
            File.WriteAllText(Path.Combine(app, "Program.cs"), block.Groups[1].Value);
            File.WriteAllText(Path.Combine(app, "nuget.config"),
                $"<configuration><packageSources><add key=\"engine-local\" value=\"{packages}\" /></packageSources></configuration>\n");
            (code, output) = Repository.Run(dotnet, app, ["add", "package", "Engine.Facade", "--version", version]);
            Assert.That(code, Is.Zero, output);
            (code, output) = Repository.Run(dotnet, app, ["run", "-c", "Release"]);
            Assert.That(code, Is.Zero, output);

            // What the program must print, computed here through the project's own façade.
            using EngineSession session = EngineSession.Open(Backend.Cpu);
            RegionRun run = session.Enumerate(new RegionRequest { Data = session.Dataset("paper-fig3"), Hidden = 2, KeepRegions = true, Realizability = true });
            Assert.That(output, Does.Contain($"{run.RealizableMinima.Count} of {run.Regions} regions have a realizable minimum"));
            Assert.That(Regex.Matches(output, @"^  region +\d+: loss", RegexOptions.Multiline), Has.Count.EqualTo(run.RealizableMinima.Count));
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
            // NuGet copied the packages into its global folder: remove this version again.
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder ? folder
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (string id in new[] { "engine.core", "engine.facade", "engine.kernels" })
            {
                string cached = Path.Combine(cache, id, version);
                if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
            }
        }
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
