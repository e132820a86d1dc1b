using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Cli;
using Engine.Core.Data;
using Engine.Server;
using Microsoft.AspNetCore.Builder;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// <c>engine serve</c> on a real Kestrel socket: runs over HTTP return the CLI's documents, bad requests get 400 with
/// one line, a restarted server keeps its finished runs, cancellation, events, OpenAPI, and the Python example.
/// </summary>
[Category("unit")]
[NonParallelizable]
public sealed class ServerTests
{
    private string _runs = "";
    private WebApplication? _app;
    private HttpClient _http = new();

    [SetUp]
    public void StartServer()
    {
        _runs = Directory.CreateTempSubdirectory("engine-serve-").FullName;
        Start();
    }

    [TearDown]
    public void StopServer()
    {
        Stop();
        Directory.Delete(_runs, recursive: true);
    }

    [Test]
    public void AnEnumerationOverHttpReturnsTheClisJson()
    {
        JsonObject result = Finished(Post(new JsonObject { ["command"] = "enumerate", ["dataset"] = "paper-fig3", ["hidden"] = 2, ["realizable"] = true }));
        string file = Path.Combine(_runs, "cli.json");
        Assert.That(Program.Main(["enumerate", "--dataset", "paper-fig3", "--hidden", "2", "--realizable", "--json", file]), Is.Zero);
        JsonObject cli = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        // Only the timing differs between two runs of one request.
        result.Remove("seconds");
        cli.Remove("seconds");
        Assert.That(result.ToJsonString(), Is.EqualTo(cli.ToJsonString()));
    }

    [TestCase("{\"command\":\"enumerate\",\"dataset\":\"nope\",\"hidden\":2}", "unknown dataset")]
    [TestCase("{\"command\":\"enumerate\",\"dataset\":\"paper-fig3\",\"hidden\":0}", "hidden nodes must be positive")]
    [TestCase("{\"command\":\"enumerate\",\"dataset\":\"paper-fig3\",\"hiden\":2}", "unknown field 'hiden'")]
    [TestCase("{\"command\":\"enumerate\",\"dataset\":\"random:40,2,1\",\"hidden\":2}", "cannot be indexed")]
    [TestCase("{\"command\":\"enumerate\",\"dataset\":\"paper-fig3\",\"hidden\":2,\"unordered\":true}", "unordered")]
    [TestCase("{\"command\":\"enumerate\",\"points\":[[1,2],[3]],\"targets\":[1,2],\"hidden\":1}", "same, positive number of coordinates")]
    [TestCase("{\"command\":\"enumerate\",\"points\":[[1,2],[3,1e400]],\"targets\":[1,2],\"hidden\":1}", "must be finite")]
    [TestCase("{\"command\":\"enumerate\",\"dataset\":\"/etc/passwd\",\"hidden\":1}", "built-in name")]
    [TestCase("{\"command\":\"slice\",\"dataset\":\"paper-fig2\",\"hidden\":1,\"x\":\"w9\"}", "w9")]
    [TestCase("{\"command\":\"train\"}", "unknown command")]
    [TestCase("{\"command\":\"enumerate\",\"dataset\":\"paper-fig3\"}", "hidden is required")]
    [TestCase("{\"command\":\"enumerate\",\"dataset\":\"paper-fig3\",\"hidden\":null}", "hidden is required")]
    [TestCase("{\"command\":\"enumerate\",\"dataset\":\"paper-fig3\",\"hidden\":1,\"bins\":1000000}", "exceeds the server's limit")]
    [TestCase("{\"command\":\"sweep\",\"family\":\"random:6,2\",\"seeds\":\"1..2\"}", "widths is required")]
    [TestCase("{\"command\":\"sweep\",\"family\":\"gauss:6\",\"seeds\":\"1..2\",\"widths\":\"1\"}", "expected random:N,n")]
    [TestCase("[1, 2]", "not a JSON object")]
    [TestCase("{", "not valid JSON")]
    public void BadRequestsGet400WithOneLine(string body, string expected)
    {
        using HttpResponseMessage response = _http.PostAsync("api/runs", new StringContent(body, System.Text.Encoding.UTF8, "application/json")).Result;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        string error = JsonNode.Parse(response.Content.ReadAsStringAsync().Result)!["error"]!.GetValue<string>();
        Assert.That(error, Does.Contain(expected));
        Assert.That(error, Does.Not.Contain("\n"));
    }

    // A query value of the wrong type, or a path that names nothing, still answers {"error": one line}.
    [TestCase("api/runs/none/regions?limit=abc", HttpStatusCode.BadRequest, "wrong type")]
    [TestCase("api/nothing-here", HttpStatusCode.NotFound, "404")]
    public void FailuresTheRoutesDoNotAnswerStillCarryAnError(string path, HttpStatusCode status, string expected)
    {
        using HttpResponseMessage response = _http.GetAsync(path).Result;
        Assert.That(response.StatusCode, Is.EqualTo(status));
        string error = JsonNode.Parse(response.Content.ReadAsStringAsync().Result)!["error"]!.GetValue<string>();
        Assert.That(error, Does.Contain(expected));
    }

    // A name that does not resolve is an error, never a bind to every interface; other machines need --allow-remote.
    [TestCase("no.such.host.invalid", false, "does not resolve")]
    [TestCase("0.0.0.0", false, "--allow-remote")]
    [TestCase("::", false, "--allow-remote")]
    public void TheServerBindsOnlyWhatItWasTold(string host, bool allowRemote, string expected)
    {
        var error = Assert.Throws<EngineInputException>(() => EngineServer.Addresses(new ServerOptions(host, 0, _runs, Backend.Cpu, 1, allowRemote)));
        Assert.That(error!.Message, Does.Contain(expected));
        Assert.That(EngineServer.Addresses(new ServerOptions("localhost", 0, _runs, Backend.Cpu)), Is.EqualTo(new[] { IPAddress.Loopback }));
        Assert.That(EngineServer.Addresses(new ServerOptions("0.0.0.0", 0, _runs, Backend.Cpu, 1, AllowRemote: true)), Is.EqualTo(new[] { IPAddress.Any }));
    }

    // The kept rows as a download are the CLI's CSV, byte for byte.
    [Test]
    public void TheRegionsCsvDownloadIsTheClisCsv()
    {
        string id = Post(new JsonObject { ["command"] = "enumerate", ["dataset"] = "paper-fig3", ["hidden"] = 2, ["keep"] = true, ["realizable"] = true });
        Finished(id);
        using HttpResponseMessage response = _http.GetAsync($"api/runs/{id}/regions.csv").Result;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        string file = Path.Combine(_runs, "cli.csv");
        Assert.That(Program.Main(["enumerate", "--dataset", "paper-fig3", "--hidden", "2", "--realizable", "--csv", file]), Is.Zero);
        Assert.That(response.Content.ReadAsStringAsync().Result, Is.EqualTo(File.ReadAllText(file)));
    }

    // A sweep over HTTP returns the document engine sweep --json writes, but for its seconds.
    [Test]
    public void ASweepOverHttpReturnsTheClisJson()
    {
        JsonObject result = Finished(Post(new JsonObject { ["command"] = "sweep", ["family"] = "random:6,2,bias", ["seeds"] = "1..3", ["widths"] = "1..2" }));
        string file = Path.Combine(_runs, "sweep.json");
        Assert.That(Program.Main(["sweep", "--family", "random:6,2,bias", "--seeds", "1..3", "--hidden", "1..2", "--json", file]), Is.Zero);
        JsonObject cli = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        result.Remove("seconds");
        cli.Remove("seconds");
        Assert.That(JsonNode.DeepEquals(result, cli), Is.True);
    }

    // The minima table pages through the API: filtered by loss, sorted, each row with its activation pattern. The pattern
    // is checked against its witness network's own signs on the data (every witness has a positive margin), and the
    // pages against the engine's rows filtered and sorted here.
    [TestCase("random:6,2,3", true, true)]
    [TestCase("paper-fig3", false, false)]
    public void RegionPagesAreFilteredSortedAndCarryTheirPatterns(string dataset, bool bias, bool nonempty)
    {
        string id = Post(new JsonObject
        {
            ["command"] = "enumerate", ["dataset"] = dataset, ["hidden"] = 2, ["bias"] = bias, ["nonempty"] = nonempty,
            ["realizable"] = true, ["keep"] = true, ["witnesses"] = true,
        });
        Finished(id);
        Dataset data = DatasetCatalog.Load(dataset);
        JsonArray witnesses = JsonNode.Parse(_http.GetStringAsync($"api/runs/{id}/witnesses").Result)!.AsArray();
        JsonObject all = JsonNode.Parse(_http.GetStringAsync($"api/runs/{id}/regions?realizable=true&limit=10000").Result)!.AsObject();
        Assert.That(all["total"]!.GetValue<int>(), Is.EqualTo(witnesses.Count).And.GreaterThan(2));
        foreach (JsonNode? w in witnesses)
        {
            JsonNode row = all["rows"]!.AsArray().Single(r => r!["row"]!.GetValue<long>() == w!["row"]!.GetValue<long>())!;
            double[][] weights = w!["W"].Deserialize<double[][]>()!;
            double[] b = bias ? w["b"].Deserialize<double[]>()! : new double[weights.Length];
            string signs = string.Join(' ', weights.Select((wj, j) => string.Concat(Enumerable.Range(0, data.Count).Select(i =>
                Enumerable.Range(0, data.Inputs).Sum(k => wj[k] * data.Point(i)[k]) + b[j] > 0 ? '1' : '0'))));
            Assert.That(row["pattern"]!.GetValue<string>(), Is.EqualTo(signs), $"row {row["row"]}");
        }

        double[] losses = [.. all["rows"]!.AsArray().Select(r => r!["loss"]!.GetValue<double>()).Order()];
        double from = losses[losses.Length / 3], to = losses[2 * losses.Length / 3];
        JsonObject page = JsonNode.Parse(_http.GetStringAsync($"api/runs/{id}/regions?realizable=true&sort=loss&from={from:R}&to={to:R}&offset=1&limit=3").Result)!.AsObject();
        JsonNode[] expected = [.. all["rows"]!.AsArray().Select(r => r!).Where(r => r["loss"]!.GetValue<double>() >= from && r["loss"]!.GetValue<double>() <= to)
            .OrderBy(r => r["loss"]!.GetValue<double>())];
        Assert.That(page["total"]!.GetValue<int>(), Is.EqualTo(expected.Length));
        Assert.That(page["rows"]!.AsArray().Select(r => r!["row"]!.GetValue<long>()), Is.EqualTo(expected.Skip(1).Take(3).Select(r => r["row"]!.GetValue<long>())));

        // One witness as a download, named after what it is of; a row without one is a 404.
        long first = witnesses[0]!["row"]!.GetValue<long>();
        using HttpResponseMessage download = _http.GetAsync($"api/runs/{id}/witnesses/{first}").Result;
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(download.Content.ReadAsStringAsync().Result), witnesses[0]), Is.True);
        Assert.That(download.Content.Headers.ContentDisposition!.FileName, Does.StartWith($"{dataset.Replace(':', '-').Replace(',', '-')}-h2{(bias ? "-bias" : "")}-witness-{first}"));
        long none = Enumerable.Range(0, 100_000).First(r => !witnesses.Any(w => w!["row"]!.GetValue<long>() == r));
        using HttpResponseMessage missing = _http.GetAsync($"api/runs/{id}/witnesses/{none}").Result;
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using HttpResponseMessage badSort = _http.GetAsync($"api/runs/{id}/regions?sort=volume").Result;
        Assert.That(badSort.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    // Any built-in or generated dataset by name, as the engine makes it; never a file of the server's, never beyond the limit.
    [Test]
    public void NamedDatasetsComeFromTheEngineOnly()
    {
        JsonObject random = JsonNode.Parse(_http.GetStringAsync("api/datasets/random:7,3,2").Result)!.AsObject();
        Dataset data = DatasetCatalog.Load("random:7,3,2");
        Assert.That(random["points"].Deserialize<double[][]>()!.SelectMany(p => p), Is.EqualTo(data.X.ToArray()));
        Assert.That(random["targets"].Deserialize<double[]>(), Is.EqualTo(data.Y.ToArray()));
        foreach ((string name, string expected) in new[] { ("%2Fetc%2Fpasswd", "built-in name"), ("README.md", "built-in name"), ("random:100000,20,1", "limit") })
        {
            using HttpResponseMessage response = _http.GetAsync($"api/datasets/{name}").Result;
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), name);
            Assert.That(JsonNode.Parse(response.Content.ReadAsStringAsync().Result)!["error"]!.GetValue<string>(), Does.Contain(expected));
        }
    }

    [Test]
    public void ARestartedServerServesItsFinishedRuns()
    {
        string id = Post(new JsonObject { ["command"] = "enumerate", ["dataset"] = "paper-fig3", ["hidden"] = 2, ["realizable"] = true, ["keep"] = true, ["witnesses"] = true });
        JsonObject before = Finished(id);
        string rows = _http.GetStringAsync($"api/runs/{id}/regions?realizable=true&limit=1000").Result;
        string witnesses = _http.GetStringAsync($"api/runs/{id}/witnesses").Result;
        Stop();
        Start();
        JsonObject after = Get(id);
        Assert.That(after["state"]!.GetValue<string>(), Is.EqualTo("done"));
        Assert.That(after["result"]!.ToJsonString(), Is.EqualTo(before.ToJsonString()));
        Assert.That(_http.GetStringAsync($"api/runs/{id}/regions?realizable=true&limit=1000").Result, Is.EqualTo(rows));
        Assert.That(_http.GetStringAsync($"api/runs/{id}/witnesses").Result, Is.EqualTo(witnesses));
        // A new run gets a new id, never one of the kept runs'.
        Assert.That(Post(new JsonObject { ["command"] = "slice", ["dataset"] = "paper-fig2", ["hidden"] = 1, ["grid"] = 11 }), Is.Not.EqualTo(id));
    }

    [Test]
    public void ALongRunIsCancelledByDelete()
    {
        string id = Post(new JsonObject { ["command"] = "enumerate", ["dataset"] = "random:14,2,1", ["hidden"] = 2 });
        using (HttpResponseMessage response = _http.DeleteAsync($"api/runs/{id}").Result)
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(Wait(id)["state"]!.GetValue<string>(), Is.EqualTo("cancelled"));
    }

    [Test]
    public void EventsStreamProgressUntilTheRunEnds()
    {
        string id = Post(new JsonObject { ["command"] = "enumerate", ["dataset"] = "paper-fig3", ["hidden"] = 3, ["realizable"] = true });
        string events = _http.GetStringAsync($"api/runs/{id}/events").Result;
        Assert.That(events, Does.Contain("event: state"));
        Assert.That(events.TrimEnd(), Does.EndWith("{\"state\":\"done\",\"error\":null}"));
    }

    [Test]
    public void TheCellsAndSliceRunsAnswerFigures1And2()
    {
        JsonObject cells = Finished(Post(new JsonObject { ["command"] = "regions", ["dataset"] = "paper-fig3", ["hidden"] = 2 }));
        using EngineSession session = EngineSession.Open(Backend.Cpu);
        int count = session.Cells(session.Dataset("paper-fig3"), bias: false).Count;
        Assert.That(cells["cells_per_node"]!.GetValue<int>(), Is.EqualTo(count));
        Assert.That(cells["nonempty_regions"]!.GetValue<string>(), Is.EqualTo((count * count).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        string slice = Post(new JsonObject { ["command"] = "slice", ["dataset"] = "paper-fig2", ["hidden"] = 1, ["grid"] = 21 });
        JsonObject result = Finished(slice);
        Assert.That(result["loss"]!.AsArray(), Has.Count.EqualTo(21));
        using HttpResponseMessage png = _http.GetAsync($"api/runs/{slice}/figures/slice.png").Result;
        Assert.That(png.Content.Headers.ContentType!.MediaType, Is.EqualTo("image/png"));
        Assert.That(png.Content.ReadAsByteArrayAsync().Result.Take(4), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));
    }

    [Test]
    public void TheOpenApiDocumentDescribesTheRuns()
    {
        JsonObject document = JsonNode.Parse(_http.GetStringAsync("openapi/v1.json").Result)!.AsObject();
        Assert.That(document["paths"]!.AsObject().Select(p => p.Key), Is.SupersetOf(new[] { "/api/runs", "/api/runs/{id}", "/api/runs/{id}/events", "/api/runs/{id}/regions" }));
    }

    [Test]
    public void ThePythonExamplePrintsFigure3()
    {
        (int code, string output) = Repository.Run("python3", Repository.Root(), [Path.Combine("tests", "python", "figure3.py"), _http.BaseAddress!.ToString()]);
        Assert.That(code, Is.Zero, output);
        // Its totals are the engine's own, computed here.
        using EngineSession session = EngineSession.Open(Backend.Cpu);
        for (int h = 1; h <= 4; h++)
        {
            RegionRun run = session.Enumerate(new RegionRequest { Data = session.Dataset("paper-fig3"), Hidden = h, Realizability = true });
            Assert.That(output, Does.Contain($"{run.Histogram.Count}/{run.RealizableHistogram!.Count}"));
        }
    }

    private void Start()
    {
        _app = EngineServer.Create(new ServerOptions("127.0.0.1", 0, _runs, Backend.Cpu));
        _app.StartAsync().Wait();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First() + "/") };
    }

    private void Stop()
    {
        _http.Dispose();
        _app?.StopAsync().Wait();
        _app?.DisposeAsync().AsTask().Wait();
        _app = null;
    }

    private string Post(JsonObject body)
    {
        using HttpResponseMessage response = _http.PostAsJsonAsync("api/runs", body).Result;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), response.Content.ReadAsStringAsync().Result);
        return JsonNode.Parse(response.Content.ReadAsStringAsync().Result)!["id"]!.GetValue<string>();
    }

    private JsonObject Get(string id) => JsonNode.Parse(_http.GetStringAsync($"api/runs/{id}").Result)!.AsObject();

    private JsonObject Wait(string id)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 120)
        {
            JsonObject run = Get(id);
            if (run["state"]!.GetValue<string>() is "done" or "failed" or "cancelled") return run;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"run {id} did not end");
    }

    private JsonObject Finished(string id)
    {
        JsonObject run = Wait(id);
        Assert.That(run["state"]!.GetValue<string>(), Is.EqualTo("done"), run["error"]?.ToString());
        return run["result"]!.AsObject();
    }
}
