namespace Engine.Core;

/// <summary>
/// Marks regions of an exhaustive (indexed) enumeration as nonempty and realizable: a region is nonempty when
/// each node's column is a cell of the arrangement (<see cref="ArrangementCells"/>), and realizable as decided by
/// <see cref="Realizability"/>. Host work per kept region, so it runs only where regions are kept.
/// </summary>
public static class RegionClassifier
{
    /// <summary>
    /// Classifies regions <paramref name="start"/> + r for r over <paramref name="losses"/> (with their
    /// <paramref name="ranks"/>) into <paramref name="feasible"/> and <paramref name="realizable"/>, and adds the
    /// realizable ones to <paramref name="realizableSummary"/>.
    /// </summary>
    public static void Classify(ArrangementCells cells, int hidden, long start, double[] losses, int[] ranks,
        bool[] feasible, bool[] realizable, LossSummary realizableSummary, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(ranks);
        ArgumentNullException.ThrowIfNull(feasible);
        ArgumentNullException.ThrowIfNull(realizable);
        ArgumentNullException.ThrowIfNull(realizableSummary);
        var shape = new RegionShape(cells.Data.Count, cells.Data.Inputs, hidden, cells.Bias);
        // N ≤ 62 here, so a column is one word.
        var cellSet = new HashSet<ulong>(cells.Columns.Select(c => c[0]));
        var gate = new object();
        Parallel.For(0, losses.Length, new ParallelOptions { CancellationToken = cancellation },
            () => (System: new ColumnSystem(cells.Data, shape), Summary: new LossSummary(realizableSummary.Bins.Length, realizableSummary.Upper), Columns: new ulong[hidden][]),
            (r, _, w) =>
            {
                long index = start + r;
                bool all = true;
                for (int j = 0; j < hidden; j++)
                {
                    ulong column = 0;
                    for (int i = 0; i < shape.Points; i++)
                    {
                        if (RegionPattern.Active(index, hidden, i, j)) column |= 1UL << i;
                    }
                    w.Columns[j] = [column];
                    all &= cellSet.Contains(column);
                }
                feasible[r] = all;
                if (all && Realizability.Decide(w.System, w.Columns, losses[r]) is not null)
                {
                    realizable[r] = true;
                    w.Summary.Add(index, new RegionLoss(losses[r], ranks[r]), shape.Parameters);
                }
                return w;
            },
            w =>
            {
                lock (gate) realizableSummary.Merge(w.Summary);
            });
    }
}
