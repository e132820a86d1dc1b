using System.CommandLine;

namespace Engine.Cli;

/// <summary><c>engine bench</c>: quick timings printed as one JSON line each (BenchmarkDotNet lives in bench/).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Time the engine's workloads; each subcommand prints one JSON line.");
        command.Subcommands.Add(BenchRegionsCommand.Create());
        command.Subcommands.Add(BenchMnistCommand.Create());
        return command;
    }
}
