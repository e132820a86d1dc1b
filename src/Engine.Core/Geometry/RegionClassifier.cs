using Engine.Core.Regions;

namespace Engine.Core.Geometry;

/// <summary>
/// Marks regions of an exhaustive (indexed) enumeration as nonempty and realizable: a region is nonempty when
/// each node's column is a cell of the arrangement (<see cref="ArrangementCells"/>), and realizable as decided by
/// <see cref="Realizability"/>. Host work per kept region, so it runs only where regions are kept.
/// </summary>
public static class RegionClassifier
{
    /// <summary>
    /// Classifies regions <paramref name="start"/> + r for r over <paramref name="losses"/> (with their
    /// <paramref name="ranks"/>) into <paramref name="feasible"/> and <paramref name="realizable"/>, adds the
    /// realizable ones to <paramref name="realizableSummary"/>, marks those whose realizability is undecided in
    /// <paramref name="undecided"/> (never as not realizable), counts the decisions in <paramref name="decisions"/>, and
    /// returns each realizable region's index with its verified network, in index order.
    /// </summary>
    public static IReadOnlyList<(long Index, NetworkWitness Witness)> Classify(ArrangementCells cells, int hidden, long start, double[] losses, int[] ranks,
        bool[] feasible, bool[] realizable, bool[] undecided, LossSummary realizableSummary, DecisionCounts decisions, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(undecided);
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(ranks);
        ArgumentNullException.ThrowIfNull(feasible);
        ArgumentNullException.ThrowIfNull(realizable);
        ArgumentNullException.ThrowIfNull(realizableSummary);
        ArgumentNullException.ThrowIfNull(decisions);
        var shape = new RegionShape(cells.Data.Count, cells.Data.Inputs, hidden, cells.Bias);
        // N ≤ 62 here, so a column is one word.
        var cellOf = new Dictionary<ulong, int>();
        for (int c = 0; c < cells.Count; c++) cellOf[cells.Columns[c][0]] = c;
        var gate = new object();
        var found = new List<(long, NetworkWitness)>();
        ColumnWorkspaces workspaces = cells.Workspaces(shape);
        Parallel.For(0, losses.Length, new ParallelOptions { CancellationToken = cancellation },
            () => new Worker(workspaces.Rent(), shape, realizableSummary),
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
                    all &= cellOf.TryGetValue(column, out w.Cells[j]);
                }
                feasible[r] = all;
                if (!all) return w;
                // Decided with the nodes sorted by cell, as every ordering of the same cells is: node-permuted regions get
                // the same answer. order[j] is the region's node that sorted node j stands for.
                int[] order = [.. Enumerable.Range(0, hidden).OrderBy(j => w.Cells[j])];
                ulong[][] sorted = [.. order.Select(j => w.Columns[j])];
                double[][] interior = [.. order.Select(j => cells.Witnesses[w.Cells[j]])];
                RealizedMinimum? minimum = Realizability.Decide(w.System, sorted, losses[r], interior, decisions, out bool unsure, j => cells.Facets(w.Cells[order[j]]));
                if (minimum is null && unsure)
                {
                    undecided[r] = true;
                    decisions.CountUndecided(1);
                }
                if (minimum is not null)
                {
                    realizable[r] = true;
                    // The witness's loss, exact where the exact fallback decided, is the row's.
                    losses[r] = minimum.Witness.Loss;
                    w.Summary.Add(index, new RegionLoss(losses[r], ranks[r]), shape.Parameters);
                    NetworkWitness witness = minimum.Witness.Reordered(order, cells.Data, w.Columns, Realizability.WitnessTolerance(cells.Normalized, shape))
                        ?? throw new InvalidOperationException($"region {index}'s witness fails in its own node order");
                    w.Witnesses.Add((index, witness));
                }
                return w;
            },
            w =>
            {
                workspaces.Return(w.System);
                lock (gate)
                {
                    realizableSummary.Merge(w.Summary);
                    found.AddRange(w.Witnesses);
                }
            });
        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }

    private sealed class Worker(ColumnSystem system, RegionShape shape, LossSummary like)
    {
        public ColumnSystem System { get; } = system;

        public LossSummary Summary { get; } = new(like.Bins.Length, like.Upper);

        public ulong[][] Columns { get; } = new ulong[shape.Hidden][];

        public int[] Cells { get; } = new int[shape.Hidden];

        public List<(long, NetworkWitness)> Witnesses { get; } = [];
    }
}
