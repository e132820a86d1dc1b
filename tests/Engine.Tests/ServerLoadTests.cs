using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// <c>engine serve</c> as its own process under load: concurrent clients on 127.0.0.1 read the largest documents a run
/// can have (10,000 bins, a million kept rows as CSV, every witness) and start runs, for a fixed time, while the
/// server's resident memory is sampled from /proc. Every answer must be whole and right, and the peak must stay under
/// the cap docs/http-api.md states.
/// </summary>
[Category("unit")]
[NonParallelizable]
public sealed class ServerLoadTests
{
    // The documented cap on the server's resident memory under this load (docs/http-api.md).
    private const long CapMiB = 512;
    private const int Clients = 16;
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(10);

    [Test]
    public void SixteenClientsForTenSecondsStayUnderTheMemoryCapAndLoseNothing()
    {
        string runs = Directory.CreateTempSubdirectory("engine-load-").FullName;
        using var server = Process.Start(new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "engine"), ["serve", "--port", "0", "--runs", runs])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        })!;
        try
        {
            string line = server.StandardError.ReadLine() ?? "";
            string url = System.Text.RegularExpressions.Regex.Match(line, @"http://127\.0\.0\.1:\d+").Value;
            Assert.That(url, Is.Not.Empty, line);
            using var http = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromMinutes(2) };

            // 2^20 kept rows with 10,000 bins: the biggest run documents the server answers for.
            string id = Post(http, new JsonObject { ["command"] = "enumerate", ["dataset"] = "random:10,2,1", ["hidden"] = 2, ["realizable"] = true, ["keep"] = true, ["witnesses"] = true, ["bins"] = 10_000 });
            JsonObject result = Finished(http, id);
            long rows = result["rows"]!.GetValue<long>(), realizable = result["realizable"]!["count"]!.GetValue<long>();
            string csv = http.GetStringAsync($"api/runs/{id}/regions.csv").Result;
            Assert.That(csv.Count(ch => ch == '\n'), Is.EqualTo(rows + 1));

            long peak = 0, requests = 0, started = 0;
            var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var clock = Stopwatch.StartNew();
            using var sampler = new Timer(_ => Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), ResidentMiB(server.Id))), null, 0, 100);
            Parallel.For(0, Clients, new ParallelOptions { MaxDegreeOfParallelism = Clients }, client =>
            {
                for (int k = 0; clock.Elapsed < Load; k++)
                {
                    try
                    {
                        switch ((client + k) % 6)
                        {
                            case 0:
                                Check(JsonNode.Parse(http.GetStringAsync($"api/runs/{id}").Result)!["result"]!["histogram"]!.AsArray().Count == 10_000, "status with 10,000 bins");
                                break;
                            case 1:
                                Check(http.GetStringAsync($"api/runs/{id}/regions.csv").Result.Length == csv.Length, "regions.csv whole");
                                break;
                            case 2:
                                Check(JsonNode.Parse(http.GetStringAsync($"api/runs/{id}/regions?limit=10000&offset={k * 977 % rows}").Result)!["rows"]!.AsArray().Count > 0, "a page of rows");
                                break;
                            case 3:
                                Check(JsonNode.Parse(http.GetStringAsync($"api/runs/{id}/witnesses").Result)!.AsArray().Count == realizable, "every witness");
                                break;
                            case 4:
                                Check(JsonNode.Parse(http.GetStringAsync($"api/runs/{id}/result.json").Result)!["rows"]!.GetValue<long>() == rows, "result.json");
                                break;
                            default:
                                Post(http, new JsonObject { ["command"] = "slice", ["dataset"] = "paper-fig2", ["hidden"] = 1, ["grid"] = 41 });
                                Interlocked.Increment(ref started);
                                break;
                        }
                        Interlocked.Increment(ref requests);
                    }
                    catch (Exception e) when (e is AssertionException or HttpRequestException or AggregateException or InvalidOperationException)
                    {
                        failures.Enqueue(e.InnerException?.Message ?? e.Message);
                    }
                }
            });
            // Every run started under load finishes: none is lost.
            var ids = JsonNode.Parse(http.GetStringAsync("api/runs").Result)!.AsArray().Where(r => r!["command"]!.GetValue<string>() == "slice").Select(r => r!["id"]!.GetValue<string>()).ToList();
            Assert.That(ids, Has.Count.EqualTo(started));
            foreach (string slice in ids) Finished(http, slice);
            TestContext.Out.WriteLine($"{requests:N0} requests from {Clients} clients in {Load.TotalSeconds} s, {started} runs started; peak resident memory {peak} MiB (cap {CapMiB} MiB)");
            Assert.That(failures, Is.Empty, string.Join(" | ", failures.Take(5)));
            Assert.That(peak, Is.GreaterThan(0).And.LessThanOrEqualTo(CapMiB));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
            Directory.Delete(runs, recursive: true);
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException($"{what}: wrong answer under load");
    }

    private static long ResidentMiB(int pid)
    {
        try
        {
            string status = File.ReadAllText($"/proc/{pid}/status");
            string rss = status.Split('\n').First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) >> 10;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string Post(HttpClient http, JsonObject body)
    {
        using HttpResponseMessage response = http.PostAsJsonAsync("api/runs", body).Result;
        if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"POST answered {response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
        return JsonNode.Parse(response.Content.ReadAsStringAsync().Result)!["id"]!.GetValue<string>();
    }

    private static JsonObject Finished(HttpClient http, string id)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            JsonObject run = JsonNode.Parse(http.GetStringAsync($"api/runs/{id}").Result)!.AsObject();
            string state = run["state"]!.GetValue<string>();
            if (state == "done") return run["result"]!.AsObject();
            Assert.That(state, Is.AnyOf("queued", "running"), run["error"]?.ToString());
            Thread.Sleep(100);
        }
        Assert.Fail($"run {id} did not finish");
        return null!;
    }
}
