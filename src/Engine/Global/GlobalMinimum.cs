using Engine.Core.Closure;
using Engine.Core.Geometry;
using Engine.Core.Regions;

namespace Engine;

/// <summary>Whether a value is proven: the three-valued answer of a certified search, less the "no".</summary>
public enum ProofStatus
{
    /// <summary>Proven: a verified network attains the value and certificates show nothing lies lower, to the tolerance.</summary>
    Proven,

    /// <summary>A verified network attains the value, but some program could not be proven; the reason says which.</summary>
    Undecided,
}

/// <summary>How one closure program's value was proven.</summary>
public enum ProofPath
{
    /// <summary>In double precision, its KKT certificate checked on the data.</summary>
    Double,

    /// <summary>In rational arithmetic on the data's exact binary values, after the double-precision certificate failed.</summary>
    Exact,

    /// <summary>Not proven: the exact path ran past its budget.</summary>
    Undecided,
}

/// <summary>A point θ = (W, b, v, c) of the real network f(x) = vᵀσ(Wx + b) + c (Eq. 1), checked on the data, and its loss.</summary>
/// <param name="W">One row w_j per hidden node.</param>
/// <param name="B">b (zeros without biases).</param>
/// <param name="V">v.</param>
/// <param name="C">c (0 without biases).</param>
/// <param name="Loss">L_f(θ) evaluated on the data as given.</param>
public sealed record NetworkPoint(IReadOnlyList<IReadOnlyList<double>> W, IReadOnlyList<double> B, IReadOnlyList<double> V, double C, double Loss);

/// <summary>A data point and hidden node whose pre-activation w_jᵀx_i + b_j is zero at a network: it sits on that hinge.</summary>
/// <param name="Point">i, 0-based, in the dataset's order.</param>
/// <param name="Node">j, 0-based.</param>
public readonly record struct BoundaryPair(int Point, int Node);

/// <summary>An unordered nonempty region and a sign of each v_j: where a minimum was found.</summary>
/// <param name="Row">Its row in the unordered nonempty enumeration (non-decreasing cell tuples).</param>
/// <param name="Cells">Each node's cell of the arrangement, non-decreasing.</param>
/// <param name="Columns">Each node's activation column a_·j as 0/1 over the points.</param>
/// <param name="Signs">The sign of each v_j: +1 or −1 (−1 only where a node's weights are nonzero).</param>
/// <param name="Index">The standard index Σ a_ij·2^(i·h+j) of this ordering, when N·h ≤ 62; null otherwise.</param>
public sealed record MinimumRegion(long Row, IReadOnlyList<int> Cells, IReadOnlyList<string> Columns, IReadOnlyList<int> Signs, long? Index);

/// <summary>How much work a global search did and how its programs were proven.</summary>
/// <param name="RegionsBounded">Unordered nonempty regions whose subglobal minimum was computed: all of them.</param>
/// <param name="OrderedRegions">The ordered nonempty regions they stand for.</param>
/// <param name="RegionsSolved">Regions whose closure programs were solved; the rest were pruned by their subglobal minimum.</param>
/// <param name="Programs">Closure programs solved (one per region and sign choice).</param>
/// <param name="DoubleProofs">Programs proven in double precision.</param>
/// <param name="ExactProofs">Programs proven in rational arithmetic.</param>
/// <param name="Undecided">Programs left unproven.</param>
/// <param name="ExactCells">Cells whose extreme rays double precision could not separate, found exactly.</param>
/// <param name="RealizabilityDecisions">Regions whose realizability was decided to find the lowest realizable minimum.</param>
public sealed record GlobalCounts(long RegionsBounded, long OrderedRegions, long RegionsSolved, long Programs, long DoubleProofs, long ExactProofs,
    long Undecided, long ExactCells, long RealizabilityDecisions)
{
    /// <summary>Share of regions pruned by their subglobal minimum without a program.</summary>
    public double PrunedShare => RegionsBounded == 0 ? 0.0 : 1.0 - (double)RegionsSolved / RegionsBounded;
}

/// <summary>
/// The certified global minimum inf L_f of the real network with h hidden nodes on a dataset, against the minima the
/// paper's decomposition names: the lowest subglobal minimum (a lower bound, often unreachable) and the lowest
/// realizable (differentiable) local minimum. An immutable snapshot.
/// </summary>
public sealed class GlobalMinimum
{
    internal GlobalMinimum(GlobalRequest request, ArrangementCells cells, GlobalSearchResult result, double seconds)
    {
        Request = request;
        int points = request.Data.Count;
        Value = result.GlobalMinimum;
        Witness = Point(result.Witness.W, result.Witness.B, result.Witness.V, result.Witness.C, result.Witness.Loss);
        Boundary = [.. result.Witness.Boundary.Select(p => new BoundaryPair(p.Point, p.Node))];
        Region = Describe(result.Region, cells, points);
        Proof = (ProofPath)result.Proof;
        LowerBound = result.LowerBound;
        Tolerance = result.Tolerance;
        Status = result.Certified ? ProofStatus.Proven : ProofStatus.Undecided;
        Reason = result.Certified ? null
            : $"{result.Undecided:N0} closure program(s) could not be proven; their regions' subglobal minima only prove L_f ≥ {result.LowerBound:G6}";
        LowestSubglobal = result.LowestSubglobal;
        LowestRealizable = result.LowestRealizable;
        if (result.RealizableWitness is { } r) RealizableWitness = Point([.. r.W], [.. r.B], [.. r.V], r.C, r.Loss);
        if (result.RealizableRegion is { } rr) RealizableRegion = Describe(rr, cells, points);
        AttainedAtBoundary = result.AttainedAtBoundary;
        Counts = new GlobalCounts(result.RegionsBounded, result.OrderedRegions, result.RegionsSolved, result.Programs, result.DoubleProofs, result.ExactProofs,
            result.Undecided, result.ExactCells, result.RealizabilityDecisions);
        UncheckedDecisions = result.Decisions.Unchecked;
        Seconds = seconds;
    }

    /// <summary>What was asked.</summary>
    public GlobalRequest Request { get; }

    /// <summary>inf L_f = min L_f: the global minimum of the real loss, attained by <see cref="Witness"/>, in the data's units.</summary>
    public double Value { get; }

    /// <summary>A network attaining <see cref="Value"/>, checked on the data: L_f(θ) equals it within <see cref="Tolerance"/>.</summary>
    public NetworkPoint Witness { get; }

    /// <summary>The (point, node) pairs whose pre-activation is zero at <see cref="Witness"/>.</summary>
    public IReadOnlyList<BoundaryPair> Boundary { get; }

    /// <summary>The region and signs whose closure attains the minimum.</summary>
    public MinimumRegion Region { get; }

    /// <summary>How the winning program was proven.</summary>
    public ProofPath Proof { get; }

    /// <summary>
    /// A proven lower bound on L_f: the least subglobal minimum of the regions pruned, and the least proven value of the
    /// programs solved. Nothing lies below it; <see cref="Value"/> − <see cref="LowerBound"/> ≤ <see cref="Tolerance"/> when proven.
    /// </summary>
    public double LowerBound { get; }

    /// <summary>1e-9 of the dead region's loss (½Σy², or ½Σ(y − ȳ)² with biases): the accuracy the value is proven to.</summary>
    public double Tolerance { get; }

    /// <summary>Whether the value is proven (<see cref="Reason"/> says why not).</summary>
    public ProofStatus Status { get; }

    /// <summary>Why the value is not proven; null when it is.</summary>
    public string? Reason { get; }

    /// <summary>The lowest subglobal minimum over the nonempty regions: a lower bound on L_f that no network may reach.</summary>
    public double LowestSubglobal { get; }

    /// <summary>The lowest realizable (differentiable) local minimum; null when no region's minimum is realizable.</summary>
    public double? LowestRealizable { get; }

    /// <summary>The verified network of the lowest realizable minimum, strictly inside its region.</summary>
    public NetworkPoint? RealizableWitness { get; }

    /// <summary>The region of the lowest realizable minimum.</summary>
    public MinimumRegion? RealizableRegion { get; }

    /// <summary>
    /// True when no realizable minimum reaches <see cref="Value"/> (within <see cref="Tolerance"/>): the global minimum lies
    /// only on region boundaries, where some hinge passes through a data point, and every differentiable local minimum is poor.
    /// </summary>
    public bool AttainedAtBoundary { get; }

    /// <summary>The search's work and how its programs were proven.</summary>
    public GlobalCounts Counts { get; }

    /// <summary>Realizability decisions taken without a verified witness or certificate (0 on every dataset tried).</summary>
    public long UncheckedDecisions { get; }

    /// <summary>Wall time of the search (cells included when it was planned in the same call).</summary>
    public double Seconds { get; internal set; }

    private static NetworkPoint Point(IReadOnlyList<double[]> w, IReadOnlyList<double> b, IReadOnlyList<double> v, double c, double loss) =>
        new([.. w.Select(row => (IReadOnlyList<double>)[.. row])], [.. b], [.. v], c, loss);

    private static MinimumRegion Describe(ClosedRegion region, ArrangementCells cells, int points)
    {
        ulong[][] columns = [.. region.Cells.Select(c => cells.Columns[c])];
        string[] patterns = [.. columns.Select(column => string.Concat(Enumerable.Range(0, points).Select(i => ColumnFeasibility.Active(column, i) ? '1' : '0')))];
        long? index = points * columns.Length <= RegionShape.MaxPatternBits ? NonemptyRegions.Index(columns, points) : null;
        return new MinimumRegion(region.Row, [.. region.Cells], patterns, [.. region.Signs], index);
    }
}
