using Engine.Cli;

namespace Engine.Tests;

/// <summary>Runs the engine's <c>Main</c> in-process with its console captured, as a user at a terminal would see it.</summary>
internal static class CommandLine
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        TextWriter stdout = Console.Out, stderr = Console.Error;
        var output = new StringWriter();
        var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int code = Program.Main(args);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }
}
