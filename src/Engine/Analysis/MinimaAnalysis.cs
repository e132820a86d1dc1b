using Engine.Core.Geometry;
using Engine.Core.Regions;

namespace Engine;

/// <summary>One distinct subglobal-minimum value and the regions that reach it.</summary>
/// <param name="Loss">The level: the lowest loss of its group.</param>
/// <param name="Regions">Regions whose minimum lies on it (multisets count every ordering).</param>
/// <param name="Realizable">Those among them whose minimum is realizable (0 when realizability was not decided).</param>
public readonly record struct LossLevel(double Loss, long Regions, long Realizable);

/// <summary>What is known of a special region of every network: the linear one (all ones) or the dead one (all zeros).</summary>
/// <param name="Loss">Its subglobal minimum: linear regression for the linear region, Σy²/N for the dead one.</param>
/// <param name="Nonempty">Whether some weights put every point on that side of every node; null when the run did not find the cells.</param>
/// <param name="Realizable">Whether its minimum is realizable; null when the run did not decide it for that region.</param>
public sealed record SpecialRegion(double Loss, bool? Nonempty, bool? Realizable);

/// <summary>What "poor" is measured against.</summary>
public enum PoorReference
{
    /// <summary>The certified global minimum inf L_f of the real network: a poor minimum lies above what some network attains.</summary>
    GlobalMinimum,

    /// <summary>The lowest realizable minimum, where inf L_f was not found: poor relative to the best differentiable minimum.</summary>
    LowestRealizable,
}

/// <summary>
/// The minima of one run as the paper reads them (§3, Figure 3): distinct loss levels, the lowest subglobal minimum, the
/// lowest realizable minimum, the global minimum of the real loss when the run found it, the poor realizable minima,
/// and the linear and dead regions.
/// </summary>
/// <remarks>
/// The lowest subglobal minimum is only a lower bound on L_f: its minimizer often lies outside its region, and the real
/// global minimum inf L_f often lies on a region boundary, below every differentiable minimum. "Global minimum" here
/// always means inf L_f (<see cref="RegionRun.Global"/>). Two losses closer than <see cref="Tolerance"/> are one level
/// (<see cref="LossLevels"/>): a relative tolerance of the dead region's loss, so grouping does not change when the
/// targets are rescaled.
/// </remarks>
public sealed class MinimaAnalysis
{
    internal MinimaAnalysis(RegionRun run)
    {
        Tolerance = LossLevels.Tolerance(run.DeadRegionLoss);
        Levels = Group(run, Tolerance);
        Histogram all = run.Histogram;
        LowestSubglobal = all.Min;
        LowestRealizable = run.RealizableHistogram?.Min;
        LowestSubglobalRealizable = run.RealizableHistogram is null || LowestSubglobal is null ? null : LowestRealizable is { } low && low <= LowestSubglobal + Tolerance;
        GlobalMinimum = run.Global?.Value;
        Reference = GlobalMinimum is null ? PoorReference.LowestRealizable : PoorReference.GlobalMinimum;
        double poorAbove = (GlobalMinimum ?? LowestRealizable ?? double.PositiveInfinity) + Tolerance;
        PoorRealizable = Weight(run, r => run.Realizable?[r] == true && run.Losses![r] > poorAbove);
        PoorRealizableLevels = [.. Levels.Where(l => l.Realizable > 0 && l.Loss > poorAbove).Select(l => l.Loss)];
        AboveLowestSubglobal = LowestSubglobal is { } g && run.Losses is not null ? Weight(run, r => run.Losses[r] > g + Tolerance) : null;
        AboveGlobalMinimum = GlobalMinimum is { } global && run.Losses is not null ? Weight(run, r => run.Losses[r] > global + Tolerance) : null;
        Linear = Special(run, active: true);
        Dead = Special(run, active: false);
    }

    /// <summary>Two losses this close are one level: <see cref="LossLevels.RelativeTolerance"/> times the dead region's loss.</summary>
    public double Tolerance { get; }

    /// <summary>Distinct minima in increasing order with their regions; empty unless the run kept its regions.</summary>
    public IReadOnlyList<LossLevel> Levels { get; }

    /// <summary>
    /// The lowest subglobal minimum over the regions run: a lower bound on L_f, not the global minimum (it is reached by
    /// a network only when realizable, or on a boundary); null when none finished.
    /// </summary>
    public double? LowestSubglobal { get; }

    /// <summary>Whether the lowest subglobal minimum is realizable; null when realizability was not decided.</summary>
    public bool? LowestSubglobalRealizable { get; }

    /// <summary>The lowest realizable minimum; null when none is realizable or it was not decided.</summary>
    public double? LowestRealizable { get; }

    /// <summary>The certified global minimum inf L_f of the real network; null when the run did not find it.</summary>
    public double? GlobalMinimum { get; }

    /// <summary>What <see cref="PoorRealizable"/> is measured against: inf L_f when known, else the lowest realizable minimum.</summary>
    public PoorReference Reference { get; }

    /// <summary>Kept regions whose realizable minimum lies above the <see cref="Reference"/>: poor local minima.</summary>
    public long PoorRealizable { get; }

    /// <summary>The distinct values of the poor realizable minima.</summary>
    public IReadOnlyList<double> PoorRealizableLevels { get; }

    /// <summary>Kept regions whose subglobal minimum lies above the lowest subglobal minimum; null unless the run kept its regions.</summary>
    public long? AboveLowestSubglobal { get; }

    /// <summary>Kept regions whose subglobal minimum lies above inf L_f (poor regions); null unless inf L_f is known and the run kept its regions.</summary>
    public long? AboveGlobalMinimum { get; }

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

    private static IReadOnlyList<LossLevel> Group(RegionRun run, double tolerance)
    {
        if (run.Losses is null || run.Done == 0) return [];
        int n = (int)run.Done;
        (double[] levels, long[] regions) = LossLevels.Group(run.Losses.AsSpan(0, n), tolerance, run.Multiplicities.AsSpan(0, run.Multiplicities is null ? 0 : n));
        // Realizable regions are counted on the levels of all regions, so each realizable minimum sits on its level.
        long[] realizable = new long[levels.Length];
        for (int r = 0; r < n; r++)
        {
            if (run.Realizable?[r] == true) realizable[Level(levels, run.Losses[r], tolerance)] += run.Multiplicities?[r] ?? 1;
        }
        return new LevelList(levels, regions, realizable);
    }

    // Levels as three arrays, each made a LossLevel when read: a run may have as many levels as regions.
    private sealed class LevelList(double[] losses, long[] regions, long[] realizable) : IReadOnlyList<LossLevel>
    {
        public int Count => losses.Length;

        public LossLevel this[int index] => new(losses[index], regions[index], realizable[index]);

        public IEnumerator<LossLevel> GetEnumerator()
        {
            for (int k = 0; k < losses.Length; k++) yield return this[k];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
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
