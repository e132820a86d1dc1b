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
    /// <remarks>With <paramref name="weights"/>, each loss counts its weight (a multiset of columns stands for several regions).</remarks>
    public static IReadOnlyList<(double Loss, long Count)> Group(ReadOnlySpan<double> losses, double tolerance, long[]? weights = null)
    {
        double[] sorted = losses.ToArray();
        long[] counts = weights is null ? Enumerable.Repeat(1L, sorted.Length).ToArray() : (long[])weights.Clone();
        Array.Sort(sorted, counts);
        var levels = new List<(double, long)>();
        int k = 0;
        while (k < sorted.Length)
        {
            double level = sorted[k];
            long count = 0;
            while (k < sorted.Length && sorted[k] - level <= tolerance) count += counts[k++];
            levels.Add((level, count));
        }
        return levels;
    }
}
