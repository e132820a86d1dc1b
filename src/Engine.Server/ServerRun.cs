using System.Text.Json.Nodes;

namespace Engine.Server;

/// <summary>Where a run is in its life.</summary>
public enum RunState
{
    /// <summary>Waiting for a free slot.</summary>
    Queued,
    /// <summary>Computing.</summary>
    Running,
    /// <summary>Finished; its result is kept.</summary>
    Done,
    /// <summary>Stopped by an error, which is kept.</summary>
    Failed,
    /// <summary>Stopped by a DELETE; an enumeration keeps its finished units.</summary>
    Cancelled,
}

/// <summary>One run of the server: its request, state, progress, and once done its result and the objects behind it.</summary>
public sealed class ServerRun
{
    internal ServerRun(string id, ServerRequest request, string folder)
    {
        Id = id;
        Request = request;
        Folder = folder;
    }

    /// <summary>The run's id, also its folder's name.</summary>
    public string Id { get; }

    /// <summary>What was asked.</summary>
    public ServerRequest Request { get; }

    /// <summary>The folder under the server's runs directory that keeps it.</summary>
    public string Folder { get; }

    /// <summary>Where it is.</summary>
    public RunState State { get; internal set; }

    /// <summary>The latest progress report, if any.</summary>
    public RunProgress? Progress { get; internal set; }

    /// <summary>Why it failed.</summary>
    public string? Error { get; internal set; }

    /// <summary>The result document, once done.</summary>
    public JsonObject? Result { get; internal set; }

    /// <summary>The enumeration behind an enumerate run's result (read back from its run directory after a restart).</summary>
    internal RegionRun? Regions { get; set; }

    /// <summary>Cancels the run.</summary>
    internal CancellationTokenSource Cancel { get; } = new();

    /// <summary>Whether it will not change any more.</summary>
    public bool Final => State is RunState.Done or RunState.Failed or RunState.Cancelled;
}
