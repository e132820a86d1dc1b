using System.CommandLine;
using System.Globalization;
using Engine.Core.Data;
using Engine.Core.Network;

namespace Engine.Cli;

/// <summary><c>engine slice</c>: the real loss on a grid over two parameters, with activation boundaries (Figure 2).</summary>
internal static class SliceCommand
{
    public static Command Create()
    {
        var common = new RegionOptions();
        var x = new Option<string?>("--x") { Description = "Horizontal parameter: w{j}_{k} (w{j} when n = 1), v{j}, b{j} or c (default: the first weight)." };
        var y = new Option<string?>("--y") { Description = "Vertical parameter (default: v1, the output weight of node 1)." };
        var range = new Option<string>("--range") { Description = "Range of both axes as FROM,TO.", DefaultValueFactory = _ => "-3,3" };
        var yRange = new Option<string?>("--yrange") { Description = "Range of the vertical axis as FROM,TO (default: --range)." };
        var grid = new Option<int>("--grid") { Description = "Grid points per axis.", DefaultValueFactory = _ => 201 };
        var at = new Option<string?>("--at") { Description = "Values of the other parameters as NAME=VALUE,... (default 0)." };
        var output = new Option<FileInfo>("--out") { Description = "PNG to write; an SVG with the same name is written beside it.", Required = true };
        var command = new Command("slice", "Heatmap of the real loss L_f (Eq. 3) over two parameters with activation-region boundaries dashed (Figure 2: paper-fig2, h = 1).");
        command.Options.Add(common.Dataset);
        command.Options.Add(common.Hidden);
        command.Options.Add(common.Bias);
        foreach (Option option in new Option[] { x, y, range, yRange, grid, at, output }) command.Options.Add(option);
        command.SetAction((parsed, _) =>
        {
            (double from, double to) = Range(parsed.Value(range));
            var request = new SliceRequest
            {
                Data = DatasetCatalog.Load(parsed.Value(common.Dataset)),
                Hidden = parsed.GetValue(common.Hidden),
                Bias = parsed.GetValue(common.Bias),
                X = parsed.GetValue(x),
                Y = parsed.GetValue(y),
                XRange = (from, to),
                YRange = parsed.GetValue(yRange) is { } yr ? Range(yr) : (from, to),
                Grid = parsed.GetValue(grid),
                At = At(parsed.GetValue(at)),
            };
            string path = Png(parsed.Value(output).FullName);
            // Both figures are checked before the grid is computed, so a bad path fails at once.
            Outputs.Check([parsed.Value(common.Dataset)], ("--out", new FileInfo(path)), ("--out (SVG)", new FileInfo(Path.ChangeExtension(path, ".svg"))));
            LossSlice slice = Write(request, path);
            Console.WriteLine($"wrote {path} and {Path.ChangeExtension(path, ".svg")}: L_f over {slice.XName} × {slice.YName}, {slice.Boundaries.Count} activation boundary line(s)");
            return 0;
        });
        return command;
    }

    /// <summary>Computes a slice and writes it as PNG and SVG; shared with <c>engine paper --out</c>.</summary>
    public static LossSlice Write(SliceRequest request, string path)
    {
        using EngineSession session = EngineSession.Open();
        LossSlice slice = session.Slice(request);
        Figures.WriteSlice(slice, $"L_f on {request.Data.Name}, h = {request.Hidden}{(request.Bias ? ", bias" : "")}: dashed lines are activation boundaries", path);
        return slice;
    }

    // "w1=0.5,v1=-1" as parameter values by name.
    private static Dictionary<string, double> At(string? text)
    {
        var values = new Dictionary<string, double>();
        foreach (string assignment in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = assignment.Split('=');
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw new EngineInputException($"--at: expected NAME=VALUE, got '{assignment}'");
            values[parts[0].Trim()] = value;
        }
        return values;
    }

    private static string Png(string path) =>
        path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? path : throw new EngineInputException($"--out must name a .png file, got '{path}'");

    private static (double From, double To) Range(string text)
    {
        string[] parts = text.Split(',');
        if (parts.Length != 2
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double from)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double to)
            || !(from < to))
            throw new EngineInputException($"range must be FROM,TO with FROM < TO, got '{text}'");
        return (from, to);
    }
}
