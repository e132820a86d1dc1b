using System.Runtime.CompilerServices;
using Engine.Core.Regions;

namespace Engine.Core.Geometry;

/// <summary>What a nonempty-region enumeration computes and keeps.</summary>
public sealed record NonemptyOptions
{
    /// <summary>
    /// Enumerate multisets of node columns instead of ordered tuples. Hidden nodes are interchangeable, so a
    /// multiset with column multiplicities m_k stands for h!/Π m_k! ordered regions of the same loss and
    /// realizability; summaries weight it accordingly and equal the ordered ones, for about 1/h! of the work.
    /// </summary>
    public bool Unordered { get; init; }

    /// <summary>Keep every enumerated region's columns, loss, rank and flags.</summary>
    public bool Keep { get; init; }

    /// <summary>Decide each region's realizability (<see cref="Realizability"/>), which costs up to 3^h margin programs.</summary>
    public bool Realizability { get; init; }

    /// <summary>Histogram bins over [0, dead-region loss].</summary>
    public int Bins { get; init; } = 20;

    /// <summary>With realizability: keep the verified network witness of every realizable row (<see cref="NonemptyRegions.Witnesses"/>).</summary>
    public bool Witnesses { get; init; }

    /// <summary>First row to enumerate: a run split into units or shards enumerates contiguous row ranges.</summary>
    public long FirstRow { get; init; }

    /// <summary>Rows to enumerate from <see cref="FirstRow"/>; null for every row from there on.</summary>
    public long? RowCount { get; init; }

    /// <summary>Threads the enumeration runs on; 0 for every core. A runner that runs units side by side gives each one.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Solve groups of rows by the SIMD lane path (<see cref="ColumnSystem.SolveLanes"/>) where the machine and shape
    /// allow; false keeps every row on the scalar path. The results are the same bits either way.
    /// </summary>
    public bool Lanes { get; init; } = true;
}

/// <summary>
/// The nonempty activation regions of a network with h nodes: every h-tuple (or multiset) of cells of the
/// per-node arrangement (<see cref="ArrangementCells"/>), each solved through its Eq. 7 system built from the
/// columns (<see cref="ColumnSystem"/>). Rows are numbered lexicographically in the cell indices of nodes
/// 1..h (non-decreasing tuples when unordered); summaries use the row number as the region's index.
/// </summary>
public sealed class NonemptyRegions
{
    private NonemptyRegions(ArrangementCells cells, int hidden, NonemptyOptions options)
    {
        Cells = cells;
        Options = options;
        Shape = RegionShape.ForColumns(cells.Data.Count, cells.Data.Inputs, hidden, cells.Bias);
        int c = cells.Count;
        Rows = RowsFor(c, hidden, options.Unordered);
        Regions = checked(Power(c, hidden));
        DeadRegionLoss = cells.Normalized.DeadRegionLoss;
        Summary = new LossSummary(options.Bins, DeadRegionLoss);
        if (options.Realizability) RealizableSummary = new LossSummary(options.Bins, DeadRegionLoss);
    }

    /// <summary>The per-node cells the regions combine.</summary>
    public ArrangementCells Cells { get; }

    /// <summary>What was asked.</summary>
    public NonemptyOptions Options { get; }

    /// <summary>Sizes of the network (N·h may exceed 62 bits).</summary>
    public RegionShape Shape { get; }

    /// <summary>Rows of the whole enumeration: C^h ordered tuples, or C(C+h−1, h) multisets.</summary>
    public long Rows { get; }

    /// <summary>First row enumerated here (<see cref="NonemptyOptions.FirstRow"/>).</summary>
    public long FirstRow { get; private set; }

    /// <summary>Rows enumerated here, from <see cref="FirstRow"/>; kept arrays are indexed from it.</summary>
    public long Count { get; private set; }

    /// <summary>Nonempty regions C^h, whatever the enumeration order.</summary>
    public long Regions { get; }

    /// <summary>Loss of the all-zeros region, the histograms' upper edge.</summary>
    public double DeadRegionLoss { get; }

    /// <summary>Histogram and extremes of every nonempty region's subglobal minimum (weighted by multiplicity).</summary>
    public LossSummary Summary { get; }

    /// <summary>The same over regions whose minimum is realizable; null unless realizability was asked for.</summary>
    public LossSummary? RealizableSummary { get; }

    /// <summary>Kept: each row's subglobal-minimum loss, from <see cref="FirstRow"/>.</summary>
    public double[]? Losses { get; private set; }

    /// <summary>Kept: each row's Eq. 7 rank.</summary>
    public int[]? Ranks { get; private set; }

    /// <summary>Kept: each row's ordered regions (1 unless unordered).</summary>
    public long[]? Multiplicities { get; private set; }

    /// <summary>Kept with realizability: whether each row's minimum is realizable (false also when undecided).</summary>
    public bool[]? Realizable { get; private set; }

    /// <summary>Kept with realizability: whether each row's realizability is undecided (neither witness nor certificate).</summary>
    public bool[]? Undecided { get; private set; }

    /// <summary>Kept when N·h ≤ 62: each row's standard index Σ a_ij·2^(i·h+j), as exhaustive enumeration numbers it.</summary>
    public long[]? Indices { get; private set; }

    /// <summary>
    /// With <see cref="NonemptyOptions.Witnesses"/>: each realizable row with its verified network, in row order. The
    /// network's node j has the row's j-th column (the multiset's representative order when unordered).
    /// </summary>
    public IReadOnlyList<(long Row, NetworkWitness Witness)>? Witnesses { get; private set; }

    /// <summary>How the realizability programs were decided (simplex with checks, GLOP fallbacks, unchecked).</summary>
    public DecisionCounts Decisions { get; } = new();

    /// <summary>Enumerates the nonempty regions of a network with <paramref name="hidden"/> nodes over <paramref name="cells"/>.</summary>
    public static NonemptyRegions Enumerate(ArrangementCells cells, int hidden, NonemptyOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(options);
        var result = new NonemptyRegions(cells, hidden, options);
        result.Run(cancellation);
        return result;
    }

    /// <summary>
    /// The rows of an enumeration over <paramref name="cells"/> without enumerating any: for numbering, unranking and
    /// columns (<see cref="Tuple"/>, <see cref="Columns"/>) of rows computed elsewhere.
    /// </summary>
    public static NonemptyRegions Layout(ArrangementCells cells, int hidden, bool unordered)
    {
        ArgumentNullException.ThrowIfNull(cells);
        return new NonemptyRegions(cells, hidden, new NonemptyOptions { Unordered = unordered });
    }

    /// <summary>
    /// Rows an enumeration of <paramref name="cells"/> cells per node and <paramref name="hidden"/> nodes visits:
    /// C^h ordered, C(C+h−1, h) unordered. Throws <see cref="OverflowException"/> beyond a long.
    /// </summary>
    public static long RowsFor(int cells, int hidden, bool unordered) => unordered ? MultiChoose(cells, hidden) : Power(cells, hidden);

    /// <summary>Most rows a kept enumeration may hold.</summary>
    public const long MaxKeptRows = 1L << 24;

    /// <summary>Row <paramref name="row"/>'s cell index per node.</summary>
    public int[] Tuple(long row)
    {
        int h = Shape.Hidden;
        int[] tuple = new int[h];
        int lo = 0;
        for (int j = 0; j < h; j++)
        {
            // The largest cell a whose rows before it (node j below a) do not pass row, by bisection: every chunk of
            // every unit starts here, and a scan over thousands of cells cost a few percent of a run.
            int k = h - 1 - j;
            int a = lo, b = Cells.Count - 1;
            while (a < b)
            {
                int mid = a + (b - a + 1) / 2;
                if (RowsBelow(lo, mid, k) <= row) a = mid;
                else b = mid - 1;
            }
            row -= RowsBelow(lo, a, k);
            tuple[j] = a;
            if (Options.Unordered) lo = a;
        }
        return tuple;
    }

    /// <summary>Ordered regions row <paramref name="row"/> stands for: h!/Π m_k! when unordered, else 1.</summary>
    public long Multiplicity(long row) => Options.Unordered ? Factorial(Shape.Hidden) / Repeats(Tuple(row)) : 1;

    /// <summary>The columns of row <paramref name="row"/>, one per node.</summary>
    public ulong[][] Columns(long row) => Tuple(row).Select(a => Cells.Columns[a]).ToArray();

    /// <summary>Standard index Σ a_ij·2^(i·h+j) of the region with these columns; needs N·h ≤ 62.</summary>
    public static long Index(IReadOnlyList<ulong[]> columns, int points)
    {
        ArgumentNullException.ThrowIfNull(columns);
        int h = columns.Count;
        long index = 0;
        for (int i = 0; i < points; i++)
        {
            for (int j = 0; j < h; j++)
            {
                if (ColumnFeasibility.Active(columns[j], i)) index |= 1L << (i * h + j);
            }
        }
        return index;
    }

    // Rows whose node has a cell in [lo, a) and whose k later nodes take any cells they may (cells from the node's own
    // on, for multisets): (a − lo)·C^k ordered, and Σ_{b=lo}^{a−1} C(C − b + k − 1, k) = C(C − lo + k, k + 1) −
    // C(C − a + k, k + 1) for multisets by the hockey-stick identity. Neither term exceeds the run's row count.
    private long RowsBelow(int lo, int a, int k) => Options.Unordered
        ? MultiChoose(Cells.Count - lo, k + 1) - MultiChoose(Cells.Count - a, k + 1)
        : (a - lo) * Power(Cells.Count, k);

    private static long Power(long c, int k)
    {
        long p = 1;
        for (int i = 0; i < k; i++) p = checked(p * c);
        return p;
    }

    // Multisets of size k from n kinds: C(n + k − 1, k).
    private static long MultiChoose(long n, int k)
    {
        long r = 1;
        for (int i = 1; i <= k; i++) r = checked(r * (n + i - 1) / i);
        return r;
    }

    // Rows per parallel chunk: a chunk unranks its first tuple once and then advances an odometer.
    private const long ChunkRows = 64;

    private void Run(CancellationToken cancellation)
    {
        int h = Shape.Hidden;
        int c = Cells.Count;
        FirstRow = Options.FirstRow;
        if (FirstRow < 0 || FirstRow > Rows)
            throw new EngineInputException($"first row {FirstRow} is outside [0, {Rows}]");
        Count = Options.RowCount ?? Rows - FirstRow;
        if (Count < 0 || Count > Rows - FirstRow)
            throw new EngineInputException($"{Count} rows from row {FirstRow} exceed the {Rows:N0} rows");
        if (Options.Keep)
        {
            if (Count > MaxKeptRows)
                throw new EngineInputException($"keeping {Count:N0} nonempty regions exceeds {MaxKeptRows:N0}; drop the per-region outputs or use unordered multisets");
            Losses = new double[Count];
            Ranks = new int[Count];
            Multiplicities = new long[Count];
            if (Options.Realizability)
            {
                Realizable = new bool[Count];
                Undecided = new bool[Count];
            }
            if (Shape.Indexed) Indices = new long[Count];
        }
        long factorial = Factorial(h);
        var gate = new object();
        var witnesses = Options.Realizability && Options.Witnesses ? new List<(long, NetworkWitness)>() : null;
        var parallel = new ParallelOptions { CancellationToken = cancellation, MaxDegreeOfParallelism = Options.Threads > 0 ? Options.Threads : -1 };
        long chunks = (Count + ChunkRows - 1) / ChunkRows;
        ColumnWorkspaces workspaces = Cells.Workspaces(Shape);
        NearDegeneracy degeneracy = NearDegeneracy.Of(Cells.Normalized);
        Parallel.For(0L, chunks, parallel,
            () => new Worker(workspaces.Rent(), Shape, Options.Bins, DeadRegionLoss, Options.Realizability, Options.Lanes, Cells),
            (chunk, _, w) =>
            {
                long from = FirstRow + chunk * ChunkRows;
                long to = Math.Min(FirstRow + Count, from + ChunkRows);
                int[] tuple = Tuple(from);
                for (long row = from; row < to;)
                {
                    // A whole group of rows goes through the SIMD lanes; a lane they cannot certify, and a chunk's tail, take the scalar path.
                    int lanes = w.Width > 0 && to - row >= w.Width ? w.Width : 1;
                    for (int k = 0; k < lanes; k++)
                    {
                        tuple.CopyTo(w.Tuples[k], 0);
                        // Every ordering of one multiset is solved and decided with its nodes sorted, so that node-permuted
                        // rows get identical losses and flags, and ordered runs agree with unordered ones row for row.
                        tuple.CopyTo(w.Sorted[k], 0);
                        Array.Sort(w.Sorted[k]);
                        for (int j = 0; j < h; j++) w.Columns[k][j] = Cells.Columns[w.Sorted[k][j]];
                        Advance(tuple, c);
                    }
                    uint declined = 0;
                    uint certified = lanes > 1 ? w.System.SolveLanes(w.Columns, w.Losses, Options.Realizability, out declined) : 0;
                    // Most certified lanes' minima are shown not realizable a group at a time; Decide takes the others.
                    uint refuted = Options.Realizability ? w.System.RefutedUnique(w.Columns, certified) : 0;
                    for (int k = 0; k < lanes; k++, row++)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        bool lane = ((certified >> k) & 1) != 0;
                        RegionLoss loss = lane ? new RegionLoss(w.Losses[k], Shape.Parameters)
                            : ((declined >> k) & 1) != 0 ? w.System.SolveDeclined(w.Columns[k]) : w.System.Solve(w.Columns[k]);
                        // A lane's no in a sliver of a nearly degenerate arrangement is Decide's to give, exactly.
                        bool decided = ((refuted >> k) & 1) != 0 && !degeneracy.Touches(w.Columns[k]);
                        Record(w, k, row, loss, decided, lane && !decided && Options.Realizability ? w.System.LaneMinimizer(k) : null, factorial, witnesses);
                    }
                }
                return w;
            },
            w =>
            {
                workspaces.Return(w.System);
                lock (gate)
                {
                    Summary.Merge(w.Summary);
                    if (RealizableSummary is not null) RealizableSummary.Merge(w.Realizable!);
                    witnesses?.AddRange(w.Witnesses);
                }
            });
        if (witnesses is not null)
        {
            witnesses.Sort((a, b) => a.Item1.CompareTo(b.Item1));
            Witnesses = witnesses;
        }
    }

    // Code run per region or per program is AggressiveOptimization: compiled once, fully optimized, when first called,
    // rather than run from ReadyToRun or tier-0 code until the tiering thread, busy with hundreds of lukewarm methods,
    // reaches it: 5 to 19 % of a half-second nonempty run (see the README's Performance section).

    // Adds row `row`, held in lane k of the worker, to the summaries, decides its realizability (not realizable when the
    // lane path has refuted it, else from the lane path's unique minimizer when it has one) and keeps what was asked for.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Record(Worker w, int k, long row, RegionLoss loss, bool refuted, double[]? uniqueMinimizer, long factorial, List<(long, NetworkWitness)>? witnesses)
    {
        int[] tuple = w.Tuples[k];
        int[] sorted = w.Sorted[k];
        ulong[][] columns = w.Columns[k];
        long weight = Options.Unordered ? factorial / Repeats(tuple) : 1;
        bool realizable = false, undecided = false;
        if (Options.Realizability && !refuted)
        {
            for (int j = 0; j < tuple.Length; j++) w.CellWitnesses[j] = Cells.Witnesses[sorted[j]];
            RealizedMinimum? minimum = Realizability.Decide(w.System, columns, loss.Loss, w.CellWitnesses, Decisions, out undecided, w.Facets[k], uniqueMinimizer);
            realizable = minimum is not null;
            undecided &= !realizable;
            if (undecided) Decisions.CountUndecided(weight);
            if (minimum is not null)
            {
                // The witness's loss, exact where the exact fallback decided, is the row's.
                loss = new RegionLoss(minimum.Witness.Loss, loss.Rank, loss.Path);
                w.Realizable!.Add(row, loss, Shape.Parameters, weight);
                if (witnesses is not null) w.Witnesses.Add((row, InRowOrder(minimum.Witness, tuple, sorted, loss.Loss)));
            }
        }
        w.Summary.Add(row, loss, Shape.Parameters, weight);
        if (Options.Keep)
        {
            long r = row - FirstRow;
            Losses![r] = loss.Loss;
            Ranks![r] = loss.Rank;
            Multiplicities![r] = weight;
            if (Realizable is not null) Realizable[r] = realizable;
            if (Undecided is not null) Undecided[r] = undecided;
            if (Indices is not null) Indices[r] = Index([.. tuple.Select(t => Cells.Columns[t])], Shape.Points);
        }
    }

    // A witness found with the row's nodes sorted, with its nodes put back in the row's order (checked again).
    private NetworkWitness InRowOrder(NetworkWitness witness, int[] tuple, int[] sorted, double loss)
    {
        if (tuple.AsSpan().SequenceEqual(sorted)) return witness;
        // Sorted node j came from the row's node order[j]; equal cells may go to either of their nodes.
        int[] order = new int[tuple.Length];
        bool[] used = new bool[tuple.Length];
        for (int j = 0; j < sorted.Length; j++)
        {
            int from = Enumerable.Range(0, tuple.Length).First(q => !used[q] && tuple[q] == sorted[j]);
            used[from] = true;
            order[j] = from;
        }
        ulong[][] columns = [.. tuple.Select(t => Cells.Columns[t])];
        return witness.Reordered(order, Cells.Data, columns, Realizability.WitnessTolerance(Cells.Normalized, Shape))
            ?? throw new InvalidOperationException($"a witness of loss {loss} fails in its row's node order");
    }

    // The next row's tuple: an odometer over the nodes, non-decreasing when unordered.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Advance(int[] tuple, int cells)
    {
        for (int j = tuple.Length - 1; j >= 0; j--)
        {
            if (tuple[j] + 1 < cells)
            {
                tuple[j]++;
                for (int k = j + 1; k < tuple.Length; k++) tuple[k] = Options.Unordered ? tuple[j] : 0;
                return;
            }
        }
    }

    private static long Factorial(int h)
    {
        long factorial = 1;
        for (int k = 2; k <= h; k++) factorial *= k;
        return factorial;
    }

    // Π m_k! over the multiplicities of a sorted tuple.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Repeats(int[] tuple)
    {
        long product = 1;
        int run = 1;
        for (int j = 1; j < tuple.Length; j++)
        {
            run = tuple[j] == tuple[j - 1] ? run + 1 : 1;
            product *= run;
        }
        return product;
    }

    // One thread's state: its workspace, summaries and witnesses, and the rows of one lane group (one row without lanes).
    private sealed class Worker
    {
        public Worker(ColumnSystem system, RegionShape shape, int bins, double upper, bool realizability, bool lanes, ArrangementCells cells)
        {
            System = system;
            Width = lanes ? system.LaneWidth : 0;
            int rows = Math.Max(Width, 1);
            Summary = new LossSummary(bins, upper);
            Realizable = realizability ? new LossSummary(bins, upper) : null;
            CellWitnesses = new double[shape.Hidden][];
            Tuples = new int[rows][];
            Sorted = new int[rows][];
            Columns = new ulong[rows][][];
            Facets = new Func<int, int[]>[rows];
            Losses = new double[rows];
            for (int k = 0; k < rows; k++)
            {
                Tuples[k] = new int[shape.Hidden];
                int[] sorted = Sorted[k] = new int[shape.Hidden];
                Columns[k] = new ulong[shape.Hidden][];
                Facets[k] = j => cells.Facets(sorted[j]);
            }
        }

        public ColumnSystem System { get; }

        // Rows per lane group: the workspace's lane width, or 0 for the scalar path alone.
        public int Width { get; }

        public LossSummary Summary { get; }

        public LossSummary? Realizable { get; }

        public double[][] CellWitnesses { get; }

        public List<(long, NetworkWitness)> Witnesses { get; } = [];

        // Per row of the group: its cell per node, the same sorted (the order it is solved in), its columns in that order,
        // and its cells' facets.
        public int[][] Tuples { get; }

        public int[][] Sorted { get; }

        public ulong[][][] Columns { get; }

        public Func<int, int[]>[] Facets { get; }

        // The lane path's losses, per row of the group.
        public double[] Losses { get; }
    }
}
