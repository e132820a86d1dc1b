using Engine.Core.Geometry;
using Engine.Core.Regions;

namespace Engine;

/// <summary>A realizable region of a run with its verified network.</summary>
/// <param name="Row">Its row in the run: the region index of an exhaustive run, the tuple or multiset of a nonempty one.</param>
/// <param name="Index">Its standard index Σ a_ij·2^(i·h+j), or −1 when N·h exceeds 62 bits.</param>
/// <param name="Multiplicity">Ordered regions the row stands for (1 unless unordered).</param>
/// <param name="Witness">θ = (W, b, v, c), checked on the data; node j has the row's j-th column.</param>
public sealed record RegionWitness(long Row, long Index, long Multiplicity, NetworkWitness Witness);

/// <summary>One kept row of a run: a region of an index range, or a tuple or multiset of cells of a nonempty run.</summary>
/// <param name="Row">Its row in the run.</param>
/// <param name="Index">Its standard index Σ a_ij·2^(i·h+j), or −1 when N·h exceeds 62 bits.</param>
/// <param name="Cells">Each node's cell (0-based) in a nonempty run; empty in an exhaustive one.</param>
/// <param name="Multiplicity">Ordered regions the row stands for (1 unless unordered).</param>
/// <param name="Loss">Its subglobal minimum: the least loss of the linear network of Eq. 6 on this pattern.</param>
/// <param name="Rank">The rank of its Eq. 7 system.</param>
/// <param name="Nonempty">Whether the region exists (every column a cell); null when the run did not decide it.</param>
/// <param name="Realizable">Whether its minimum is attained inside the region: true with a verified witness, false with a
/// certificate; null when the run did not decide it or could not (<paramref name="Undecided"/>).</param>
/// <param name="Witness">With witnesses kept, the verified network attaining it when realizable.</param>
/// <param name="Closure">With <see cref="RegionRequest.Closure"/>: min L_f over the closed region, all signs of v, proven; null
/// for an empty region or when not asked for.</param>
/// <param name="Undecided">Realizability was asked for but neither a verified witness nor a certificate settled it.</param>
public sealed record RegionRow(long Row, long Index, IReadOnlyList<int> Cells, long Multiplicity, double Loss, int Rank,
    bool? Nonempty, bool? Realizable, NetworkWitness? Witness, double? Closure, bool Undecided);

/// <summary>
/// The outcome of a run of <see cref="RegionRunner"/>, exhaustive or nonempty, in one shape: rows (the regions of an
/// index range, or the nonempty regions as tuples or multisets of cells) with their losses, ranks and flags when kept,
/// the histograms, the decision counts and the witnesses. A run that was stopped holds the finished prefix of its rows.
/// </summary>
public sealed class RegionRun
{
    internal RegionRun(RegionRequest request, RegionShape shape, double deadRegionLoss, ArrangementCells? cells, long rows, long regions, LossSummary summary)
    {
        Request = request;
        Shape = shape;
        DeadRegionLoss = deadRegionLoss;
        Cells = cells;
        Rows = rows;
        Regions = regions;
        Summary = summary;
    }

    /// <summary>What was asked.</summary>
    public RegionRequest Request { get; }

    /// <summary>Sizes of the problem (N·h may exceed 62 bits in a nonempty run).</summary>
    public RegionShape Shape { get; }

    /// <summary>Loss of the all-zeros region, the histograms' upper edge.</summary>
    public double DeadRegionLoss { get; }

    /// <summary>The per-node arrangement cells, when the run needed them (nonempty regions or realizability).</summary>
    public ArrangementCells? Cells { get; }

    /// <summary>Rows asked for: regions of the index range, or tuples (multisets when unordered) of cells.</summary>
    public long Rows { get; }

    /// <summary>Activation regions the rows stand for (multisets count every ordering).</summary>
    public long Regions { get; }

    /// <summary>The first row: <see cref="RegionRequest.Start"/> for an exhaustive run, 0 for a nonempty one.</summary>
    public long First => Request.Nonempty ? 0 : Request.Start;

    /// <summary>Rows finished: the prefix [First, First + Done).</summary>
    public long Done { get; internal set; }

    /// <summary>Whether every row was finished.</summary>
    public bool Completed => Done == Rows;

    /// <summary>Histogram and extremes of every finished region's subglobal minimum (weighted by multiplicity).</summary>
    public LossSummary Summary { get; }

    /// <summary>The same over realizable minima, with realizability.</summary>
    public LossSummary? RealizableSummary { get; internal set; }

    /// <summary>How the geometry's margin programs were decided: the cells' and the realizability's together.</summary>
    public DecisionCounts Decisions { get; } = new();

    /// <summary>Kept (<see cref="RegionRequest.KeepRegions"/>): each finished row's loss, from <see cref="First"/>.</summary>
    public double[]? Losses { get; internal set; }

    /// <summary>Kept: each finished row's rank.</summary>
    public int[]? Ranks { get; internal set; }

    /// <summary>Kept with realizability: whether each row is nonempty (always, in a nonempty run).</summary>
    public bool[]? Feasible { get; internal set; }

    /// <summary>Kept with realizability: whether each row's minimum is realizable (false also when undecided).</summary>
    public bool[]? Realizable { get; internal set; }

    /// <summary>Kept with realizability: whether each row's realizability is undecided: neither a verified witness nor a certificate.</summary>
    public bool[]? Undecided { get; internal set; }

    /// <summary>Kept in an unordered run: the ordered regions each multiset stands for.</summary>
    public long[]? Multiplicities { get; internal set; }

    /// <summary>With <see cref="RegionRequest.Closure"/>: each kept row's minimum of L_f over its closed region, NaN for an empty region.</summary>
    internal double[]? Closures { get; set; }

    /// <summary>With <see cref="RegionRequest.Witnesses"/>: every realizable row's verified network, in row order.</summary>
    public IReadOnlyList<RegionWitness>? Witnesses { get; internal set; }

    /// <summary>The rows' enumeration in a nonempty run, for their cells and columns.</summary>
    internal NonemptyRegions? Combinations { get; set; }

    /// <summary>Units of work the run was split into, and how many this call computed (the rest were read back).</summary>
    public (int Total, int Computed) Units { get; internal set; }

    /// <summary>The device that ran the solves.</summary>
    public string Device { get; internal set; } = "";

    /// <summary>The path that ran (host or kernel) for exhaustive runs.</summary>
    public RegionPath Path { get; internal set; }

    /// <summary>Wall-clock seconds of this call.</summary>
    public double Seconds { get; internal set; }

    /// <summary>
    /// The certified global minimum inf L_f of the real network on this run's data and width, when the run found it
    /// (<see cref="RegionRequest.Global"/>, or always for runs of at most 2^16 activation patterns); null otherwise.
    /// </summary>
    public GlobalMinimum? Global { get; internal set; }

    /// <summary>Standard index Σ a_ij·2^(i·h+j) of row <paramref name="row"/>, or −1 when N·h exceeds 62 bits.</summary>
    public long Index(long row) => Combinations is null ? row : Shape.Indexed ? NonemptyRegions.Index(Combinations.Columns(row), Shape.Points) : -1;

    /// <summary>The activation columns of row <paramref name="row"/>, one per node (bit i = a_ij).</summary>
    public IReadOnlyList<ulong[]> Columns(long row)
    {
        if (Combinations is not null) return Combinations.Columns(row);
        int words = ColumnFeasibility.Words(Shape.Points);
        var columns = new ulong[Shape.Hidden][];
        for (int j = 0; j < Shape.Hidden; j++)
        {
            columns[j] = new ulong[words];
            for (int i = 0; i < Shape.Points; i++)
            {
                if (RegionPattern.Active(row, Shape.Hidden, i, j)) ColumnFeasibility.SetActive(columns[j], i);
            }
        }
        return columns;
    }

    /// <summary>Cell indices (0-based) of each node for row <paramref name="row"/> of a nonempty run.</summary>
    public int[]? CellsOf(long row) => Combinations?.Tuple(row);

    /// <summary>The histogram of every finished region's subglobal minimum.</summary>
    public Histogram Histogram => Histogram.Of(Summary);

    /// <summary>The histogram of the realizable minima; null when realizability was not decided.</summary>
    public Histogram? RealizableHistogram => RealizableSummary is { } real ? Histogram.Of(real) : null;

    /// <summary>
    /// The finished rows with everything kept about them, in row order; empty unless the request kept regions
    /// (<see cref="RegionRequest.KeepRegions"/>).
    /// </summary>
    public IReadOnlyList<RegionRow> KeptRows => _keptRows ??= Kept();

    /// <summary>The kept rows whose minimum is realizable: the differentiable local minima of the real network.</summary>
    public IReadOnlyList<RegionRow> RealizableMinima => _realizableMinima ??= new RowSubset(KeptRows, RealizablePositions());

    private IReadOnlyList<RegionRow>? _realizableMinima;

    // The positions of the realizable rows among the kept ones, read from the flags: 4 bytes a realizable row, not a row object.
    private int[] RealizablePositions()
    {
        if (Losses is null || Realizable is null) return [];
        var positions = new List<int>();
        for (int r = 0; r < (int)Done; r++)
        {
            if (Realizable[r] && Undecided?[r] != true) positions.Add(r);
        }
        return [.. positions];
    }

    // Some of a list's rows, made when read.
    private sealed class RowSubset(IReadOnlyList<RegionRow> rows, int[] positions) : IReadOnlyList<RegionRow>
    {
        public int Count => positions.Length;

        public RegionRow this[int index] => rows[positions[index]];

        public IEnumerator<RegionRow> GetEnumerator()
        {
            foreach (int position in positions) yield return rows[position];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Levels, the lowest subglobal, lowest realizable and global minima, poor, linear and dead minima of this run.</summary>
    public MinimaAnalysis Minima => _minima ??= new MinimaAnalysis(this);

    private IReadOnlyList<RegionRow>? _keptRows;
    private MinimaAnalysis? _minima;

    private IReadOnlyList<RegionRow> Kept() => Losses is null ? [] : new KeptRowList(this, Witnesses?.ToDictionary(w => w.Row, w => w.Witness) ?? []);

    // Rows made when read: a run may keep 2^26 of them, which as objects would take gigabytes.
    private sealed class KeptRowList(RegionRun run, Dictionary<long, NetworkWitness> witnesses) : IReadOnlyList<RegionRow>
    {
        public int Count => (int)run.Done;

        public RegionRow this[int r]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(r);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(r, Count);
                long row = run.First + r;
                bool decided = run.Realizable is not null;
                bool undecided = run.Undecided?[r] == true;
                return new RegionRow(row, run.Index(row), run.CellsOf(row) ?? [], run.Multiplicities?[r] ?? 1, run.Losses![r], run.Ranks![r],
                    decided ? run.Feasible![r] : run.Request.Nonempty ? true : null, decided && !undecided ? run.Realizable![r] : null, witnesses.GetValueOrDefault(row),
                    run.Closures is { } closures && double.IsFinite(closures[r]) ? closures[r] : null, undecided);
            }
        }

        public IEnumerator<RegionRow> GetEnumerator()
        {
            for (int r = 0; r < Count; r++) yield return this[r];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
