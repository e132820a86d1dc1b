using Engine.Core.Geometry;
using Engine.Core.Regions;

namespace Engine.Core.Closure;

/// <summary>Where a search stands: the phase (bounds, closures, realizable), work done and the work it expects.</summary>
internal readonly record struct SearchProgress(string Phase, long Done, long Total);

/// <summary>
/// The region and signs whose closure attains a minimum: the region's cell per node (non-decreasing), the row of the
/// unordered enumeration, and the sign of each v_j.
/// </summary>
internal sealed record ClosedRegion(long Row, int[] Cells, int[] Signs);

/// <summary>The certified global minimum of L_f and what proves it (<see cref="GlobalSearch"/>).</summary>
internal sealed record GlobalSearchResult
{
    /// <summary>inf L_f over every network with h nodes, attained by <see cref="Witness"/>.</summary>
    public required double GlobalMinimum { get; init; }

    /// <summary>A verified network attaining it.</summary>
    public required ClosedNetwork Witness { get; init; }

    /// <summary>The region and signs it was found in.</summary>
    public required ClosedRegion Region { get; init; }

    /// <summary>How the winning sign choice was proven.</summary>
    public required ClosureProof Proof { get; init; }

    /// <summary>
    /// Proven lower bound on L_f: the least of the pruned regions' subglobal minima and the solved sign choices' proven
    /// values (an unproven one counts with its region's subglobal minimum).
    /// </summary>
    public required double LowerBound { get; init; }

    /// <summary>Whether <see cref="LowerBound"/> is within the level tolerance of <see cref="GlobalMinimum"/>.</summary>
    public required bool Certified { get; init; }

    /// <summary>The level tolerance: 1e-9 of the dead region's loss.</summary>
    public required double Tolerance { get; init; }

    /// <summary>The lowest subglobal minimum over nonempty regions: a lower bound on L_f, rarely attained.</summary>
    public required double LowestSubglobal { get; init; }

    /// <summary>The lowest realizable (differentiable) minimum; null when no region's minimum is realizable.</summary>
    public required double? LowestRealizable { get; init; }

    /// <summary>The network of the lowest realizable minimum.</summary>
    public required NetworkWitness? RealizableWitness { get; init; }

    /// <summary>The region of the lowest realizable minimum.</summary>
    public required ClosedRegion? RealizableRegion { get; init; }

    /// <summary>No realizable minimum reaches the global minimum: it lies only on region boundaries.</summary>
    public bool AttainedAtBoundary => LowestRealizable is not { } low || low > GlobalMinimum + Tolerance;

    /// <summary>Unordered nonempty regions whose subglobal minimum was computed: all of them.</summary>
    public required long RegionsBounded { get; init; }

    /// <summary>The ordered regions they stand for (C^h).</summary>
    public required long OrderedRegions { get; init; }

    /// <summary>Regions whose sign choices were solved; the others were pruned by their subglobal minimum.</summary>
    public required long RegionsSolved { get; init; }

    /// <summary>Sign choices solved (closure programs).</summary>
    public required long Programs { get; init; }

    /// <summary>Of them, proven in double precision.</summary>
    public required long DoubleProofs { get; init; }

    /// <summary>Of them, proven in rational arithmetic.</summary>
    public required long ExactProofs { get; init; }

    /// <summary>Of them, unproven (exact budget exceeded).</summary>
    public required long Undecided { get; init; }

    /// <summary>Solutions whose network failed its check on the data.</summary>
    public required long FailedWitnesses { get; init; }

    /// <summary>Cells whose rays were found exactly.</summary>
    public required long ExactCells { get; init; }

    /// <summary>Regions whose realizability was decided to find the lowest realizable minimum.</summary>
    public required long RealizabilityDecisions { get; init; }

    /// <summary>How the realizability programs were decided.</summary>
    public required DecisionCounts Decisions { get; init; }
}

/// <summary>
/// inf L_f for a network with h hidden nodes, certified: the least minimum of L_f over the closures of the nonempty
/// regions (<see cref="ClosedRegions"/>), found by branch and bound over unordered regions in increasing order of their
/// subglobal minimum, which bounds every sign choice of the region from below.
/// </summary>
/// <remarks>
/// <para>Bounds: every unordered nonempty region's subglobal minimum (the nonempty enumeration, <see cref="NonemptyRegions"/>).
/// Closures: regions in increasing order of bound, in batches solved side by side; a region is pruned when its bound is at
/// least the best verified network's loss less the level tolerance, and once one is, all later ones are. Each batch prunes
/// against the best value at its start and merges in order, so the result does not depend on the thread count. The first
/// region is always solved, so the answer always comes with a network. Realizable: the regions again in increasing order,
/// until the first whose minimum is realizable (<see cref="Realizability"/>): the lowest differentiable local minimum.</para>
/// </remarks>
internal static class GlobalSearch
{
    /// <summary>Most unordered regions a search holds bounds for (12 bytes each).</summary>
    public const long MaxRows = 1L << 25;

    /// <summary>Rows per unit of the bounds phase: the grain of progress, cancellation, run directories and parts.</summary>
    public const long BoundChunk = 1L << 15;

    private const int ClosureBatch = 256;
    private const int RealizableBatch = 64;

    /// <summary>Runs the whole search on <paramref name="cells"/> for <paramref name="hidden"/> nodes, in memory.</summary>
    public static GlobalSearchResult Run(ArrangementCells cells, int hidden, int threads = 0, IProgress<SearchProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(cells);
        long rows = Rows(cells, hidden);
        double[] bounds = new double[rows];
        for (long from = 0; from < rows; from += BoundChunk)
        {
            long count = Math.Min(BoundChunk, rows - from);
            Bounds(cells, hidden, from, count, threads, cancellation).CopyTo(bounds, from);
            progress?.Report(new SearchProgress("bounds", from + count, rows));
        }
        return Search(cells, hidden, null, bounds, threads, progress, cancellation);
    }

    /// <summary>Unordered nonempty regions of <paramref name="cells"/> with <paramref name="hidden"/> nodes, checked against <see cref="MaxRows"/>.</summary>
    public static long Rows(ArrangementCells cells, int hidden)
    {
        ArgumentNullException.ThrowIfNull(cells);
        long rows = NonemptyRegions.RowsFor(cells.Count, hidden, unordered: true);
        if (rows > MaxRows)
            throw new EngineInputException($"{rows:N0} unordered nonempty regions exceed the {MaxRows:N0} a global search holds; use fewer points or hidden nodes");
        return rows;
    }

    /// <summary>The subglobal minima of the unordered rows [<paramref name="from"/>, +<paramref name="count"/>), in the data's units.</summary>
    public static double[] Bounds(ArrangementCells cells, int hidden, long from, long count, int threads = 0, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        NonemptyRegions part = NonemptyRegions.Enumerate(cells, hidden,
            new NonemptyOptions { Unordered = true, Keep = true, FirstRow = from, RowCount = count, Bins = 1, Threads = threads }, cancellation);
        return part.Losses!;
    }

    /// <summary>
    /// The search over some of the unordered rows: <paramref name="rows"/> (null for all, 0..n−1) with their
    /// <paramref name="bounds"/>. A part of the rows gives a part's answer, and parts merge (<see cref="Merge"/>) to the
    /// answer over all of them.
    /// </summary>
    public static GlobalSearchResult Search(ArrangementCells cells, int hidden, long[]? rows, double[] bounds, int threads = 0, IProgress<SearchProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(bounds);
        NonemptyRegions layout = NonemptyRegions.Layout(cells, hidden, unordered: true);
        int n = bounds.Length;
        long Row(int k) => rows is null ? k : rows[k];
        var parallel = new ParallelOptions { CancellationToken = cancellation, MaxDegreeOfParallelism = threads > 0 ? threads : -1 };
        int[] order = Order(bounds);
        double tolerance = LossLevels.Tolerance(cells.Normalized.DeadRegionLoss);

        var closures = new ClosedRegions(new CellRays(cells), hidden);
        var workspaces = new ThreadLocal<ClosedRegions.Workspace>(() => new ClosedRegions.Workspace());
        ClosedMinimum? best = null;
        ClosedRegion? bestRegion = null;
        double lower = double.PositiveInfinity;
        long solvedRegions = 0, programs = 0;
        int position = 0;
        var found = new (ClosedMinimum? Best, ClosedRegion? Region, double Lower, int Programs)[ClosureBatch];
        // Batches grow from one region: the first few set the best value that prunes the rest.
        for (int size = 1; position < n; size = Math.Min(2 * size, ClosureBatch))
        {
            double upper = best?.Loss ?? double.PositiveInfinity;
            if (bounds[order[position]] >= upper - tolerance) break;
            int batch = Math.Min(size, n - position);
            int start = position;
            Parallel.For(0, batch, parallel, b =>
            {
                int k = order[start + b];
                found[b] = bounds[k] >= upper - tolerance ? default : SolveRegion(closures, layout.Tuple(Row(k)), Row(k), bounds[k], workspaces.Value!);
            });
            for (int b = 0; b < batch; b++)
            {
                (ClosedMinimum? minimum, ClosedRegion? region, double proven, int count) = found[b];
                if (count == 0)
                {
                    lower = Math.Min(lower, bounds[order[start + b]]);
                    continue;
                }
                solvedRegions++;
                programs += count;
                lower = Math.Min(lower, proven);
                if (minimum is not null && (best is null || minimum.Loss < best.Loss))
                {
                    best = minimum;
                    bestRegion = region;
                }
            }
            position += batch;
            double now = best?.Loss ?? double.PositiveInfinity;
            progress?.Report(new SearchProgress("closures", position, Math.Max(position, Below(bounds, order, now - tolerance))));
        }
        if (position < n) lower = Math.Min(lower, bounds[order[position]]);
        if (best is null || bestRegion is null)
            throw new InvalidOperationException("no sign choice of the lowest region gave a verified network");

        (double? lowestRealizable, NetworkWitness? realizable, ClosedRegion? realizableRegion, long decisions, DecisionCounts counts) =
            LowestRealizable(cells, layout, hidden, Row, bounds, order, parallel, progress);
        long ordered = rows is null ? layout.Regions : rows.Sum(layout.Multiplicity);
        return new GlobalSearchResult
        {
            GlobalMinimum = best.Loss,
            Witness = best.Network!,
            Region = bestRegion,
            Proof = best.Proof,
            LowerBound = Math.Min(lower, best.Loss),
            Certified = lower >= best.Loss - tolerance,
            Tolerance = tolerance,
            LowestSubglobal = bounds[order[0]],
            LowestRealizable = lowestRealizable,
            RealizableWitness = realizable,
            RealizableRegion = realizableRegion,
            RegionsBounded = n,
            OrderedRegions = ordered,
            RegionsSolved = solvedRegions,
            Programs = programs,
            DoubleProofs = closures.DoubleProofs,
            ExactProofs = closures.ExactProofs,
            Undecided = closures.Undecided,
            FailedWitnesses = closures.FailedWitnesses,
            ExactCells = closures.Rays.ExactCells,
            RealizabilityDecisions = decisions,
            Decisions = counts,
        };
    }

    /// <summary>
    /// The answer over the union of disjoint parts' rows: the least verified value and its network, the least lower bound,
    /// the least lowest realizable minimum, the counts summed. Ties go to the earlier part, so the merge is deterministic.
    /// </summary>
    public static GlobalSearchResult Merge(IReadOnlyList<GlobalSearchResult> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("nothing to merge", nameof(parts));
        GlobalSearchResult best = parts.Aggregate((a, b) => b.GlobalMinimum < a.GlobalMinimum ? b : a);
        GlobalSearchResult? realizable = parts.Where(p => p.LowestRealizable is not null).Aggregate((GlobalSearchResult?)null,
            (a, b) => a is null || b.LowestRealizable < a.LowestRealizable ? b : a);
        double lower = parts.Min(p => p.LowerBound);
        var decisions = new DecisionCounts();
        foreach (GlobalSearchResult p in parts) decisions.Merge(p.Decisions);
        return best with
        {
            LowerBound = Math.Min(lower, best.GlobalMinimum),
            Certified = lower >= best.GlobalMinimum - best.Tolerance,
            LowestSubglobal = parts.Min(p => p.LowestSubglobal),
            LowestRealizable = realizable?.LowestRealizable,
            RealizableWitness = realizable?.RealizableWitness,
            RealizableRegion = realizable?.RealizableRegion,
            RegionsBounded = parts.Sum(p => p.RegionsBounded),
            OrderedRegions = parts.Sum(p => p.OrderedRegions),
            RegionsSolved = parts.Sum(p => p.RegionsSolved),
            Programs = parts.Sum(p => p.Programs),
            DoubleProofs = parts.Sum(p => p.DoubleProofs),
            ExactProofs = parts.Sum(p => p.ExactProofs),
            Undecided = parts.Sum(p => p.Undecided),
            FailedWitnesses = parts.Sum(p => p.FailedWitnesses),
            ExactCells = parts.Max(p => p.ExactCells),
            RealizabilityDecisions = parts.Sum(p => p.RealizabilityDecisions),
            Decisions = decisions,
        };
    }

    /// <summary>
    /// The minimum of L_f over one region's closure, all sign choices together (the <c>--closure</c> column), in the
    /// data's units, and the proof of the weakest sign choice.
    /// </summary>
    public static (double Loss, ClosureProof Proof) Closure(ClosedRegions closures, ReadOnlySpan<int> cells, ClosedRegions.Workspace workspace)
    {
        ArgumentNullException.ThrowIfNull(closures);
        int[] sorted = cells.ToArray();
        Array.Sort(sorted);
        double loss = double.PositiveInfinity;
        ClosureProof proof = ClosureProof.Double;
        foreach (int[] signs in ClosedRegions.Signs(sorted))
        {
            ClosedMinimum m = closures.Solve(sorted, signs, workspace);
            loss = Math.Min(loss, m.Loss);
            if (m.Proof > proof) proof = m.Proof;
        }
        return (loss, proof);
    }

    /// <summary>
    /// Seconds per row of the bounds phase, measured on a sample of up to one chunk of rows spread over the enumeration
    /// (after a warm-up chunk, so that the JIT's first tier is not what is timed).
    /// </summary>
    public static double BoundSeconds(ArrangementCells cells, int hidden, long rows)
    {
        ArgumentNullException.ThrowIfNull(cells);
        long sample = Math.Min(rows, 4096);
        if (sample == 0) return 0.0;
        var options = new NonemptyOptions { Unordered = true, Keep = true, FirstRow = 0, RowCount = Math.Min(sample, 512), Bins = 1 };
        NonemptyRegions.Enumerate(cells, hidden, options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long first = (rows - sample) / 2;
        NonemptyRegions.Enumerate(cells, hidden, options with { FirstRow = first, RowCount = sample });
        return clock.Elapsed.TotalSeconds / sample;
    }

    // Every sign choice of one region: the best verified one, the least proven value (an unproven choice proves only the
    // region's bound), and how many were solved.
    private static (ClosedMinimum?, ClosedRegion?, double, int) SolveRegion(ClosedRegions closures, int[] cells, long row, double bound, ClosedRegions.Workspace workspace)
    {
        ClosedMinimum? best = null;
        int[]? bestSigns = null;
        double proven = double.PositiveInfinity;
        int count = 0;
        foreach (int[] signs in ClosedRegions.Signs(cells))
        {
            ClosedMinimum m = closures.Solve(cells, signs, workspace);
            count++;
            proven = Math.Min(proven, m.Proof == ClosureProof.Undecided ? bound : m.Loss);
            if (m.Network is not null && (best is null || m.Loss < best.Loss))
            {
                best = m;
                bestSigns = signs;
            }
        }
        return (best, best is null ? null : new ClosedRegion(row, cells, bestSigns!), proven, count);
    }

    // Rows in increasing order of bound, ties by row, so that the search is the same on every machine.
    private static int[] Order(double[] bounds)
    {
        int[] order = new int[bounds.Length];
        for (int r = 0; r < order.Length; r++) order[r] = r;
        Array.Sort(order, (a, b) => bounds[a] != bounds[b] ? bounds[a].CompareTo(bounds[b]) : a.CompareTo(b));
        return order;
    }

    // Rows whose bound is below a value: the work a search with that best value has left in all.
    private static long Below(double[] bounds, int[] order, double value)
    {
        int lo = 0, hi = order.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (bounds[order[mid]] < value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    // The first region in increasing order of bound whose minimum is realizable, decided in batches side by side.
    private static (double?, NetworkWitness?, ClosedRegion?, long, DecisionCounts) LowestRealizable(ArrangementCells cells, NonemptyRegions layout, int hidden,
        Func<int, long> rowOf, double[] bounds, int[] order, ParallelOptions parallel, IProgress<SearchProgress>? progress)
    {
        var counts = new DecisionCounts();
        RegionShape shape = RegionShape.ForColumns(cells.Data.Count, cells.Data.Inputs, hidden, cells.Bias);
        ColumnWorkspaces systems = cells.Workspaces(shape);
        var found = new RealizedMinimum?[RealizableBatch];
        long decided = 0;
        // Batches grow from one region, as the closures' do: the lowest regions are often realizable.
        for (int position = 0, size = 1; position < order.Length; position += size, size = Math.Min(2 * size, RealizableBatch))
        {
            int batch = Math.Min(size, order.Length - position);
            int start = position;
            Parallel.For(0, batch, parallel, b =>
            {
                int[] tuple = layout.Tuple(rowOf(order[start + b]));
                ColumnSystem system = systems.Rent();
                try
                {
                    ulong[][] columns = [.. tuple.Select(c => cells.Columns[c])];
                    double[][] witnesses = [.. tuple.Select(c => cells.Witnesses[c])];
                    found[b] = Realizability.Decide(system, columns, bounds[order[start + b]], witnesses, counts, out _, j => cells.Facets(tuple[j]));
                }
                finally
                {
                    systems.Return(system);
                }
            });
            decided += batch;
            progress?.Report(new SearchProgress("realizable", position + batch, order.Length));
            for (int b = 0; b < batch; b++)
            {
                if (found[b] is not { } minimum) continue;
                int k = order[start + b];
                return (minimum.Witness.Loss, minimum.Witness, new ClosedRegion(rowOf(k), layout.Tuple(rowOf(k)), minimum.Signs), decided, counts);
            }
        }
        return (null, null, null, decided, counts);
    }
}
