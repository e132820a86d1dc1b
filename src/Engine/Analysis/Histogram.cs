using Engine.Core.Regions;

namespace Engine;

/// <summary>
/// A histogram of subglobal-minimum losses with explicit edges: bin k counts the regions whose loss lies in
/// [Edges[k], Edges[k + 1]), the last bin closed. A loss within <see cref="LossLevels.RelativeTolerance"/> of the dead
/// region's loss below an edge lies on it (equal minima computed a few ulps apart must not straddle an edge).
/// </summary>
public sealed class Histogram
{
    private Histogram(double[] edges, long[] counts, long count, double? min, double? max, double? mean)
    {
        Edges = edges;
        Counts = counts;
        Count = count;
        Min = min;
        Max = max;
        Mean = mean;
    }

    /// <summary>Bin edges, one more than <see cref="Counts"/>: 0 to the dead region's loss in equal steps.</summary>
    public IReadOnlyList<double> Edges { get; }

    /// <summary>Regions per bin (multisets count every ordering of their nodes).</summary>
    public IReadOnlyList<long> Counts { get; }

    /// <summary>Regions counted.</summary>
    public long Count { get; }

    /// <summary>The lowest loss counted; null when none was.</summary>
    public double? Min { get; }

    /// <summary>The highest loss counted; null when none was.</summary>
    public double? Max { get; }

    /// <summary>The mean loss (exact over any split of the work); null when none was counted.</summary>
    public double? Mean { get; }

    internal static Histogram Of(LossSummary summary)
    {
        int bins = summary.Bins.Length;
        double[] edges = new double[bins + 1];
        for (int b = 0; b <= bins; b++) edges[b] = summary.Upper * b / bins;
        bool any = summary.Count > 0;
        return new Histogram(edges, (long[])summary.Bins.Clone(), summary.Count,
            any ? summary.Min : null, any ? summary.Max : null, any ? summary.Mean : null);
    }
}
