using System.CommandLine;

namespace Engine.Cli;

/// <summary>Entry point of the <c>engine</c> command-line program, a thin client of the façade.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("Loss-surface decomposition engine: activation regions and subglobal minima of ReLU networks.");
        root.Subcommands.Add(DevicesCommand.Create());
        root.Subcommands.Add(EnumerateCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(PaperCommand.Create());
        root.Subcommands.Add(GlobalCommand.Create());
        root.Subcommands.Add(RegionsCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(SliceCommand.Create());
        root.Subcommands.Add(SelfTestCommand.Create());
        root.Subcommands.Add(MnistCommand.Create());
        root.Subcommands.Add(Table1Command.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return Cli.Invoke(root, args);
    }
}
