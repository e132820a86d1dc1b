using Engine.Runs;

namespace Engine.Cli;

/// <summary>The output policy (<see cref="OutputPolicy"/>) as the commands apply it: before any work, on their options.</summary>
internal static class Outputs
{
    /// <summary>Checks the outputs given (null ones were not asked for) against each other and the run's inputs.</summary>
    public static void Check(IReadOnlyList<string> inputs, params (string Option, FileInfo? File)[] outputs) =>
        OutputPolicy.Check([.. outputs.Where(o => o.File is not null).Select(o => (o.Option, o.File!.FullName))], inputs);

    /// <summary>Every file of a run directory: a merge reads them all, so none may be an output.</summary>
    public static IReadOnlyList<string> Inputs(string directory) =>
        Directory.Exists(directory) ? [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)] : [];
}
