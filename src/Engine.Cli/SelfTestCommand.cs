using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Engine.Cli;

/// <summary><c>engine selftest</c>: every kernel on a device against its host twin; exits 1 on any mismatch.</summary>
internal static class SelfTestCommand
{
    /// <summary>Exit code when some kernel disagrees with its host twin.</summary>
    public const int Mismatch = 1;

    public static Command Create()
    {
        var device = RegionOptions.DeviceOption();
        var quick = new Option<bool>("--quick") { Description = "Fewer regions per shape: seconds on the CPU accelerator." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the report as JSON." };
        var command = new Command("selftest", "Check every kernel on the device against its host twin, on data of several shapes (one line per check).");
        foreach (Option option in new Option[] { device, quick, json }) command.Options.Add(option);
        command.SetAction((parsed, cancellation) =>
        {
            FileInfo? jsonFile = parsed.GetValue(json);
            Outputs.Check([], ("--json", jsonFile));
            using EngineSession session = EngineSession.Open(BackendNames.Parse(parsed.Value(device)));
            SelfTestReport report = session.SelfTest(parsed.GetValue(quick), null, cancellation);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"selftest on {report.Device}");
            foreach (SelfTestCheck c in report.Checks)
                Console.WriteLine(string.Create(inv, $"  {(c.Passed ? "ok  " : "FAIL")}  {c.Name}: {c.Detail} (largest difference {c.MaxError:0.0e0} of tolerance {c.Tolerance:0.0e0}, {c.Seconds:0.00} s)"));
            Console.WriteLine(report.Passed ? $"all {report.Checks.Count} checks passed" : $"{report.Checks.Count(c => !c.Passed)} of {report.Checks.Count} checks FAILED");
            if (jsonFile is not null)
            {
                RegionReport.WriteJson(new JsonObject
                {
                    ["device"] = report.Device,
                    ["passed"] = report.Passed,
                    ["checks"] = new JsonArray([.. report.Checks.Select(c => (JsonNode)new JsonObject
                    {
                        ["name"] = c.Name, ["passed"] = c.Passed, ["maxError"] = c.MaxError, ["tolerance"] = c.Tolerance, ["detail"] = c.Detail, ["seconds"] = c.Seconds,
                    })]),
                }, jsonFile.FullName);
            }
            return report.Passed ? 0 : Mismatch;
        });
        return command;
    }
}
