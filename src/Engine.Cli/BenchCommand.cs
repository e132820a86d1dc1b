using System.CommandLine;

namespace Engine.Cli;

/// <summary><c>engine bench</c>: throughput measurements printed as one JSON line each.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure throughput; each subcommand prints one JSON line.");
        command.Subcommands.Add(BenchRegionsCommand.Create());
        return command;
    }
}
