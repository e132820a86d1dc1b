using Engine.Core.Network;
using ScottPlot;

namespace Engine;

/// <summary>
/// The paper's figures as images, drawn with ScottPlot so that every front end gets the same plots: Figure 2's
/// loss slice with activation boundaries, and Figure 3's histograms of subglobal minima (all against realizable).
/// Each writer takes a path ending in .png and writes the PNG there and an SVG next to it.
/// </summary>
public static class Figures
{
    private const int Width = 800;
    private const int Height = 600;

    /// <summary>Writes <paramref name="slice"/> as a heatmap of log10 L_f with its activation boundaries as dashed lines.</summary>
    public static void WriteSlice(LossSlice slice, string title, string pngPath)
    {
        ArgumentNullException.ThrowIfNull(slice);
        int rows = slice.Ys.Length;
        int columns = slice.Xs.Length;
        // ScottPlot draws row 0 at the top, the slice keeps the smallest Y in row 0. The loss grows quartically away
        // from the origin, so colors follow log10 L_f (floored at 1e-6) to keep the valleys and boundaries visible.
        double[,] image = new double[rows, columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++) image[rows - 1 - r, c] = Math.Log10(Math.Max(slice.Loss[r, c], 1e-6));
        }
        double dx = (slice.Xs[^1] - slice.Xs[0]) / (columns - 1);
        double dy = (slice.Ys[^1] - slice.Ys[0]) / (rows - 1);
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(image);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Extent = new CoordinateRect(slice.Xs[0] - dx / 2, slice.Xs[^1] + dx / 2, slice.Ys[0] - dy / 2, slice.Ys[^1] + dy / 2);
        plot.Add.ColorBar(heatmap).Label = "log10 L_f (Eq. 3)";
        foreach ((double a, double b, double c) in slice.Boundaries)
        {
            (Coordinates from, Coordinates to) = Clip(a, b, c, slice.Xs[0], slice.Xs[^1], slice.Ys[0], slice.Ys[^1]);
            if (from.X is double.NaN) continue;
            var line = plot.Add.Line(from, to);
            line.Color = Colors.White;
            line.LineWidth = 2;
            line.LinePattern = LinePattern.Dashed;
        }
        plot.Title(title);
        plot.XLabel(slice.XName);
        plot.YLabel(slice.YName);
        plot.Axes.SetLimits(slice.Xs[0], slice.Xs[^1], slice.Ys[0], slice.Ys[^1]);
        Save(plot, pngPath);
    }

    /// <summary>
    /// Writes a histogram of region counts per subglobal-minimum loss level, all regions beside the realizable ones
    /// (Figure 3 for one h).
    /// </summary>
    public static void WriteHistogram(string title, IReadOnlyList<double> levels, IReadOnlyList<long> all, IReadOnlyList<long> realizable, string pngPath)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(realizable);
        var plot = new Plot();
        var bars = new List<Bar>();
        Color allColor = Colors.SteelBlue;
        Color realColor = Colors.OrangeRed;
        var ticks = new List<Tick>();
        for (int k = 0; k < levels.Count; k++)
        {
            bars.Add(new Bar { Position = 3 * k, Value = all[k], FillColor = allColor, Size = 1 });
            bars.Add(new Bar { Position = 3 * k + 1, Value = realizable[k], FillColor = realColor, Size = 1 });
            ticks.Add(new Tick(3 * k + 0.5, levels[k].ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "all regions", FillColor = allColor });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "realizable minima", FillColor = realColor });
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.XLabel("subglobal-minimum loss");
        plot.YLabel("regions");
        Save(plot, pngPath);
    }

    /// <summary>
    /// Writes one line per series over x, each point with its interval as an error bar (a sweep's shares against h).
    /// </summary>
    /// <param name="title">The title.</param>
    /// <param name="xLabel">The x axis label.</param>
    /// <param name="yLabel">The y axis label.</param>
    /// <param name="series">Per series: its legend label, and its points as (x, value, low, high).</param>
    /// <param name="pngPath">The PNG to write; an SVG is written beside it.</param>
    public static void WriteLines(string title, string xLabel, string yLabel, IReadOnlyList<(string Label, IReadOnlyList<(double X, double Value, double Low, double High)> Points)> series,
        string pngPath)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        Color[] palette = [Colors.SteelBlue, Colors.OrangeRed, Colors.SeaGreen, Colors.Purple, Colors.DarkOrange, Colors.Gray];
        for (int s = 0; s < series.Count; s++)
        {
            (string label, IReadOnlyList<(double X, double Value, double Low, double High)> points) = series[s];
            double[] xs = [.. points.Select(p => p.X)], ys = [.. points.Select(p => p.Value)];
            Color color = palette[s % palette.Length];
            var line = plot.Add.Scatter(xs, ys, color);
            line.LegendText = label;
            line.LineWidth = 2;
            line.MarkerSize = 7;
            var bars = plot.Add.ErrorBar(xs, ys, [.. points.Select(p => p.Value - p.Low)]);
            bars.YErrorNegative = [.. points.Select(p => p.Value - p.Low)];
            bars.YErrorPositive = [.. points.Select(p => p.High - p.Value)];
            bars.Color = color;
        }
        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.LowerLeft;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        Save(plot, pngPath);
    }

    /// <summary>Writes a histogram of <paramref name="values"/> over [0, 1] in <paramref name="bins"/> equal bins.</summary>
    public static void WriteDistribution(string title, string xLabel, IReadOnlyList<double> values, int bins, string pngPath)
    {
        ArgumentNullException.ThrowIfNull(values);
        var plot = new Plot();
        long[] counts = new long[bins];
        foreach (double v in values) counts[Math.Clamp((int)(v * bins), 0, bins - 1)]++;
        var bars = new List<Bar>();
        for (int b = 0; b < bins; b++) bars.Add(new Bar { Position = (b + 0.5) / bins, Value = counts[b], Size = 0.9 / bins, FillColor = Colors.OrangeRed });
        plot.Add.Bars(bars);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("count");
        Save(plot, pngPath);
    }

    private static void Save(Plot plot, string pngPath)
    {
        plot.SavePng(pngPath, Width, Height);
        plot.SaveSvg(Path.ChangeExtension(pngPath, ".svg"), Width, Height);
    }

    // The segment of α + βX + γY = 0 inside the rectangle, or NaN ends when it misses it.
    private static (Coordinates, Coordinates) Clip(double a, double b, double c, double x0, double x1, double y0, double y1)
    {
        var points = new List<Coordinates>();
        if (c != 0.0)
        {
            foreach (double x in new[] { x0, x1 })
            {
                double y = -(a + b * x) / c;
                if (y >= y0 && y <= y1) points.Add(new Coordinates(x, y));
            }
        }
        if (b != 0.0)
        {
            foreach (double y in new[] { y0, y1 })
            {
                double x = -(a + c * y) / b;
                if (x >= x0 && x <= x1) points.Add(new Coordinates(x, y));
            }
        }
        if (points.Count < 2) return (new Coordinates(double.NaN, double.NaN), new Coordinates(double.NaN, double.NaN));
        return (points[0], points.MaxBy(p => Math.Abs(p.X - points[0].X) + Math.Abs(p.Y - points[0].Y)));
    }
}
