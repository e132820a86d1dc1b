namespace Engine.Core.Regions;

/// <summary>
/// Groups subglobal-minimum losses into distinct levels, as the paper's Figure 3 histograms do: on small
/// datasets many regions share one minimum (the same linear fit reached through different patterns).
/// </summary>
public static class LossLevels
{
    /// <summary>
    /// Two minima closer than this times the dead-region loss are one level, and a loss this close to a histogram
    /// edge lies on it. The certified solves are accurate to 1e-11 of Σỹ² (fast path) and about κ·ε (exact path), so
    /// one level never splits; distinct levels nearer than this merge.
    /// </summary>
    public const double RelativeTolerance = 1e-9;

    /// <summary>The absolute level tolerance for a dataset whose dead region has loss <paramref name="deadRegionLoss"/>.</summary>
    public static double Tolerance(double deadRegionLoss) => RelativeTolerance * deadRegionLoss;

    /// <summary>
    /// Sorted distinct losses with their counts. Losses within <paramref name="tolerance"/> of the level's first
    /// member are one level: equal minima computed from differently ordered sums differ by a few ulps.
    /// </summary>
    /// <remarks>
    /// With <paramref name="weights"/>, each loss counts its weight (a multiset of columns stands for several regions).
    /// A run keeps up to 2^26 losses, mostly distinct on random data, so the levels come back as two arrays and the
    /// work is one sorted copy: 8 bytes a loss (16 with weights), and 16 a level.
    /// </remarks>
    public static (double[] Losses, long[] Counts) Group(ReadOnlySpan<double> losses, double tolerance, ReadOnlySpan<long> weights = default)
    {
        double[] sorted = losses.ToArray();
        long[]? sortedWeights = weights.IsEmpty ? null : weights.ToArray();
        if (sortedWeights is null) Array.Sort(sorted);
        else Array.Sort(sorted, sortedWeights);
        int levels = 0;
        for (int k = 0; k < sorted.Length; levels++)
        {
            double level = sorted[k];
            while (k < sorted.Length && sorted[k] - level <= tolerance) k++;
        }
        var counts = new long[levels];
        int m = 0;
        for (int k = 0; k < sorted.Length; m++)
        {
            double level = sorted[k];
            long count = 0;
            for (; k < sorted.Length && sorted[k] - level <= tolerance; k++) count += sortedWeights is null ? 1 : sortedWeights[k];
            sorted[m] = level;
            counts[m] = count;
        }
        Array.Resize(ref sorted, levels);
        return (sorted, counts);
    }
}
