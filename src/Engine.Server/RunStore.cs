using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Core.Geometry;
using Engine.Core.Network;
using Engine.Runs;

namespace Engine.Server;

/// <summary>
/// The server's runs, each kept in a folder of the runs directory: its request, its state, its result once done, and
/// for an enumeration the engine's own run directory, so that a restarted server serves finished runs and resumes the
/// others from their finished units. At most <see cref="MaxConcurrent"/> runs compute at once; the rest queue.
/// </summary>
public sealed class RunStore : IDisposable
{
    private const string RequestFile = "request.json";
    private const string StateFile = "state.json";
    private const string ResultFile = "result.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly ConcurrentDictionary<string, ServerRun> _runs = new();
    private readonly SemaphoreSlim _slots;
    private readonly Backend _backend;
    private int _next;

    /// <summary>Keeps runs under <paramref name="directory"/>, reading back what an earlier server left there.</summary>
    public RunStore(string directory, Backend backend, int maxConcurrent)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.CheckWritable(Path.Combine(directory, "probe"), "runs directory");
        RunsDirectory = directory;
        MaxConcurrent = maxConcurrent;
        _backend = backend;
        _slots = new SemaphoreSlim(maxConcurrent);
        Reload();
    }

    /// <summary>Where the runs are kept.</summary>
    public string RunsDirectory { get; }

    /// <summary>Runs computing at once.</summary>
    public int MaxConcurrent { get; }

    /// <summary>Every run, newest first.</summary>
    public IReadOnlyList<ServerRun> All => [.. _runs.Values.OrderByDescending(r => r.Id, StringComparer.Ordinal)];

    /// <summary>The run called <paramref name="id"/>, or null.</summary>
    public ServerRun? Find(string id) => _runs.GetValueOrDefault(id);

    /// <summary>Checks <paramref name="body"/> (throwing <see cref="EngineInputException"/>), stores it and queues it.</summary>
    public ServerRun Submit(JsonObject body)
    {
        ServerRequest request;
        using (EngineSession session = EngineSession.Open(_backend))
            request = ServerRequest.Parse(body, session);
        string id = $"r{Interlocked.Increment(ref _next).ToString("D6", CultureInfo.InvariantCulture)}";
        var run = new ServerRun(id, request, Path.Combine(RunsDirectory, id));
        Directory.CreateDirectory(run.Folder);
        AtomicFile.WriteText(Path.Combine(run.Folder, RequestFile), request.Body.ToJsonString(Indented) + "\n");
        Save(run);
        _runs[id] = run;
        Start(run);
        return run;
    }

    /// <summary>Cancels a run: a queued one never starts, a running one stops at its next unit.</summary>
    public void Cancel(ServerRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        run.Cancel.Cancel();
        if (run.State == RunState.Queued) Finish(run, RunState.Cancelled);
    }

    /// <summary>The enumeration behind a finished enumerate run, read back from its run directory when needed.</summary>
    public RegionRun? Regions(ServerRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.State != RunState.Done || run.Request.Command != "enumerate") return null;
        if (run.Regions is null)
        {
            using EngineSession session = EngineSession.Open(_backend);
            run.Regions = session.Merge(Path.Combine(run.Folder, "run"));
        }
        return run.Regions;
    }

    /// <summary>Cancels every run; their folders stay for the next server.</summary>
    public void Dispose()
    {
        foreach (ServerRun run in _runs.Values) run.Cancel.Cancel();
        _slots.Dispose();
    }

    private void Start(ServerRun run) => _ = Task.Run(async () =>
    {
        await _slots.WaitAsync().ConfigureAwait(false);
        try
        {
            if (run.Cancel.IsCancellationRequested) return;
            run.State = RunState.Running;
            Save(run);
            Execute(run);
        }
        catch (OperationCanceledException)
        {
            Finish(run, RunState.Cancelled);
        }
        catch (Exception e)
        {
            // A run that fails must say why and leave the server serving the others.
            run.Error = e is EngineInputException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            Finish(run, RunState.Failed);
        }
        finally
        {
            _slots.Release();
        }
    });

    private void Execute(ServerRun run)
    {
        using EngineSession session = EngineSession.Open(_backend);
        var progress = new ProgressCallback<RunProgress>(p => run.Progress = p);
        CancellationToken cancellation = run.Cancel.Token;
        ServerRequest request = run.Request;
        JsonObject result;
        switch (request.Command)
        {
            case "enumerate":
                RegionPlan plan = session.Plan(request.Regions(), new RunOptions(Path.Combine(run.Folder, "run")), progress, cancellation);
                RunOutcome outcome = session.Run(plan, progress, cancellation);
                if (outcome.Run is null || !outcome.Run.Completed)
                {
                    Finish(run, RunState.Cancelled);
                    return;
                }
                run.Regions = outcome.Run;
                result = RunDocuments.Json(outcome.Run);
                break;
            case "sweep":
                SweepOutcome sweep = session.Sweep(request.Sweep(), new RunOptions(Path.Combine(run.Folder, "run")), progress, cancellation);
                if (!sweep.Complete)
                {
                    Finish(run, RunState.Cancelled);
                    return;
                }
                result = SweepDocuments.Json(sweep);
                break;
            case "regions":
                ArrangementCells cells = session.Cells(request.Data, request.Bias, Path.Combine(run.Folder, "cells"), progress, cancellation);
                result = ServerDocuments.Cells(request, cells);
                break;
            default:
                LossSlice slice = session.Slice(request.Slice());
                result = ServerDocuments.Slice(slice);
                break;
        }
        if (cancellation.IsCancellationRequested)
        {
            Finish(run, RunState.Cancelled);
            return;
        }
        AtomicFile.WriteText(Path.Combine(run.Folder, ResultFile), result.ToJsonString(Indented) + "\n");
        run.Result = result;
        Finish(run, RunState.Done);
    }

    private void Finish(ServerRun run, RunState state)
    {
        run.State = state;
        Save(run);
    }

    private static void Save(ServerRun run) => AtomicFile.WriteText(Path.Combine(run.Folder, StateFile),
        new JsonObject { ["state"] = Name(run.State), ["error"] = run.Error }.ToJsonString(Indented) + "\n");

    /// <summary>The state as the API writes it.</summary>
    public static string Name(RunState state) => state.ToString().ToLowerInvariant();

    // Finished runs are served as they were; unfinished ones (the server stopped under them) queue again and resume.
    private void Reload()
    {
        foreach (string folder in Directory.GetDirectories(RunsDirectory).Order(StringComparer.Ordinal))
        {
            string id = Path.GetFileName(folder);
            string requestFile = Path.Combine(folder, RequestFile);
            if (!File.Exists(requestFile)) continue;
            if (int.TryParse(id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int number)) _next = Math.Max(_next, number);
            ServerRequest request;
            try
            {
                using EngineSession session = EngineSession.Open(_backend);
                request = ServerRequest.Parse(JsonNode.Parse(File.ReadAllText(requestFile))!.AsObject(), session);
            }
            catch (Exception e) when (e is EngineInputException or JsonException)
            {
                continue;
            }
            var run = new ServerRun(id, request, folder);
            JsonNode? state = File.Exists(Path.Combine(folder, StateFile)) ? JsonNode.Parse(File.ReadAllText(Path.Combine(folder, StateFile))) : null;
            string saved = state?["state"]?.GetValue<string>() ?? "queued";
            run.Error = state?["error"]?.GetValue<string>();
            _runs[id] = run;
            if (saved == Name(RunState.Done) && File.Exists(Path.Combine(folder, ResultFile)))
            {
                run.Result = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ResultFile)))!.AsObject();
                run.State = RunState.Done;
            }
            else if (saved == Name(RunState.Failed) || saved == Name(RunState.Cancelled))
            {
                run.State = saved == Name(RunState.Failed) ? RunState.Failed : RunState.Cancelled;
            }
            else
            {
                Start(run);
            }
        }
    }
}
