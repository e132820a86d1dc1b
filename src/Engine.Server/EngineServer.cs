using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Engine.Server;

/// <summary>How <c>engine serve</c> is set up.</summary>
/// <param name="Host">The address to bind: localhost unless the lab asks for more.</param>
/// <param name="Port">The port; 0 picks a free one.</param>
/// <param name="Runs">The runs directory.</param>
/// <param name="Backend">The device every run opens.</param>
/// <param name="MaxConcurrent">Runs computing at once.</param>
/// <param name="AllowRemote">Whether a host that is not a loopback address may be bound: other machines can then reach it.</param>
public sealed record ServerOptions(string Host, int Port, string Runs, Backend Backend = Backend.Auto, int MaxConcurrent = 2, bool AllowRemote = false);

/// <summary>
/// The HTTP API over the façade (<c>/api/runs</c>, OpenAPI at <c>/openapi/v1.json</c>) and the explorer page at
/// <c>/</c>. Bad requests get 400 with one line, checked by the same façade calls as the CLI's.
/// </summary>
public static class EngineServer
{
    /// <summary>Largest request body: inline datasets of thousands of points fit, nothing larger is read.</summary>
    public const long MaxBodyBytes = 1 << 20;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Builds the server; <c>StartAsync</c> or <c>RunAsync</c> it, and dispose it to stop.</summary>
    public static WebApplication Create(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IPAddress[] addresses = Addresses(options);
        var store = new RunStore(options.Runs, options.Backend, options.MaxConcurrent);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // Each resolved address is bound explicitly: given a name it cannot parse, Kestrel would listen on every interface.
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
            foreach (IPAddress address in addresses) k.Listen(address, options.Port);
        });
        builder.Logging.ClearProviders();
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(store);
        WebApplication app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(store.Dispose);
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        // Every failure the routes do not answer themselves (a query value of the wrong type, an unknown path) still gets
        // {"error": one line}.
        app.UseStatusCodePages(async context =>
        {
            HttpResponse response = context.HttpContext.Response;
            response.ContentType = "application/json";
            string reason = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(response.StatusCode);
            string message = response.StatusCode == StatusCodes.Status400BadRequest
                ? "bad request: a parameter is missing or has the wrong type (offset and limit are integers, realizable is true or false)"
                : $"{response.StatusCode} {reason}: {context.HttpContext.Request.Method} {context.HttpContext.Request.Path}";
            await response.WriteAsync(new JsonObject { ["error"] = message }.ToJsonString()).ConfigureAwait(false);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        app.MapOpenApi();
        Map(app, store);
        return app;
    }

    /// <summary>
    /// The addresses <paramref name="options"/>' host names: an IP address as given, localhost as the IPv4 loopback, any
    /// other name resolved. A name that does not resolve, and a non-loopback address without
    /// <see cref="ServerOptions.AllowRemote"/>, are refused with one line.
    /// </summary>
    public static IPAddress[] Addresses(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IPAddress[] addresses;
        if (IPAddress.TryParse(options.Host, out IPAddress? parsed)) addresses = [parsed];
        else if (options.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) addresses = [IPAddress.Loopback];
        else
        {
            try
            {
                addresses = Dns.GetHostAddresses(options.Host);
            }
            catch (Exception e) when (e is SocketException or ArgumentException)
            {
                throw new EngineInputException($"--host {options.Host} does not resolve to an address: {e.Message}");
            }
        }
        if (addresses.Length == 0) throw new EngineInputException($"--host {options.Host} does not resolve to an address");
        // A port of 0 picks a free port per address; one address keeps the server at one port.
        if (options.Port == 0) addresses = addresses[..1];
        if (!options.AllowRemote && addresses.FirstOrDefault(a => !IPAddress.IsLoopback(a)) is { } remote)
            throw new EngineInputException($"--host {options.Host} binds {remote}, which other machines can reach; pass --allow-remote to serve them");
        return addresses;
    }

    private static void Map(WebApplication app, RunStore store)
    {
        RouteGroupBuilder api = app.MapGroup("/api");
        api.MapGet("/datasets", Datasets).WithSummary("The built-in datasets with their points and targets.");
        api.MapGet("/datasets/{name}", NamedDataset).WithSummary("One built-in or generated dataset (random:N,n,seed) with its points and targets.");
        api.MapGet("/runs", () => Results.Json(new JsonArray([.. store.All.Select(r => (JsonNode)Summary(r))]))).WithSummary("Every run, newest first.");
        api.MapPost("/runs", async (HttpRequest request) => await Submit(store, request).ConfigureAwait(false))
            .WithSummary("Starts a run: enumerate, regions or slice; answers 202 with its id.");
        api.MapGet("/runs/{id}", (string id) => WithRun(store, id, run => Results.Json(Status(run))))
            .WithSummary("A run's state, progress and, once done, its result (the document engine enumerate --json writes).");
        api.MapDelete("/runs/{id}", (string id) => WithRun(store, id, run =>
        {
            store.Cancel(run);
            return Results.Accepted($"/api/runs/{id}", Summary(run));
        })).WithSummary("Cancels a run.");
        api.MapGet("/runs/{id}/events", (string id, HttpContext context) => WithRun(store, id, run => new EventStream(run)))
            .WithSummary("Progress and state changes as Server-Sent Events, until the run ends.");
        api.MapGet("/runs/{id}/regions", (string id, int? offset, int? limit, bool? realizable, double? from, double? to, string? sort) =>
            WithRegions(store, id, regions =>
            {
                if (offset < 0 || limit is < 1 or > 10_000) return Error("offset must be at least 0 and limit in [1, 10000]");
                if (double.IsNaN(from ?? 0) || double.IsNaN(to ?? 0)) return Error("from and to must be numbers");
                try
                {
                    return Results.Json(ServerDocuments.Rows(regions, offset ?? 0, limit ?? 100, realizable ?? false,
                        from ?? double.NegativeInfinity, to ?? double.PositiveInfinity, sort ?? "row"));
                }
                catch (EngineInputException e)
                {
                    return Error(e.Message);
                }
            }))
            .WithSummary("A page of an enumeration's kept rows: realizable=true for only realizable minima, from/to for a loss range, sort=row|loss|rank.");
        api.MapGet("/runs/{id}/regions.csv", (string id, HttpContext context) => WithRegions(store, id, regions =>
        {
            // The CSV writer is synchronous and streams row by row (a run keeps up to 2^26 rows, too many to buffer);
            // Kestrel refuses synchronous writes unless a request allows them, and answered 500 with an empty body.
            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpBodyControlFeature>()!.AllowSynchronousIO = true;
            return Results.Stream(stream => Task.Run(() => RunDocuments.WriteCsv(regions, stream)), "text/csv", $"{FileStem(store.Find(id)!)}-regions.csv");
        }))
            .WithSummary("The kept rows as CSV (engine enumerate --csv).");
        api.MapGet("/runs/{id}/witnesses", (string id) => WithRegions(store, id, regions =>
                Results.Stream(stream => ServerDocuments.WriteWitnesses(regions, stream), "application/json")))
            .WithSummary("The verified networks of the realizable regions.");
        api.MapGet("/runs/{id}/witnesses/{row:long}", (string id, long row) => WithRegions(store, id, regions =>
            ServerDocuments.Witness(regions, row) is { } witness
                ? Results.File(witness, "application/json", $"{FileStem(store.Find(id)!)}-witness-{row}.json")
                : Error($"row {row} has no witness network", StatusCodes.Status404NotFound)))
            .WithSummary("The verified network of one realizable row, as a download.");
        api.MapGet("/runs/{id}/result.json", (string id) => WithRun(store, id, run => run.Result is null
            ? Error("the run has no result yet", StatusCodes.Status404NotFound)
            : Results.File(Encoding.UTF8.GetBytes(run.Result.ToJsonString(Indented) + "\n"), "application/json", $"{FileStem(run)}-{run.Request.Command}.json")))
            .WithSummary("The result document as a download.");
        api.MapGet("/runs/{id}/figures/{name}", (string id, string name) => WithRun(store, id, run => Figure(store, run, name)))
            .WithSummary("histogram.png/.svg (Figure 3) of an enumeration, slice.png/.svg (Figure 2) of a slice.");
    }

    private static async Task<IResult> Submit(RunStore store, HttpRequest request)
    {
        JsonObject body;
        try
        {
            body = (await JsonNode.ParseAsync(request.Body).ConfigureAwait(false)) as JsonObject ?? throw new JsonException("the body is not a JSON object");
        }
        catch (JsonException e)
        {
            return Error($"the body is not valid JSON: {e.Message}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Error($"the body exceeds {MaxBodyBytes >> 20} MiB", StatusCodes.Status413PayloadTooLarge);
        }
        try
        {
            ServerRun run = store.Submit(body);
            return Results.Accepted($"/api/runs/{run.Id}", new JsonObject { ["id"] = run.Id });
        }
        catch (EngineInputException e)
        {
            return Error(e.Message);
        }
    }

    private static IResult Datasets() =>
        Results.Json(new JsonArray([.. new[] { "paper-fig3", "paper-fig2", "paper-fig1" }.Select(name => (JsonNode)DatasetDocument(DatasetCatalog.Load(name)))]));

    // Most values (points × (inputs + 1)) a dataset document may carry: the explorer draws every point it is sent.
    private const long MaxDatasetValues = 1_000_000;

    private static IResult NamedDataset(string name)
    {
        try
        {
            Dataset data = DatasetCatalog.LoadGenerated(name);
            return (long)data.Count * (data.Inputs + 1) <= MaxDatasetValues
                ? Results.Json(DatasetDocument(data))
                : Error($"dataset '{name}': {data.Count:N0} points of {data.Inputs} inputs exceed the server's limit of {MaxDatasetValues:N0} values");
        }
        catch (EngineInputException e)
        {
            return Error(e.Message);
        }
    }

    private static JsonObject DatasetDocument(Dataset data) => new()
    {
        ["name"] = data.Name,
        ["inputs"] = data.Inputs,
        ["points"] = new JsonArray([.. Enumerable.Range(0, data.Count).Select(i => (JsonNode)new JsonArray([.. data.Point(i).ToArray().Select(v => (JsonNode)v)]))]),
        ["targets"] = new JsonArray([.. data.Y.ToArray().Select(v => (JsonNode)v)]),
    };

    private static IResult Figure(RunStore store, ServerRun run, string name)
    {
        string extension = Path.GetExtension(name);
        string stem = Path.GetFileNameWithoutExtension(name);
        if (extension is not (".png" or ".svg") || (stem, run.Request.Command) is not (("histogram", "enumerate") or ("slice", "slice")))
            return Error($"no figure '{name}' for a {run.Request.Command} run: histogram.png/.svg for enumerate, slice.png/.svg for slice", StatusCodes.Status404NotFound);
        if (run.State != RunState.Done) return Error("the run has no result yet", StatusCodes.Status404NotFound);
        string png = Path.Combine(run.Folder, stem + ".png");
        if (!File.Exists(png))
        {
            if (stem == "histogram")
            {
                RegionRun regions = store.Regions(run)!;
                if (regions.KeptRows.Count == 0) return Error("the histogram of levels needs the run's kept rows (keep: true)", StatusCodes.Status404NotFound);
                (double[] levels, long[] all, long[] realizable) = ServerDocuments.Levels(regions);
                Figures.WriteHistogram($"subglobal minima of {run.Request.Data.Name}, h = {run.Request.Hidden}: all vs realizable", levels, all, realizable, png);
            }
            else
            {
                using EngineSession session = EngineSession.Open();
                Figures.WriteSlice(session.Slice(run.Request.Slice()), $"L_f on {run.Request.Data.Name}, h = {run.Request.Hidden}", png);
            }
        }
        return Results.File(Path.Combine(run.Folder, stem + extension), extension == ".png" ? "image/png" : "image/svg+xml", $"{FileStem(run)}-{stem}{extension}");
    }

    // What a downloaded file is of, in its name: dataset, h and bias (paper-fig3-h2-bias), safe on every filesystem.
    internal static string FileStem(ServerRun run)
    {
        string subject = string.Concat(run.Request.Subject.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' ? ch : '-'));
        string widths = run.Request.Command == "sweep" ? "" : $"-h{run.Request.Hidden}";
        return $"{subject}{widths}{(run.Request.Bias ? "-bias" : "")}";
    }

    private static JsonObject Summary(ServerRun run) => new()
    {
        ["id"] = run.Id,
        ["command"] = run.Request.Command,
        ["state"] = RunStore.Name(run.State),
        ["dataset"] = run.Request.Subject,
        ["hidden"] = run.Request.Command == "sweep" ? run.Request.Body["widths"]?.DeepClone() : run.Request.Hidden,
    };

    private static JsonObject Status(ServerRun run)
    {
        JsonObject status = Summary(run);
        status["progress"] = Progress(run);
        status["error"] = run.Error;
        status["request"] = run.Request.Body.DeepClone();
        status["result"] = run.Result?.DeepClone();
        return status;
    }

    internal static JsonObject? Progress(ServerRun run) => run.Progress is { } p ? new JsonObject
    {
        ["phase"] = p.Phase,
        ["done"] = p.Done,
        ["total"] = p.Total,
        ["elapsed_seconds"] = p.Elapsed.TotalSeconds,
    } : null;

    private static IResult WithRun(RunStore store, string id, Func<ServerRun, IResult> answer) =>
        store.Find(id) is { } run ? answer(run) : Error($"no run '{id}'", StatusCodes.Status404NotFound);

    private static IResult WithRegions(RunStore store, string id, Func<RegionRun, IResult> answer) => WithRun(store, id, run =>
        run.Request.Command != "enumerate" ? Error($"run '{id}' is a {run.Request.Command} run, not an enumeration", StatusCodes.Status404NotFound)
        : store.Regions(run) is { } regions ? answer(regions) : Error("the run has no result yet", StatusCodes.Status404NotFound));

    private static IResult Error(string message, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new JsonObject { ["error"] = message }, statusCode: status);

    // Server-Sent Events of one run: progress when it changes, the state when it changes, until the run ends.
    private sealed class EventStream(ServerRun run) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            HttpResponse response = httpContext.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            CancellationToken closed = httpContext.RequestAborted;
            RunProgress? sent = null;
            RunState? state = null;
            try
            {
                while (!closed.IsCancellationRequested)
                {
                    RunState now = run.State;
                    if (run.Progress is { } p && p != sent)
                    {
                        sent = p;
                        await Send(response, "progress", Progress(run)!, closed).ConfigureAwait(false);
                    }
                    if (now != state)
                    {
                        state = now;
                        await Send(response, "state", new JsonObject { ["state"] = RunStore.Name(now), ["error"] = run.Error }, closed).ConfigureAwait(false);
                    }
                    if (run.Final && state == run.State) return;
                    await Task.Delay(100, closed).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // The client went away.
            }
        }

        private static async Task Send(HttpResponse response, string name, JsonNode data, CancellationToken cancellation)
        {
            await response.WriteAsync($"event: {name}\ndata: {data.ToJsonString()}\n\n", cancellation).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellation).ConfigureAwait(false);
        }
    }
}
