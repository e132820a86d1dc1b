using Engine.Core.Geometry;
using Engine.Core.Regions;

namespace Engine;

/// <summary>One distinct subglobal-minimum value and the regions that reach it.</summary>
/// <param name="Loss">The level: the lowest loss of its group.</param>
/// <param name="Regions">Regions whose minimum lies on it (multisets count every ordering).</param>
/// <param name="Realizable">Those among them whose minimum is realizable (0 when realizability was not decided).</param>
public sealed record LossLevel(double Loss, long Regions, long Realizable);

/// <summary>What is known of a special region of every network: the linear one (all ones) or the dead one (all zeros).</summary>
/// <param name="Loss">Its subglobal minimum: linear regression for the linear region, Σy²/N for the dead one.</param>
/// <param name="Nonempty">Whether some weights put every point on that side of every node; null when the run did not find the cells.</param>
/// <param name="Realizable">Whether its minimum is realizable; null when the run did not decide it for that region.</param>
public sealed record SpecialRegion(double Loss, bool? Nonempty, bool? Realizable);

/// <summary>
/// The minima of one run as the paper reads them (§3, Figure 3): distinct loss levels, the global minimum, the lowest
/// realizable minimum, the poor realizable minima above it, and the linear and dead regions.
/// </summary>
/// <remarks>
/// Two losses closer than <see cref="Tolerance"/> are one level (<see cref="LossLevels"/>): a relative tolerance of
/// the dead region's loss, so grouping does not change when the targets are rescaled.
/// </remarks>
public sealed class MinimaAnalysis
{
    internal MinimaAnalysis(RegionRun run)
    {
        Tolerance = LossLevels.Tolerance(run.DeadRegionLoss);
        Levels = Group(run, Tolerance);
        Histogram all = run.Histogram;
        Global = all.Min;
        LowestRealizable = run.RealizableHistogram?.Min;
        GlobalRealizable = run.RealizableHistogram is null || Global is null ? null : LowestRealizable is { } low && low <= Global + Tolerance;
        double poorAbove = (LowestRealizable ?? double.PositiveInfinity) + Tolerance;
        PoorRealizable = Weight(run, r => run.Realizable?[r] == true && run.Losses![r] > poorAbove);
        PoorRealizableLevels = [.. Levels.Where(l => l.Realizable > 0 && l.Loss > poorAbove).Select(l => l.Loss)];
        AboveGlobal = Global is { } g ? Weight(run, r => run.Losses![r] > g + Tolerance) : 0;
        Linear = Special(run, active: true);
        Dead = Special(run, active: false);
    }

    /// <summary>Two losses this close are one level: <see cref="LossLevels.RelativeTolerance"/> times the dead region's loss.</summary>
    public double Tolerance { get; }

    /// <summary>Distinct minima in increasing order with their regions; empty unless the run kept its regions.</summary>
    public IReadOnlyList<LossLevel> Levels { get; }

    /// <summary>The lowest subglobal minimum: the global minimum over the regions run; null when none finished.</summary>
    public double? Global { get; }

    /// <summary>Whether the global minimum is realizable; null when realizability was not decided.</summary>
    public bool? GlobalRealizable { get; }

    /// <summary>The lowest realizable minimum; null when none is realizable or it was not decided.</summary>
    public double? LowestRealizable { get; }

    /// <summary>Kept regions whose realizable minimum lies above the lowest realizable one: poor local minima.</summary>
    public long PoorRealizable { get; }

    /// <summary>The distinct values of the poor realizable minima.</summary>
    public IReadOnlyList<double> PoorRealizableLevels { get; }

    /// <summary>Kept regions whose subglobal minimum lies above the global minimum.</summary>
    public long AboveGlobal { get; }

    /// <summary>The linear region, all ones: the network is a linear model there.</summary>
    public SpecialRegion Linear { get; }

    /// <summary>The dead region, all zeros: the network outputs c (or 0) there.</summary>
    public SpecialRegion Dead { get; }

    // Kept rows (each counting its multiplicity) that satisfy a condition. The run's arrays are read directly: a run
    // may keep 2^26 rows.
    private static long Weight(RegionRun run, Func<int, bool> selected)
    {
        long total = 0;
        for (int r = 0; r < (run.Losses?.Length ?? 0) && r < run.Done; r++)
        {
            if (selected(r)) total += run.Multiplicities?[r] ?? 1;
        }
        return total;
    }

    private static LossLevel[] Group(RegionRun run, double tolerance)
    {
        if (run.Losses is null || run.Done == 0) return [];
        int n = (int)run.Done;
        IReadOnlyList<(double Loss, long Count)> all = LossLevels.Group(run.Losses.AsSpan(0, n), tolerance, run.Multiplicities?[..n]);
        // Realizable regions are counted on the levels of all regions, so each realizable minimum sits on its level.
        long[] realizable = new long[all.Count];
        double[] levels = [.. all.Select(l => l.Loss)];
        for (int r = 0; r < n; r++)
        {
            if (run.Realizable?[r] == true) realizable[Level(levels, run.Losses[r], tolerance)] += run.Multiplicities?[r] ?? 1;
        }
        return [.. all.Select((l, k) => new LossLevel(l.Loss, l.Count, realizable[k]))];
    }

    // The level a loss belongs to: the last one at or below it within the tolerance (levels are sorted and grouped from below).
    private static int Level(double[] levels, double loss, double tolerance)
    {
        int k = Array.BinarySearch(levels, loss + tolerance);
        k = k >= 0 ? k : ~k - 1;
        return Math.Max(k, 0);
    }

    private static SpecialRegion Special(RegionRun run, bool active)
    {
        RegionShape shape = run.Shape;
        int words = ColumnFeasibility.Words(shape.Points);
        ulong[] column = new ulong[words];
        if (active)
        {
            for (int i = 0; i < shape.Points; i++) ColumnFeasibility.SetActive(column, i);
        }
        ulong[][] columns = [.. Enumerable.Repeat(column, shape.Hidden)];
        double loss = active ? new ColumnSystem(run.Request.Data, shape).Solve(columns).Loss : run.DeadRegionLoss;
        int cell = run.Cells is null ? -1 : Array.FindIndex(run.Cells.Columns.ToArray(), c => c.AsSpan().SequenceEqual(column));
        return new SpecialRegion(loss, run.Cells is null ? null : cell >= 0, Row(run, active, cell)?.Realizable);
    }

    // The special region's kept row: its index in an exhaustive run, the tuple of its one cell in a nonempty run.
    private static RegionRow? Row(RegionRun run, bool active, int cell)
    {
        if (run.KeptRows.Count == 0) return null;
        if (run.Request.Nonempty)
        {
            if (cell < 0) return null;
            for (int r = 0; r < run.KeptRows.Count; r++)
            {
                if (run.CellsOf(run.First + r)!.All(c => c == cell)) return run.KeptRows[r];
            }
            return null;
        }
        long row = (active ? run.Shape.Regions - 1 : 0) - run.First;
        return row >= 0 && row < run.KeptRows.Count ? run.KeptRows[(int)row] : null;
    }
}
