using System.CommandLine;
using Engine.Server;
using Microsoft.AspNetCore.Builder;

namespace Engine.Cli;

/// <summary><c>engine serve</c>: the HTTP API and the explorer page, until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Address to bind; the default serves this machine only.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on (0: any free port).", DefaultValueFactory = _ => 8787 };
        var runs = new Option<DirectoryInfo>("--runs") { Description = "Keep every run here: a restarted server serves finished runs and resumes the others.", DefaultValueFactory = _ => new DirectoryInfo("engine-runs") };
        var concurrent = new Option<int>("--max-runs") { Description = "Runs computing at once; later ones queue.", DefaultValueFactory = _ => 2 };
        var device = RegionOptions.DeviceOption();
        var remote = new Option<bool>("--allow-remote") { Description = "Allow a --host that other machines can reach (anything but a loopback address)." };
        var command = new Command("serve", "Serve the HTTP API (/api/runs, OpenAPI at /openapi/v1.json) and the loss-surface explorer at /.");
        foreach (Option option in new Option[] { host, port, runs, concurrent, device, remote }) command.Options.Add(option);
        command.SetAction((parsed, cancellation) =>
        {
            int p = parsed.GetValue(port), max = parsed.GetValue(concurrent);
            if (p is < 0 or > 65535) throw new EngineInputException($"--port must be in [0, 65535], got {p}");
            if (max < 1) throw new EngineInputException($"--max-runs must be at least 1, got {max}");
            Runs.OutputPolicy.CheckDirectory("--runs", parsed.Value(runs).FullName);
            var options = new ServerOptions(parsed.Value(host), p, parsed.Value(runs).FullName, BackendNames.Parse(parsed.Value(device)), max, parsed.GetValue(remote));
            if (EngineServer.Addresses(options).Any(a => !System.Net.IPAddress.IsLoopback(a)))
                Console.Error.WriteLine($"engine: warning: --host {options.Host} is reachable from other machines; the API has no authentication");
            using WebApplication app = EngineServer.Create(options);
            try
            {
                app.StartAsync(cancellation).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
            {
                throw new EngineInputException($"--port {p}: cannot listen on {options.Host}:{p}: {e.Message}");
            }
            Console.Error.WriteLine($"engine: serving {string.Join(", ", app.Urls)} (explorer at /, API at /api/runs, runs kept in {options.Runs}); Ctrl+C stops");
            cancellation.WaitHandle.WaitOne();
            app.StopAsync().GetAwaiter().GetResult();
            return 0;
        });
        return command;
    }
}
