using Engine.Server;
using Microsoft.AspNetCore.Builder;
using NUnit.Framework;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Engine.Tests;

/// <summary>
/// The explorer in a real browser: Debian's chromium, headless, driven through its chromedriver against a live
/// server. It runs Figure 3's dataset with h = 2 and must show the engine's own counts; a screenshot is kept.
/// </summary>
[Category("browser")]
[NonParallelizable]
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Driver = "/usr/bin/chromedriver";

    [Test]
    public void TheExplorerRunsFigure3WithTwoNodes()
    {
        if (!File.Exists(Chromium) || !File.Exists(Driver)) Assert.Ignore($"no {Chromium} or {Driver}; tests/run installs chromium and chromium-driver");
        string runs = Directory.CreateTempSubdirectory("engine-browser-").FullName;
        WebApplication app = EngineServer.Create(new ServerOptions("127.0.0.1", 0, runs, Backend.Cpu));
        try
        {
            app.StartAsync().Wait();
            var options = new ChromeOptions { BinaryLocation = Chromium };
            options.SetLoggingPreference(LogType.Browser, LogLevel.All);
            options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1800");
            using ChromeDriverService service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver), Path.GetFileName(Driver));
            service.HideCommandPromptWindow = true;
            using var browser = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
            browser.Navigate().GoToUrl(app.Urls.First() + "/");
            var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(60));
            // The dataset list comes from the API: wait for it, then choose Figure 3's data and two nodes.
            wait.Until(b => b.FindElements(By.CssSelector("#dataset option[value='paper-fig3']")).Count > 0);
            browser.FindElement(By.CssSelector("#dataset option[value='paper-fig3']")).Click();
            IWebElement hidden = browser.FindElement(By.Id("hidden"));
            hidden.Clear();
            hidden.SendKeys("2");
            browser.FindElement(By.Id("run")).Click();

            // What the page must show, computed here by the engine.
            using EngineSession session = EngineSession.Open(Backend.Cpu);
            RegionRun run = session.Enumerate(new RegionRequest { Data = session.Dataset("paper-fig3"), Hidden = 2, Realizability = true });
            string expected = $"{run.RealizableHistogram!.Count} realizable of {run.Histogram.Count} regions";
            string artifacts = Path.Combine(Repository.Root(), "TestResults");
            Directory.CreateDirectory(artifacts);
            string shot = Path.Combine(artifacts, "explorer-paper-fig3-h2.png");
            try
            {
                wait.Until(b => b.FindElement(By.Id("summary")).Text.Contains(expected, StringComparison.Ordinal));
                // The histogram, the minima table and the slice are drawn too.
                wait.Until(b => b.FindElements(By.CssSelector("#histogram svg rect")).Count > 0 && b.FindElements(By.CssSelector("#minima tr")).Count > run.RealizableHistogram.Count);
            }
            catch (WebDriverTimeoutException)
            {
                browser.GetScreenshot().SaveAsFile(shot);
                Assert.Fail($"the page did not show \"{expected}\"; it says \"{browser.FindElement(By.Id("summary")).Text}\", message \"{browser.FindElement(By.Id("message")).Text}\" (screenshot {shot}); console: {string.Join(" | ", browser.Manage().Logs.GetLog(LogType.Browser).Select(l => l.Message))}");
            }
            browser.GetScreenshot().SaveAsFile(shot);
            TestContext.AddTestAttachment(shot, "the explorer after running paper-fig3 with h = 2");
        }
        finally
        {
            app.StopAsync().Wait();
            app.DisposeAsync().AsTask().Wait();
            Directory.Delete(runs, recursive: true);
        }
    }
}
