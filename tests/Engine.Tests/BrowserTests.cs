using System.Net;
using System.Text.Json.Nodes;
using Engine.Cli;
using Engine.Server;
using Microsoft.AspNetCore.Builder;
using NUnit.Framework;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Engine.Tests;

/// <summary>
/// The explorer in a real browser: Debian's chromium, headless, driven through its chromedriver against a live
/// server. What the page shows and exports is compared with the engine's own answers, computed here; each test keeps
/// a screenshot in TestResults.
/// </summary>
[Category("browser")]
[NonParallelizable]
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Driver = "/usr/bin/chromedriver";
    private string _runs = "", _scratch = "";
    private WebApplication? _app;
    private ChromeDriverService? _service;
    private ChromeDriver? _browser;
    private readonly HttpClient _http = new();

    private ChromeDriver Browser => _browser!;

    private string Url => _app!.Urls.First() + "/";

    [OneTimeSetUp]
    public void Start()
    {
        if (!File.Exists(Chromium) || !File.Exists(Driver)) Assert.Ignore($"no {Chromium} or {Driver}; tests/run installs chromium and chromium-driver");
        _runs = Directory.CreateTempSubdirectory("engine-browser-").FullName;
        _scratch = Directory.CreateTempSubdirectory("engine-browser-cli-").FullName;
        _app = EngineServer.Create(new ServerOptions("127.0.0.1", 0, _runs, Backend.Cpu));
        _app.StartAsync().Wait();
        _http.BaseAddress = new Uri(Url);
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1800");
        _service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver), Path.GetFileName(Driver));
        _service.HideCommandPromptWindow = true;
        _browser = new ChromeDriver(_service, options, TimeSpan.FromSeconds(60));
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _browser?.Quit();
        _browser?.Dispose();
        _service?.Dispose();
        _http.Dispose();
        if (_app is null) return;
        _app.StopAsync().Wait();
        _app.DisposeAsync().AsTask().Wait();
        Directory.Delete(_runs, recursive: true);
        Directory.Delete(_scratch, recursive: true);
    }

    // Every export of a finished run downloads, and each is what the CLI writes for the same request.
    [Test]
    public void TheExplorerRunsFigure3AndItsExportsAreTheClis()
    {
        Open();
        Choose("#dataset", "paper-fig3");
        Type("hidden", "2");
        Browser.FindElement(By.Id("run")).Click();

        using EngineSession session = EngineSession.Open(Backend.Cpu);
        RegionRun run = session.Enumerate(new RegionRequest { Data = session.Dataset("paper-fig3"), Hidden = 2, Realizability = true });
        string expected = $"{run.RealizableHistogram!.Count} realizable of {run.Histogram.Count} regions";
        Until("the summary of paper-fig3, h = 2", () => Text("summary").Contains(expected, StringComparison.Ordinal)
            && Browser.FindElements(By.CssSelector("#minima tbody tr")).Count == run.RealizableHistogram.Count
            && Browser.FindElements(By.CssSelector("#slice-note a")).Count == 2);
        Assert.That(Text("results-label"), Does.Contain("paper-fig3, h = 2"));
        Shot("explorer-paper-fig3-h2");

        string json = Scratch("cli.json"), csv = Scratch("cli.csv"), witnesses = Scratch("cli.jsonl");
        Assert.That(Program.Main(["enumerate", "--dataset", "paper-fig3", "--hidden", "2", "--realizable", "--bins", "20", "--json", json, "--csv", csv, "--witness", witnesses]), Is.Zero);
        var links = Browser.FindElements(By.CssSelector("#downloads a, #slice-note a")).Select(a => a.GetAttribute("href")!).ToList();
        Assert.That(links.Select(l => l[(l.LastIndexOf('/') + 1)..]), Is.EquivalentTo(new[] { "result.json", "regions.csv", "histogram.svg", "histogram.png", "slice.svg", "slice.png" }));
        foreach (string link in links)
        {
            using HttpResponseMessage response = _http.GetAsync(link).Result;
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), link);
            string name = response.Content.Headers.ContentDisposition?.FileName ?? "";
            Assert.That(name, Does.StartWith("paper-fig3-h2-"), $"{link}: the download's name says what it is of");
            byte[] body = response.Content.ReadAsByteArrayAsync().Result;
            switch (link[(link.LastIndexOf('/') + 1)..])
            {
                case "result.json":
                    JsonObject page = JsonNode.Parse(body)!.AsObject(), cli = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
                    page.Remove("seconds");
                    cli.Remove("seconds");
                    Assert.That(JsonNode.DeepEquals(page, cli), Is.True, "result.json is the CLI's --json");
                    break;
                case "regions.csv":
                    Assert.That(System.Text.Encoding.UTF8.GetString(body), Is.EqualTo(File.ReadAllText(csv)));
                    break;
                case var png when png.EndsWith(".png", StringComparison.Ordinal):
                    Assert.That(body.Take(4), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }), link);
                    break;
                default:
                    Assert.That(System.Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(body)).Root!.Name.LocalName, Is.EqualTo("svg"), link);
                    break;
            }
        }

        // Each witness's own download is the CLI's witness line for that region.
        Browser.FindElement(By.CssSelector("#minima tbody tr")).Click();
        Until("the witness dialog", () => Browser.FindElement(By.Id("witness")).GetAttribute("open") is not null);
        string witnessLink = Browser.FindElement(By.Id("witness-download")).GetAttribute("href")!;
        JsonNode fromPage = JsonNode.Parse(_http.GetStringAsync(witnessLink).Result)!;
        JsonNode fromCli = File.ReadLines(witnesses).Select(l => JsonNode.Parse(l)!).Single(w => w["index"]!.GetValue<long>() == fromPage["index"]!.GetValue<long>());
        fromPage.AsObject().Remove("row");
        Assert.That(JsonNode.DeepEquals(fromPage, fromCli), Is.True, "the witness download is the CLI's witness line");
        Shot("explorer-witness");
        Browser.FindElement(By.CssSelector("#witness button[value=close]")).Click();
    }

    // Forty points with bias (one input: 80 cells per node, 6,400 regions): thousands of levels, yet Figure 3 keeps its
    // height and the summary its length.
    [Test]
    public void Figure3StaysBoundedOnARandomDatasetOfFortyPoints()
    {
        Open();
        Choose("#dataset", "random");
        Type("random-count", "40");
        Type("random-inputs", "1");
        Type("random-seed", "3");
        Browser.FindElement(By.Id("generate")).Click();
        Until("forty points", () => Browser.FindElements(By.CssSelector("#points circle")).Count == 40);
        Type("hidden", "2");
        Browser.FindElement(By.Id("bias")).Click();
        Browser.FindElement(By.Id("nonempty")).Click();
        Browser.FindElement(By.Id("run")).Click();
        Until("the summary of random:40,1,3", () => Text("summary").Contains("realizable of", StringComparison.Ordinal), TimeSpan.FromMinutes(4));
        IWebElement figure = Browser.FindElement(By.CssSelector("#histogram svg"));
        Assert.That(figure.Size.Height, Is.LessThan(500).And.LessThan(figure.Size.Width), "Figure 3's height");
        Assert.That(Browser.FindElements(By.CssSelector("#histogram text.mark")), Has.Count.LessThanOrEqualTo(5), "a few markers, not a label per level");
        Assert.That(Text("summary").Length, Is.LessThan(500), Text("summary"));
        Assert.That(Browser.FindElements(By.CssSelector("#points circle")).Select(c => c.GetAttribute("fill")).Distinct().Count(), Is.GreaterThan(10), "points coloured by target");

        // A bar filters the table to its losses; the table pages through the API.
        int total = int.Parse(Text("minima-note").Split(" of ")[1].Split(' ')[0].Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(total, Is.GreaterThan(100));
        Browser.FindElement(By.Id("next")).Click();
        Until("the second page", () => Text("minima-note").StartsWith("rows 101–", StringComparison.Ordinal));
        IWebElement bar = Browser.FindElements(By.CssSelector("#histogram rect.bar")).First(b => !b.GetAttribute("aria-label")!.EndsWith(" 0 realizable", StringComparison.Ordinal));
        bar.SendKeys(Keys.Enter);
        Until("the table filtered to one bar", () => Text("minima-note").Contains("loss in [", StringComparison.Ordinal));
        Shot("explorer-random-40-bias-h2");
    }

    // Enter opens a row's witness, again and again: two rows in turn.
    [Test]
    public void EnterOpensTheWitnessesOfTwoRowsInTurn()
    {
        Open();
        Choose("#dataset", "paper-fig3");
        Type("hidden", "2");
        Browser.FindElement(By.Id("run")).Click();
        Until("the minima table", () => Browser.FindElements(By.CssSelector("#minima tbody tr")).Count >= 2);
        var titles = new List<string>();
        for (int k = 0; k < 2; k++)
        {
            IWebElement row = Browser.FindElements(By.CssSelector("#minima tbody tr"))[k];
            row.SendKeys(Keys.Enter);
            Until($"the witness of row {k + 1}", () => Browser.FindElement(By.Id("witness")).GetAttribute("open") is not null);
            titles.Add(Text("witness-title"));
            Browser.FindElement(By.Id("witness")).SendKeys(Keys.Escape);
            Until("the dialog closed", () => Browser.FindElement(By.Id("witness")).GetAttribute("open") is null);
        }
        Assert.That(titles.Distinct().Count(), Is.EqualTo(2), string.Join(" | ", titles));
    }

    // Pasted CSV is the data the run gets (Figure 2's points, so the engine's own counts for paper-fig2 must show), and a
    // witness centres the slice on itself.
    [Test]
    public void PastedCsvRunsAndAWitnessCentresTheSlice()
    {
        Open();
        Browser.FindElement(By.CssSelector("details summary")).Click();
        Browser.FindElement(By.Id("csv")).SendKeys("x1,y\n-2,-3\n2,-1\n");
        Browser.FindElement(By.Id("use-csv")).Click();
        Until("two points", () => Browser.FindElements(By.CssSelector("#points circle")).Count == 2);
        Type("hidden", "1");
        Browser.FindElement(By.Id("bias")).Click();
        Browser.FindElement(By.Id("run")).Click();
        using EngineSession session = EngineSession.Open(Backend.Cpu);
        RegionRun run = session.Enumerate(new RegionRequest { Data = session.Dataset("paper-fig2"), Hidden = 1, Bias = true, Realizability = true });
        string expected = $"{run.RealizableHistogram!.Count} realizable of {run.Histogram.Count} regions";
        Until("the counts of paper-fig2's data", () => Text("summary").Contains(expected, StringComparison.Ordinal) && Text("slice-note").Length > 0);
        Assert.That(Text("results-label"), Does.Contain("custom data (2 points), h = 1, bias"));
        // A region with one point active and one not: its node's hinge lies between the two points.
        Browser.FindElement(By.CssSelector("#minima tbody tr[data-pattern='01'], #minima tbody tr[data-pattern='10']")).Click();
        Until("the witness dialog", () => Browser.FindElement(By.Id("witness")).GetAttribute("open") is not null);
        Browser.FindElement(By.Id("centre-slice")).Click();
        Until("the slice through the witness", () => Text("slice-note").Contains("through the open witness", StringComparison.Ordinal));
        Assert.That(Browser.FindElements(By.CssSelector("#points line.hinge")), Has.Count.EqualTo(1), "the witness's hinge on the data");
        Shot("explorer-csv-witness-slice");
    }

    // The slice's fixed point, typed: a name that is no parameter of the network is refused and no run starts; a good
    // one reaches the server's request, the figure says it goes through it, and the URL keeps it for a reload.
    [Test]
    public void TheSliceGoesThroughATypedFixedPoint()
    {
        Open();
        Choose("#dataset", "paper-fig3");
        Type("hidden", "2");
        int before = Runs();
        Type("slice-at", "q1=2");
        Browser.FindElement(By.Id("run")).Click();
        Until("the refusal", () => Text("message").Contains("'q1', not a parameter of this network", StringComparison.Ordinal));
        Thread.Sleep(500);
        Assert.That(Runs(), Is.EqualTo(before), "no run was started");
        Type("slice-at", "v1=2, v2=0.5");
        Browser.FindElement(By.Id("run")).Click();
        Until("the slice through the point", () => Text("slice-note").Contains("through v1 = 2, v2 = 0.5, the other parameters at 0", StringComparison.Ordinal));
        IEnumerable<JsonNode?> points = JsonNode.Parse(_http.GetStringAsync("api/runs").Result)!.AsArray()
            .Where(r => (string?)r!["command"] == "slice")
            .Select(r => JsonNode.Parse(_http.GetStringAsync($"api/runs/{(string?)r!["id"]}").Result)!["request"]!["at"]);
        Assert.That(points.Select(at => at?.ToJsonString()), Has.One.EqualTo("""{"v1":2,"v2":0.5}"""), "the slice request's fixed point");
        Assert.That(Browser.Url, Does.Contain("at=v1%3D2%2C+v2%3D0.5"));
    }

    // A typed number that is not one is refused where it was typed, and no run starts.
    [TestCase("1,5")]
    [TestCase("abc")]
    [TestCase("2e400")]
    public void BadTypedNumbersAreRefusedInPlace(string typed)
    {
        Open();
        Choose("#dataset", "paper-fig3");
        int before = Runs();
        IWebElement target = Browser.FindElement(By.CssSelector("#targets input[data-field=target]"));
        target.Clear();
        target.SendKeys(typed + Keys.Tab);
        Until("the input marked invalid", () => target.GetAttribute("aria-invalid") == "true");
        Assert.That(Text("message"), Does.Contain($"'{typed}' is not a finite number"));
        Browser.FindElement(By.Id("run")).Click();
        Assert.That(Text("message"), Does.Contain("is not a finite number"));
        Thread.Sleep(500);
        Assert.That(Runs(), Is.EqualTo(before), "no run was started");
    }

    // A reload in the middle of a run finds it again from the URL, and its Cancel still reaches the server.
    [Test]
    public void AReloadReattachesToARunningRunAndCancelsIt()
    {
        Open();
        Choose("#dataset", "random");
        Type("random-count", "16");
        Browser.FindElement(By.Id("generate")).Click();
        Until("sixteen points", () => Browser.FindElements(By.CssSelector("#points circle")).Count == 16);
        Type("hidden", "2");
        // 2^32 patterns are too many rows to keep: the page is told so before anything runs, and runs without them.
        Browser.FindElement(By.Id("run")).Click();
        Until("the refusal to keep 2^32 rows", () => Text("message").Contains("4,294,967,296", StringComparison.Ordinal));
        Browser.FindElement(By.Id("keep")).Click();
        Browser.FindElement(By.Id("run")).Click();
        Until("the runs in the URL", () => Browser.Url.Contains("runs=", StringComparison.Ordinal));
        string id = Uri.UnescapeDataString(Browser.Url.Split("runs=")[1]).Split(',')[0];
        Browser.Navigate().Refresh();
        Until("the run followed again", () => System.Text.RegularExpressions.Regex.IsMatch(Text("phase"), @"^enumerate: (queued|running|\w+ [\d,]+/[\d,]+)"));
        Assert.That(Browser.FindElement(By.Id("cancel")).Enabled, Is.True);
        Assert.That(Text("results-label"), Does.Contain("random:16,2,1, h = 2"));
        Browser.FindElement(By.Id("cancel")).Click();
        Until("the run cancelled", () => JsonNode.Parse(_http.GetStringAsync($"api/runs/{id}").Result)!["state"]!.GetValue<string>() == "cancelled");
        Until("the page says so", () => Text("phase").Contains("enumerate: cancelled", StringComparison.Ordinal));
    }

    // Every control has an accessible name, the status is announced, and Tab walks the controls in order.
    [Test]
    public void EveryControlIsNamedAndTabReachesThem()
    {
        Open();
        Choose("#dataset", "paper-fig3");
        var unnamed = (IReadOnlyCollection<object>)Browser.ExecuteScript("""
            return [...document.querySelectorAll('input, select, button, textarea, canvas, svg[role=img]')]
              .filter(e => !(e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim() || e.closest('dialog')))
              .map(e => e.id || e.outerHTML.slice(0, 60));
            """)!;
        Assert.That(unnamed, Is.Empty);
        Assert.That(Browser.FindElement(By.CssSelector(".status")).GetAttribute("aria-live"), Is.EqualTo("polite"));
        Browser.ExecuteScript("document.getElementById('dataset').focus()");
        var reached = new List<string>();
        for (int k = 0; k < 20; k++)
        {
            Browser.SwitchTo().ActiveElement().SendKeys(Keys.Tab);
            reached.Add(Browser.SwitchTo().ActiveElement().GetAttribute("id") ?? "");
        }
        Assert.That(reached, Is.SupersetOf(new[] { "hidden", "bias", "nonempty", "keep", "bins", "run" }), string.Join(",", reached));
    }

    private void Open()
    {
        Browser.Navigate().GoToUrl(Url);
        Until("the dataset menu", () => Browser.FindElements(By.CssSelector("#dataset option[value='paper-fig3']")).Count > 0
            && Browser.FindElements(By.CssSelector("#points circle")).Count > 0);
    }

    private void Choose(string select, string value)
    {
        Browser.FindElement(By.CssSelector($"{select} option[value='{value}']")).Click();
    }

    private void Type(string id, string text)
    {
        IWebElement input = Browser.FindElement(By.Id(id));
        input.Clear();
        input.SendKeys(text);
    }

    private string Text(string id) => Browser.FindElement(By.Id(id)).Text;

    private int Runs() => JsonNode.Parse(_http.GetStringAsync("api/runs").Result)!.AsArray().Count;

    private string Scratch(string name) => Path.Combine(_scratch, $"{Guid.NewGuid():N}-{name}");

    private void Until(string what, Func<bool> done, TimeSpan? timeout = null)
    {
        try
        {
            new WebDriverWait(Browser, timeout ?? TimeSpan.FromSeconds(60)).Until(_ => done());
        }
        catch (WebDriverTimeoutException)
        {
            string shot = Shot("explorer-failure");
            Assert.Fail($"the page did not show {what}: summary \"{Text("summary")}\", message \"{Text("message")}\", phase \"{Text("phase")}\" " +
                $"(screenshot {shot}); console: {string.Join(" | ", Browser.Manage().Logs.GetLog(LogType.Browser).Select(l => l.Message))}");
        }
    }

    private string Shot(string name)
    {
        string artifacts = Path.Combine(Repository.Root(), "TestResults");
        Directory.CreateDirectory(artifacts);
        string shot = Path.Combine(artifacts, $"{name}.png");
        Browser.GetScreenshot().SaveAsFile(shot);
        TestContext.AddTestAttachment(shot, name);
        return shot;
    }
}
