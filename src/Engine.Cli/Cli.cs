using System.CommandLine;
using System.Runtime.InteropServices;

namespace Engine.Cli;

/// <summary>
/// What every command shares: turning failures into one line and an exit code, and Ctrl+C into cancellation
/// so long runs stop at a batch boundary and report what they finished.
/// </summary>
internal static class Cli
{
    /// <summary>Exit code for bad input: a user can fix it.</summary>
    public const int InputError = 2;

    /// <summary>Exit code of <c>--strict</c> runs with undecided answers: the outputs are written, but not every answer is certified.</summary>
    public const int Undecided = 3;

    /// <summary>Exit code for a run interrupted by Ctrl+C or SIGTERM, as shells report SIGINT.</summary>
    public const int Interrupted = 130;

    private static readonly CancellationTokenSource Cancel = new();

    /// <summary>Cancelled when the user presses Ctrl+C.</summary>
    public static CancellationToken Cancellation => Cancel.Token;

    /// <summary>Parses and runs <paramref name="args"/> against <paramref name="root"/>.</summary>
    public static int Invoke(RootCommand root, string[] args)
    {
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl+C asks the run to stop cleanly; a second one kills the process.
            if (Cancel.IsCancellationRequested) return;
            e.Cancel = true;
            Cancel.Cancel();
        };
        // SIGTERM is what schedulers (Slurm, Kubernetes) and timeout send: the same clean stop as Ctrl+C, once.
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            if (Cancel.IsCancellationRequested) return;
            context.Cancel = true;
            Cancel.Cancel();
        });
        // A first word that is no command gets its own line: the parser would say only that a command is missing.
        if (args.Length > 0 && !args[0].StartsWith('-') && root.Subcommands.All(c => c.Name != args[0]))
        {
            Console.Error.WriteLine($"engine: unknown command '{args[0]}'; the commands are {string.Join(", ", root.Subcommands.Select(c => c.Name))} (see 'engine --help')");
            return InputError;
        }
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line, not the usage screen: the user asked for something specific and mistyped it.
            string command = parsed.CommandResult.Command == root ? "" : $" {parsed.CommandResult.Command.Name}";
            Console.Error.WriteLine($"engine: {parsed.Errors[0].Message} (see 'engine{command} --help')");
            return InputError;
        }
        return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    /// <summary>Sets <paramref name="command"/>'s action, mapping exceptions to one line on stderr.</summary>
    public static void SetAction(this Command command, Func<ParseResult, CancellationToken, int> action)
    {
        command.SetAction(parsed =>
        {
            try
            {
                return action(parsed, Cancellation);
            }
            catch (EngineInputException e)
            {
                Console.Error.WriteLine($"engine: {e.Message}");
                return InputError;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("engine: interrupted");
                return Interrupted;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"engine: {e.Message}");
                return 1;
            }
            catch (UnauthorizedAccessException e)
            {
                Console.Error.WriteLine($"engine: {e.Message}");
                return 1;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A defect, not bad input: still one line, with the type so it can be reported.
                Console.Error.WriteLine($"engine: internal error: {e.GetType().Name}: {e.Message}");
                // ENGINE_TRACE=1 adds the stack, for a report of the defect.
                if (Environment.GetEnvironmentVariable("ENGINE_TRACE") == "1") Console.Error.WriteLine(e.ToString());
                return 1;
            }
        });
    }

    /// <summary>Reads a required option value that the parser guarantees is present.</summary>
    public static T Value<T>(this ParseResult parsed, Option<T> option) => parsed.GetValue(option)!;
}
