using Engine.Core.Regions;

namespace Engine;

/// <summary>The §3.2 check between two widths: every realizable minimum value with h nodes is again one with h + 1.</summary>
/// <param name="Hidden">h.</param>
/// <param name="Missing">The realizable minimum values of h that h + 1 does not realize; empty when the check holds.</param>
public sealed record NestingCheck(int Hidden, IReadOnlyList<double> Missing)
{
    /// <summary>Whether every realizable value of h is realizable with h + 1 nodes.</summary>
    public bool Holds => Missing.Count == 0;
}

/// <summary>
/// Runs of one dataset at growing widths h read together, as Figure 3 does: the loss levels of all of them, each
/// width's regions and realizable regions per level, and the §3.2 check that widening keeps every realizable minimum.
/// </summary>
public sealed class WidthSweep
{
    /// <summary>Reads <paramref name="runs"/>: kept, realizability decided, one dataset, consecutive widths from the first.</summary>
    public WidthSweep(IReadOnlyList<RegionRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("a sweep needs at least one run", nameof(runs));
        for (int k = 0; k < runs.Count; k++)
        {
            RegionRun run = runs[k];
            if (run.Realizable is null) throw new ArgumentException($"run {k} kept no realizability: set KeepRegions and Realizability", nameof(runs));
            if (run.Request.Data.Fingerprint != runs[0].Request.Data.Fingerprint) throw new ArgumentException($"run {k} is on another dataset", nameof(runs));
            if (run.Shape.Hidden != runs[0].Shape.Hidden + k) throw new ArgumentException($"run {k} has h = {run.Shape.Hidden}, expected {runs[0].Shape.Hidden + k}", nameof(runs));
        }
        Runs = runs;
        Tolerance = LossLevels.Tolerance(runs[0].DeadRegionLoss);
        double[] all = [.. runs.SelectMany(r => r.Minima.Levels.Select(l => l.Loss))];
        double[] levels = LossLevels.Group(all, Tolerance).Losses;
        Levels = levels;
        var regions = new long[runs.Count][];
        var realizable = new long[runs.Count][];
        for (int h = 0; h < runs.Count; h++)
        {
            regions[h] = new long[levels.Length];
            realizable[h] = new long[levels.Length];
            foreach (LossLevel level in runs[h].Minima.Levels)
            {
                int k = Nearest(levels, level.Loss);
                regions[h][k] += level.Regions;
                realizable[h][k] += level.Realizable;
            }
        }
        Regions = regions;
        Realizable = realizable;
        Nesting = [.. Enumerable.Range(0, runs.Count - 1).Select(h => new NestingCheck(runs[h].Shape.Hidden,
            [.. RealizableValues(runs[h]).Where(l => !RealizableValues(runs[h + 1]).Any(m => Math.Abs(m - l) <= Tolerance))]))];
    }

    /// <summary>The runs, in order of width.</summary>
    public IReadOnlyList<RegionRun> Runs { get; }

    /// <summary>Two losses this close are one level.</summary>
    public double Tolerance { get; }

    /// <summary>Every distinct minimum value reached at any width, increasing.</summary>
    public IReadOnlyList<double> Levels { get; }

    /// <summary>Regions of run k on level l: <c>Regions[k][l]</c>.</summary>
    public IReadOnlyList<IReadOnlyList<long>> Regions { get; }

    /// <summary>Regions of run k whose minimum on level l is realizable.</summary>
    public IReadOnlyList<IReadOnlyList<long>> Realizable { get; }

    /// <summary>The §3.2 check from each width to the next.</summary>
    public IReadOnlyList<NestingCheck> Nesting { get; }

    private static IEnumerable<double> RealizableValues(RegionRun run) => run.Minima.Levels.Where(l => l.Realizable > 0).Select(l => l.Loss);

    private static int Nearest(double[] levels, double loss)
    {
        int best = 0;
        for (int k = 1; k < levels.Length; k++)
        {
            if (Math.Abs(levels[k] - loss) < Math.Abs(levels[best] - loss)) best = k;
        }
        return best;
    }
}
