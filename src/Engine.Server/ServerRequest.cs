using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Core.Data;

namespace Engine.Server;

/// <summary>
/// A run asked for over HTTP: the JSON body of <c>POST /api/runs</c>, read strictly (unknown fields, wrong types and
/// missing values are one-line errors) into the façade's requests, which then check it exactly as the CLI's are.
/// </summary>
public sealed class ServerRequest
{
    /// <summary>The commands a run can be.</summary>
    public static readonly IReadOnlyList<string> Commands = ["enumerate", "regions", "slice", "sweep"];

    // Every field a body may hold; a typo must not silently fall back to a default.
    private static readonly HashSet<string> Fields =
    [
        "command", "dataset", "points", "targets", "hidden", "bias", "realizable", "nonempty", "unordered", "bins", "keep",
        "witnesses", "global", "start", "count", "x", "y", "range", "yrange", "grid", "at", "family", "seeds", "widths", "targets", "all_patterns",
    ];

    private readonly Dataset? _data;

    private ServerRequest(string command, JsonObject body, Dataset? data)
    {
        Command = command;
        Body = body;
        _data = data;
    }

    /// <summary>enumerate, regions or slice.</summary>
    public string Command { get; }

    /// <summary>The body as it was accepted, kept with the run so that a restarted server can run it again.</summary>
    public JsonObject Body { get; }

    /// <summary>The dataset, built in or inline; a sweep draws many and has none of its own.</summary>
    public Dataset Data => _data ?? throw new InvalidOperationException("a sweep has no single dataset");

    /// <summary>What the run is about, for listings: the dataset's name, or a sweep's family.</summary>
    public string Subject => _data?.Name ?? String("family") ?? "";

    /// <summary>Hidden nodes h: required, as on the command line.</summary>
    public int Hidden => Read<int?>(Body, "hidden") ?? throw new EngineInputException("hidden is required: the number of hidden nodes h");

    /// <summary>Whether the network has biases.</summary>
    public bool Bias => Bool("bias");

    /// <summary>Reads and checks a body; throws <see cref="EngineInputException"/> with one line for anything wrong.</summary>
    public static ServerRequest Parse(JsonObject body, EngineSession session)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(session);
        foreach ((string key, _) in body)
        {
            if (!Fields.Contains(key)) throw new EngineInputException($"unknown field '{key}'; expected {string.Join(", ", Fields)}");
        }
        string command = body["command"] is JsonValue c && c.TryGetValue(out string? name) ? name : throw new EngineInputException("command is required: one of " + string.Join(", ", Commands));
        if (!Commands.Contains(command)) throw new EngineInputException($"unknown command '{command}': expected one of {string.Join(", ", Commands)}");
        // A sweep draws its own datasets from its family; every other command has one.
        var request = new ServerRequest(command, (JsonObject)body.DeepClone(), command == "sweep" ? null : Dataset(body, session));
        request.Check(session);
        return request;
    }

    /// <summary>The region request of an enumerate run, as <c>engine enumerate</c> builds it.</summary>
    public RegionRequest Regions() => new()
    {
        Data = Data,
        Hidden = Hidden,
        Bias = Bias,
        Nonempty = Bool("nonempty"),
        Unordered = Bool("unordered"),
        Start = Long("start") ?? 0,
        Count = Long("count"),
        Bins = Bins(),
        KeepRegions = Bool("keep"),
        Realizability = Bool("realizable") || Bool("witnesses"),
        Witnesses = Bool("witnesses"),
        Global = Bool("global"),
    };

    /// <summary>The sweep of a sweep run, as <c>engine sweep</c> builds it: family, seeds and widths are required.</summary>
    public SweepRequest Sweep() => SweepRequest.Parse(
        String("family") ?? throw new EngineInputException("family is required: random:N,n[,bias]"),
        String("seeds") ?? throw new EngineInputException("seeds is required: S or A..B"),
        String("widths") ?? throw new EngineInputException("widths is required: H or A..B"),
        String("targets") ?? "gaussian", Bool("all_patterns"));

    /// <summary>The slice request of a slice run, as <c>engine slice</c> builds it.</summary>
    public SliceRequest Slice()
    {
        (double From, double To) range = Range("range") ?? (-3, 3);
        return new SliceRequest
        {
            Data = Data,
            Hidden = Hidden,
            Bias = Bias,
            X = String("x"),
            Y = String("y"),
            XRange = range,
            YRange = Range("yrange") ?? range,
            Grid = Int("grid", 201),
            At = At(),
        };
    }

    // The checks the CLI makes before any work, so that a bad request is a 400 and never a failed run.
    private void Check(EngineSession session)
    {
        if (Command == "sweep")
        {
            Sweep().Validate();
            return;
        }
        if (Hidden <= 0) throw new EngineInputException($"hidden nodes must be positive, got {Hidden}");
        switch (Command)
        {
            case "enumerate":
                session.Check(Regions());
                break;
            case "regions":
                session.Check(new RegionRequest { Data = Data, Hidden = Hidden, Bias = Bias, Nonempty = true });
                break;
            default:
                SliceRequest slice = Slice();
                if (slice.Grid > 1001) throw new EngineInputException($"grid of {slice.Grid} points per axis exceeds the server's limit of 1001");
                session.Slice(slice with { Grid = 2 });
                break;
        }
    }

    private static Dataset Dataset(JsonObject body, EngineSession session)
    {
        bool named = body.ContainsKey("dataset"), inline = body.ContainsKey("points") || body.ContainsKey("targets");
        if (named == inline) throw new EngineInputException("give either dataset (a built-in name) or points and targets");
        if (named)
        {
            string name = body["dataset"] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new EngineInputException("dataset must be a string");
            // Files on the server's disk are not the client's to read: only built-in names and generators.
            return DatasetCatalog.LoadGenerated(name);
        }
        double[][] points = Read<double[][]>(body, "points") ?? throw new EngineInputException("points are required with targets");
        double[] targets = Read<double[]>(body, "targets") ?? throw new EngineInputException("targets are required with points");
        return session.Dataset("inline", points, targets);
    }

    private static T? Read<T>(JsonObject body, string name)
    {
        try
        {
            return body[name] is { } node ? node.Deserialize<T>() : default;
        }
        catch (JsonException)
        {
            throw new EngineInputException($"{name} has the wrong type");
        }
    }

    /// <summary>Most histogram bins a server run may ask for: its documents are read whole by every client.</summary>
    public const int MaxBins = 10_000;

    private int Bins()
    {
        int bins = Int("bins", 20);
        return bins <= MaxBins ? bins : throw new EngineInputException($"bins: {bins:N0} exceeds the server's limit of {MaxBins:N0}");
    }

    private int Int(string name, int fallback) => Read<int?>(Body, name) ?? fallback;

    private long? Long(string name) => Read<long?>(Body, name);

    private bool Bool(string name) => Read<bool?>(Body, name) ?? false;

    private string? String(string name) => Read<string>(Body, name);

    private (double From, double To)? Range(string name) => Read<double[]>(Body, name) switch
    {
        null => null,
        [double from, double to] when from < to => (from, to),
        _ => throw new EngineInputException($"{name} must be [from, to] with from < to"),
    };

    private Dictionary<string, double> At() => Read<Dictionary<string, double>>(Body, "at") ?? [];
}
