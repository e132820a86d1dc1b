using System.CommandLine;
using System.Globalization;
using Engine.Core.Mlp;
using Engine.Core.Mnist;
using Engine.Mnist;

namespace Engine.Cli;

/// <summary><c>engine table1</c>: the paper's Table 1, random versus rich subglobal minima on MNIST.</summary>
internal static class Table1Command
{
    public static Command Create()
    {
        var widths = new Option<string>("--k") { Description = "Comma-separated widths k.", DefaultValueFactory = _ => "16,32,64,128,256" };
        var modes = new Option<string>("--modes") { Description = $"Comma-separated rows: {NetworkModes.Names}.", DefaultValueFactory = _ => "random,rich" };
        var repeats = new Option<int>("--repeats") { Description = "Trainings per cell (the paper used 100).", DefaultValueFactory = _ => 5 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs per training.", DefaultValueFactory = _ => 20 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initialisations, masks and shuffles.", DefaultValueFactory = _ => 1UL };
        var json = new Option<string?>("--json") { Description = "Also write every repeat's accuracies to this JSON file." };
        var mnist = MnistCommand.DirectoryOption();
        var device = new Option<string>("--device") { Description = $"Accelerator: {BackendNames.Names}.", DefaultValueFactory = _ => "auto" };
        var runDirectory = RunOptionsParser.DirectoryOption();
        var shard = RunOptionsParser.ShardOption();

        var command = new Command("table1", "Reproduce Table 1: accuracy of random (Eq. 8) and rich (ReLU) subglobal minima on MNIST.");
        var allowLong = new Option<bool>("--allow-long") { Description = $"Run even when the estimate exceeds {EnumerateCommand.LongRunSeconds / 3600:0} hour." };
        foreach (Option option in new Option[] { widths, modes, repeats, epochs, seed, json, mnist, device, runDirectory, shard, allowLong }) command.Options.Add(option);
        command.SetAction((parsed, cancellation) =>
        {
            var options = new Table1Options(ParseWidths(parsed.Value(widths)), ParseModes(parsed.Value(modes)),
                parsed.GetValue(repeats), parsed.GetValue(epochs), parsed.GetValue(seed));
            Table1Experiment.Validate(options);
            RunOptions run = RunOptionsParser.Parse(parsed.GetValue(runDirectory), parsed.GetValue(shard));
            string? jsonPath = parsed.GetValue(json);
            if (jsonPath is not null) Outputs.Check([], ("--json", new FileInfo(jsonPath)));
            MnistData data = MnistCommand.Load(parsed.Value(mnist));
            using EngineSession session = EngineSession.Open(BackendNames.Parse(parsed.Value(device)));

            int trainings = options.Modes.Count * options.Widths.Count * options.Repeats;
            int groups = Table1Experiment.Groups(options, data.Features).Count;
            Table1Estimate estimate = session.EstimateTable1(data, options);
            string part = run.Parts > 1 ? $"; part {run.Part}/{run.Parts} trains about 1/{run.Parts} of them" : "";
            string plan = $"table1: {trainings} trainings × {options.Epochs} epochs in {groups} groups, {estimate.PathName} on {session.Device.Description}; estimated {Format(estimate.Time)}{part}";
            if (estimate.Time.TotalSeconds / run.Parts > EnumerateCommand.LongRunSeconds && !parsed.GetValue(allowLong))
                throw new EngineInputException($"{plan}; pass --allow-long to run anyway, or --run DIR --shard I/K to split it");
            Console.Error.WriteLine(plan);

            Table1Outcome outcome = session.Table1(data, options, run, new ProgressCallback<Table1Progress>(p => Console.Error.WriteLine(
                $"  [{p.Mode.Name()} k={p.K}] epoch {p.Epoch}/{p.Epochs}, repeats {p.FirstRepeat + 1}–{p.FirstRepeat + p.GroupSize} of {p.Repeats}: " +
                $"running train accuracy {100.0 * p.RunningAccuracy:F2}%, {Format(p.Elapsed)} elapsed")), cancellation);
            if (outcome.Cells is null)
            {
                Console.Error.WriteLine(run.Parts > 1 && !cancellation.IsCancellationRequested
                    ? $"table1: part {run.Part}/{run.Parts}: {outcome.Computed} groups trained here; {outcome.Missing.Count} of {outcome.Groups} groups still missing{(outcome.Missing.Count == 0 ? $": write the table with 'engine merge {run.Directory}'" : " (other parts)")}"
                    : $"table1: interrupted after {outcome.Computed} groups; {outcome.Missing.Count} of {outcome.Groups} groups remain in {run.Directory}: run the same command to resume");
                return cancellation.IsCancellationRequested ? Cli.Interrupted : 0;
            }
            Write(options, outcome.Cells, jsonPath);
            return cancellation.IsCancellationRequested ? Cli.Interrupted : 0;
        });
        return command;
    }

    /// <summary>Prints the training and test tables of <paramref name="cells"/> and writes the JSON when asked.</summary>
    public static void Write(Table1Options options, IReadOnlyList<Table1Cell> cells, string? jsonPath)
    {
        bool partial = cells.Any(c => c.Epochs < options.Epochs || c.TrainAccuracy.Length < options.Repeats) || cells.Count < options.Modes.Count * options.Widths.Count;
        string over = partial ? "over the repeats each cell trained (see below)" : $"over {options.Repeats} repeats, {options.Epochs} epochs";
        Console.WriteLine(Table($"Training accuracy (%), mean ± std {over}", options, cells, c => c.Train));
        Console.WriteLine();
        Console.WriteLine(Table("Test accuracy (%)", options, cells, c => c.Test));
        if (partial)
        {
            // An interrupted table says what each cell rests on, not what was asked.
            Console.WriteLine($"* interrupted: asked for {options.Repeats} repeats of {options.Epochs} epochs per cell; trained:");
            foreach (Table1Cell c in cells) Console.WriteLine($"  {c.Mode.Name()} k={c.K}: {c.TrainAccuracy.Length} repeats, {c.Epochs} epochs");
        }
        if (jsonPath is not null) RegionReport.WriteJson(RunDocuments.Table1Json(options, cells), jsonPath);
    }

    /// <summary>Parses "16,32" into widths, throwing <see cref="EngineInputException"/> for anything but positive integers.</summary>
    public static int[] ParseWidths(string text) => [.. text.Split(',', StringSplitOptions.TrimEntries).Select(part =>
        int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k > 0
            ? k
            : throw new EngineInputException($"--k: '{part}' is not a positive integer width"))];

    private static NetworkMode[] ParseModes(string text) => [.. text.Split(',', StringSplitOptions.TrimEntries).Select(NetworkModes.Parse)];

    private static string Table(string title, Table1Options options, IReadOnlyList<Table1Cell> cells, Func<Table1Cell, Spread> values)
    {
        var lines = new List<string> { title, $"{"",-8}" + string.Concat(options.Widths.Select(k => $"{"k = " + k,16}")) };
        foreach (NetworkMode mode in options.Modes)
        {
            string row = $"{mode.Name(),-8}";
            foreach (int k in options.Widths)
            {
                Table1Cell? cell = cells.FirstOrDefault(c => c.Mode == mode && c.K == k);
                row += cell is null ? $"{"—",16}" : $"{Cell(values(cell)) + (cell.Epochs < options.Epochs ? "*" : ""),16}";
            }
            lines.Add(row);
        }
        return string.Join(Environment.NewLine, lines);
    }

    private static string Cell(Spread accuracy) => string.Create(CultureInfo.InvariantCulture, $"{100.0 * accuracy.Mean:F2} ± {100.0 * accuracy.Std:F2}");

    private static string Format(TimeSpan t) => t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);
}
