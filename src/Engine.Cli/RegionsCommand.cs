using System.CommandLine;
using System.Globalization;
using Engine.Core.Data;
using Engine.Core.Geometry;
using Engine.Core.Regions;

namespace Engine.Cli;

/// <summary><c>engine regions</c>: which activation regions exist (Figure 1): cells per node and nonempty regions.</summary>
internal static class RegionsCommand
{
    // Cells are listed one per line up to this many.
    private const int MaxListed = 64;

    public static Command Create()
    {
        var common = new RegionOptions();
        var runDirectory = RunOptionsParser.DirectoryOption();
        var command = new Command("regions", "Count the nonempty activation regions (Figure 1): each node's feasible columns are the cells of the arrangement wᵀx_i + b = 0.");
        command.Options.Add(common.Dataset);
        command.Options.Add(common.Hidden);
        command.Options.Add(common.Bias);
        command.Options.Add(runDirectory);
        command.SetAction((parsed, cancellation) =>
        {
            var inv = CultureInfo.InvariantCulture;
            Dataset data = DatasetCatalog.Load(parsed.Value(common.Dataset));
            int hidden = parsed.GetValue(common.Hidden);
            bool bias = parsed.GetValue(common.Bias);
            RegionShape shape = RegionShape.ForColumns(data.Count, data.Inputs, hidden, bias);
            // Cells are host work: the session's device is never opened.
            using EngineSession session = EngineSession.Open();
            ArrangementCells cells = session.Cells(data, bias, parsed.GetValue(runDirectory)?.FullName, Progress.Phases(), cancellation);
            Progress.Done();
            int d = cells.Dimension;
            int hyperplanes = Enumerable.Range(0, data.Count).Count(i => data.Point(i).ContainsAnyExcept(0.0) || bias);
            long closed = ArrangementCells.GeneralPositionCount(hyperplanes, d);
            Console.WriteLine($"activation regions of {RegionReport.Describe(shape, data.Name)}");
            Console.WriteLine(string.Create(inv, $"cells per node: {cells.Count:N0} (arrangement of {hyperplanes} hyperplanes through the origin of ℝ^{d}; general position gives 2·Σ_(k<{d}) C({hyperplanes}−1, k) = {closed:N0}{(closed == cells.Count ? ", as here" : ": these points are not in general position")})"));
            if (hyperplanes < data.Count)
                Console.WriteLine($"{data.Count - hyperplanes} point(s) at the origin without bias are never active and add no hyperplane");
            string patterns = shape.PatternBits <= 62 ? (1L << shape.PatternBits).ToString("N0", inv) : $"2^{shape.PatternBits}";
            string nonempty = Power(cells.Count, hidden);
            Console.WriteLine($"nonempty regions: {nonempty} of {patterns} activation patterns (cells^h; hidden nodes choose their cells independently)");
            if (cells.Count <= MaxListed)
            {
                Console.WriteLine();
                Console.WriteLine("  cell  column a_·j (point 1..N)  interior (w[, b])");
                for (int c = 0; c < cells.Count; c++)
                {
                    string column = RegionReport.ColumnsPattern([cells.Columns[c]], data.Count).Replace(" ", "", StringComparison.Ordinal);
                    string witness = string.Join(", ", cells.Witnesses[c].Select(v => v.ToString("0.###", inv)));
                    Console.WriteLine(string.Create(inv, $"  {c + 1,4}  {column,-24}  ({witness})"));
                }
            }
            return 0;
        });
        return command;
    }

    private static string Power(int cells, int hidden)
    {
        System.Numerics.BigInteger p = System.Numerics.BigInteger.Pow(cells, hidden);
        return p.ToString("N0", CultureInfo.InvariantCulture);
    }
}
