namespace Engine.Core;

/// <summary>
/// Groups subglobal-minimum losses into distinct levels, as the paper's Figure 3 histograms do: on small
/// datasets many regions share one minimum (the same linear fit reached through different patterns).
/// </summary>
public static class LossLevels
{
    /// <summary>
    /// Sorted distinct losses with their counts. Losses within <paramref name="tolerance"/> of the level's first
    /// member are one level: equal minima computed from differently ordered sums differ by a few ulps.
    /// </summary>
    public static IReadOnlyList<(double Loss, long Count)> Group(ReadOnlySpan<double> losses, double tolerance)
    {
        double[] sorted = losses.ToArray();
        Array.Sort(sorted);
        var levels = new List<(double, long)>();
        int k = 0;
        while (k < sorted.Length)
        {
            double level = sorted[k];
            int first = k;
            while (k < sorted.Length && sorted[k] - level <= tolerance) k++;
            levels.Add((level, k - first));
        }
        return levels;
    }
}
