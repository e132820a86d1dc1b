using System.Numerics;
using System.Runtime.CompilerServices;
using Engine.Core.Data;
using Engine.Core.Regions;

namespace Engine.Core.Geometry;

/// <summary>
/// A realizable subglobal minimum: a global minimizer of L_gA (Eq. 4 parameters p_j, q_j, c) whose network lies
/// strictly inside R_A, the sign of v_j that realizes each node, and the verified network that attains it.
/// </summary>
/// <param name="Parameters">The minimizer in the data's units, m values in the order of <see cref="RegionShape.Parameters"/>.</param>
/// <param name="Signs">σ_j ∈ {+1, −1, 0}: v_j &gt; 0, v_j &lt; 0, or v_j = 0 with p_j = q_j = 0.</param>
/// <param name="Witness">θ = (W, b, v, c), checked on the data as given.</param>
public sealed record RealizedMinimum(double[] Parameters, int[] Signs, NetworkWitness Witness);

/// <summary>
/// Decides whether a nonempty region's subglobal minimum is a differentiable local minimum of the real loss
/// L_f (Lemma 2.2 with Theorem 2.5): whether some global minimizer of L_gA maps back, through p_j = v_j w_j and
/// q_j = v_j b_j, to parameters strictly inside R_A. The whole optimal set {p_min + N c} is searched, not one
/// particular solution, and both answers are certified: a yes by a network witness checked on the data as given,
/// a no by certificates on every sign choice (<see cref="MarginProgram"/>), with GLOP as the fallback.
/// </summary>
/// <remarks>
/// <para>Node j of a minimizer p is realizable with v_j &gt; 0 when σ_j s_ij (p_jᵀx̃_i) &gt; 0 for all i with σ_j = +1
/// (s_ij = +1 if a_ij = 1, else −1; then w_j = p_j / v_j has column j's signs), with v_j &lt; 0 when the same holds for
/// σ_j = −1, and with v_j = 0 when p_j = q_j = 0 (w_j is then an interior point of column j's cell, which exists
/// because the region is nonempty).</para>
/// <para>For a set Z of nodes with v_j = 0, the minimizers with p_j = 0 for j ∈ Z are the minimizers of the region with
/// those columns zeroed, provided that region attains the same loss (within <see cref="LossLevels.RelativeTolerance"/>
/// of the dead-region loss). For each Z (2^h of them) and each σ ∈ {±1} on the other nodes, the margin program
/// max t over (c, τ) with σ_j s_ij (τ p_minᵀx̃_i + (N c)ᵀx̃_i) ≥ t (rows scaled to unit ∞-norm), t ≤ τ, 0 ≤ τ ≤ 1,
/// |c_k| ≤ 1 decides strict feasibility: t* &gt; <see cref="ColumnFeasibility.MarginTolerance"/> gives τ &gt; 0 and the
/// minimizer p_min + N c/τ strictly inside; conversely any strictly inside minimizer scales into the box. When the
/// alive nodes' minimizer is unique, no program is needed: its nodes decouple and each admits at most one sign.</para>
/// <para>Everything runs on the normalised data (<see cref="NormalizedData"/>). Points with x̃_i = 0 (the origin,
/// without bias) give no condition: they are never active and contribute nothing. A row whose coefficients all
/// vanish (below <see cref="ZeroTolerance"/> relative to its scale) pins p_jᵀx̃_i to 0, the boundary of the region,
/// so that sign choice fails.</para>
/// </remarks>
public static class Realizability
{
    /// <summary>
    /// Relative tolerance for a row of the margin program being zero, against ‖x̃_i‖∞·max(1, ‖p_min‖∞) on the normalised
    /// data: the certified solves are accurate to about 1e-11 there, so smaller rows are rounding, not a direction.
    /// </summary>
    public const double ZeroTolerance = 1e-9;

    // Code run per region or per program is AggressiveOptimization: compiled once, fully optimized, when first called,
    // rather than run from ReadyToRun or tier-0 code until the tiering thread, busy with hundreds of lukewarm methods,
    // reaches it: 5 to 19 % of a half-second nonempty run (see the README's Performance section).

    /// <summary>
    /// The realizable minimizer of the region whose node j has column <paramref name="columns"/>[j] and whose
    /// subglobal minimum is <paramref name="loss"/>, or null when none is strictly inside. The region must be
    /// nonempty: <paramref name="cellWitnesses"/>[j] is an interior (w_j[, b_j]) of column j's cell in the data's units,
    /// used for nodes with v_j = 0. <paramref name="system"/> is the calling thread's workspace; decisions are counted
    /// in <paramref name="counts"/>. <paramref name="cellFacets"/>(j), when given, gives the points of the facets of column
    /// j's cell (<see cref="ArrangementCells.Facets"/>): the programs then run on their rows alone, which is faster and
    /// has the same optimum. <paramref name="uniqueMinimizer"/>, when given, is the region's minimizer from a solve of
    /// rank m elsewhere (<see cref="ColumnSystem.SolveLanes"/>), with the bits <see cref="ColumnSystem.MinimumNorm"/> gives:
    /// the region is then not solved again. The answer is three-valued: a realizable minimum (yes, its witness verified),
    /// or null with <paramref name="undecided"/> false (no: every sign choice refuted by a certificate) or true (undecided:
    /// some sign choice had neither a verified witness nor a certificate, even from GLOP). An undecided region is never
    /// reported as not realizable. A yes's <see cref="NetworkWitness.Loss"/> is the region's loss to report: the exact
    /// minimum, rounded, where the exact fallback decided, else <paramref name="loss"/> or the region's own solve.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RealizedMinimum? Decide(ColumnSystem system, IReadOnlyList<ulong[]> columns, double loss, IReadOnlyList<double[]> cellWitnesses, DecisionCounts counts,
        out bool undecided, Func<int, int[]>? cellFacets = null, double[]? uniqueMinimizer = null)
    {
        undecided = false;
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(cellWitnesses);
        ArgumentNullException.ThrowIfNull(counts);
        int hidden = system.Shape.Hidden;
        int m = system.Shape.Parameters;
        double gap = LossLevels.Tolerance(system.Normalized.DeadRegionLoss);
        int pinned = 0;
        // The sets of zeroed nodes whose "no" rests on something too small to trust in doubles, or on nothing: the exact
        // fallback decides those.
        List<int>? doubtful = null;
        // Whether the region's own minimum came from the QR path, whose accuracy is not certified.
        bool uncertified = false;
        // A region in a sliver of a nearly degenerate arrangement, or with an ill-conditioned design, has every set's no
        // decided exactly: its margins may be positive yet far below what doubles can tell from zero.
        NearDegeneracy degeneracy = system.Degeneracy;
        bool exactNo = degeneracy.Touches(columns);
        foreach (int zeroed in ZeroedSets(hidden))
        {
            if ((zeroed & pinned) != 0) continue;
            // A reduced region's loss is all most sets need, and the same reduced region recurs across regions.
            bool known = zeroed == 0 && uniqueMinimizer is not null;
            RegionLoss reduced = known ? new RegionLoss(loss, m) : zeroed == 0 ? system.Solve(columns) : system.ReducedLoss(columns, zeroed);
            // A caller's loss from another solve may differ from the region's own minimum, as this workspace solves it, by
            // more than the level tolerance where the design is ill-conditioned (κ ≈ 1e8 for near-duplicate points): then
            // the region's own is what its reduced regions and witnesses are held to, so that the disagreement of two
            // solves cannot turn a realizable minimum into a "no".
            if (zeroed == 0)
            {
                if (Math.Abs(reduced.Loss - loss) > gap) loss = reduced.Loss;
                uncertified = reduced.Path == RegionLoss.QR;
            }
            else if (reduced.Loss - loss > gap)
            {
                // Losses of the certified paths are within 1e-10·Σy² of exact, a fifth of the gap, so a reduced minimum
                // above it is above in exact arithmetic; a QR loss is only as good as κ(Z̃)·ε.
                if ((uncertified || reduced.Path == RegionLoss.QR) && reduced.Loss - loss <= DoubtfulGap * gap) (doubtful ??= []).Add(zeroed);
                continue;
            }
            if (zeroed != 0) reduced = system.Solve(columns, zeroed);
            int free = m - reduced.Rank;
            double[] minimizer = known ? uniqueMinimizer! : system.MinimumNorm();
            // A minimizer of an ill-conditioned design (near-duplicate points give κ ≈ 1e5 … 1e9) is known only to about
            // κ²·ε, coarser than the zero tests and margins below: a no on this set, or on every set when it is the
            // region's own design, is the exact fallback's to give. A yes found here is still a verified witness.
            if (!known && system.PivotRatio() > degeneracy.ConditioningLimit)
            {
                if (zeroed == 0) exactNo = true;
                else (doubtful ??= []).Add(zeroed);
            }
            var candidate = new Candidate(system, columns, loss, cellWitnesses, cellFacets, zeroed, minimizer, free == 0 ? [] : AliveDirections(system.Shape, system.NullSpace(), free, zeroed));
            // With a unique minimizer, a node that it does not zero can never be zeroed by a minimizer: every set of
            // zeroed nodes containing it has a larger minimum, and its reduced solve is skipped.
            if (zeroed == 0 && reduced.Rank == m) pinned = candidate.NonzeroNodes();
            if (candidate.Free == 0)
            {
                // A unique minimizer on the alive nodes: they decouple, and each has at most one sign that works.
                int[]? signs = candidate.UniqueSigns(out bool tiny);
                if (signs is null)
                {
                    if (tiny) (doubtful ??= []).Add(zeroed);
                    continue;
                }
                RealizedMinimum? unique = candidate.Realize(candidate.Minimizer, signs);
                if (unique is not null) return unique;
                // Signs that work but a network that fails its check: neither a witness nor a certificate, so the exact
                // fallback decides this set unless another set of zeroed nodes gives a yes.
                counts.CountUnchecked();
                (doubtful ??= []).Add(zeroed);
                continue;
            }
            // Rows the null space cannot move fix their node's sign: only the other nodes' signs need trying.
            if (!candidate.ForcedSigns(out int[] forced))
            {
                if (candidate.NearlyVanishing) (doubtful ??= []).Add(zeroed);
                continue;
            }
            int open = Open(forced, zeroed);
            if (BitOperations.PopCount((uint)open) >= 2)
            {
                // Several open nodes make many choices; a node's rows alone rule out a sign in all that give it.
                if (!candidate.NarrowSigns(forced, counts)) continue;
                open = Open(forced, zeroed);
            }
            int choices = 1 << BitOperations.PopCount((uint)open);
            for (int choice = 0; choice < choices; choice++)
            {
                RealizedMinimum? found = candidate.Inside(Signs(forced, open, choice), counts, out bool decided);
                if (found is not null) return found;
                if (!decided) (doubtful ??= []).Add(zeroed);
            }
        }
        if (doubtful is null && !exactNo) return null;
        RealizedMinimum? exact = ExactRealizability.Decide(system.Normalized.Source, system.Shape.Bias == 1, columns, cellWitnesses,
            WitnessTolerance(system.Normalized, system.Shape), exactNo ? ZeroedSets(hidden) : [.. doubtful!.Distinct()], out undecided);
        counts.CountExact();
        return exact;
    }

    /// <summary>
    /// The smallest margin optimum that rules a "no" out. A dual bound at or below <see cref="ColumnFeasibility.MarginTolerance"/>
    /// only says the optimum is small, and any positive optimum is a yes: rounding leaves 1e-16 … 1e-11 on programs
    /// whose answer is no, but realizable regions of a column spanning 1e5 showed optima of 1e-12 … 1e-10 (SpanTests)
    /// and were refuted. A sign choice whose optimum is found at or above this without a verified witness is left to
    /// the exact fallback: 53 of the 444,548 refutations of random:40,2,3 and random:20,3,3 (bias, h = 2).
    /// </summary>
    internal const double SmallMargin = 1e-12;

    /// <summary>
    /// How far above the region's minimum, in level tolerances, a reduced region's minimum must be for the double
    /// solves to rule its set of zeroed nodes out: nearer, the exact fallback decides, since the two minima may be equal.
    /// </summary>
    public const double DoubtfulGap = 1e3;

    /// <summary>
    /// <see cref="Decide(ColumnSystem, IReadOnlyList{ulong[]}, double, IReadOnlyList{double[]}, DecisionCounts, out bool, Func{int, int[]}, double[])"/>'s first step for <typeparamref name="TL"/>'s Count regions at once, one per SIMD lane, whose
    /// minimizers are unique: the lanes it finds not realizable there and then. A lane is such a region when every
    /// node of its minimizer is clearly nonzero (so no set of zeroed nodes keeps the minimum) and some node has no sign
    /// that puts the minimizer strictly inside (a vanishing or a contrary row). These are the steps of the candidate's
    /// NonzeroNodes and UniqueSigns in the same order, so each lane is decided as Decide decides it alone; the other
    /// lanes, realizable ones among them, must go through the full decision.
    /// </summary>
    /// <param name="shape">The network's sizes.</param>
    /// <param name="minimizers">Value e of lane k's minimizer (normalised data's units) at e·Count + k.</param>
    /// <param name="columns">Word w of node j's column in lane k at (j·W + w)·Count + k, W = <see cref="ColumnFeasibility.Words"/>(N).</param>
    /// <param name="points">x̃_i of the normalised data, d values per point (<see cref="ColumnSystem.Point"/>).</param>
    /// <param name="pointNorms">‖x̃_i‖∞ per point (<see cref="ColumnSystem.PointNorm"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe uint RefutedUnique<TL, TV>(in RegionShape shape, double* minimizers, ulong* columns, double* points, double* pointNorms)
        where TL : struct, ILanes<TV>
        where TV : unmanaged
    {
        int m = shape.Parameters;
        int d = shape.Features;
        int n = shape.Points;
        int w = TL.Count;
        int words = ColumnFeasibility.Words(n);
        TV zero = TL.Splat(0.0), one = TL.Splat(1.0), minusOne = TL.Splat(-1.0);
        TV yes = TL.GreaterThan(one, zero), no = TL.GreaterThan(zero, one);
        // The candidate's Scale: max(1, max_k |p_k|).
        TV largest = zero;
        for (int e = 0; e < m; e++) largest = TL.Max(largest, TL.Abs(TL.Load(minimizers + e * w)));
        TV scale = TL.Max(one, largest);
        TV tolerance = TL.Multiply(TL.Splat(ZeroTolerance), scale);
        TV everyNodeNonzero = yes, contrary = no;
        uint vanishing = 0, tiny = 0;
        for (int j = 0; j < shape.Hidden; j++)
        {
            TV nonzero = no;
            for (int k = j * d; k < (j + 1) * d; k++) nonzero = TL.Or(nonzero, TL.GreaterThan(TL.Abs(TL.Load(minimizers + k * w)), tolerance));
            everyNodeNonzero = TL.And(everyNodeNonzero, nonzero);
            // Node j's rows s_ij·p_jᵀx̃_i: every one clear of zero, and all of one sign.
            TV clear = yes, positive = no, negative = no;
            for (int i = 0; i < n; i++)
            {
                double norm = pointNorms[i];
                if (norm == 0.0) continue;
                TV alpha = zero;
                for (int k = 0; k < d; k++) alpha = TL.Add(alpha, TL.Multiply(TL.Load(minimizers + (j * d + k) * w), TL.Splat(points[i * d + k])));
                TV active = TL.WordBit(TL.Load((double*)(columns + (j * words + (i >> 6)) * w)), i & 63);
                alpha = TL.Multiply(alpha, TL.Select(active, one, minusOne));
                TV big = TL.GreaterThan(TL.Abs(alpha), TL.Multiply(TL.Splat(ZeroTolerance * norm), scale));
                clear = TL.And(clear, big);
                tiny |= TL.Bits(TL.GreaterThan(TL.Abs(alpha), zero)) & ~TL.Bits(big);
                positive = TL.Or(positive, TL.And(big, TL.GreaterThan(alpha, zero)));
                negative = TL.Or(negative, TL.And(big, TL.GreaterThan(zero, alpha)));
            }
            vanishing |= ~TL.Bits(clear);
            contrary = TL.Or(contrary, TL.And(positive, negative));
        }
        // Clear rows of opposite signs refute; a row small but not zero in doubles refutes nothing here: the lane goes to
        // Decide, whose exact fallback decides it.
        return TL.Bits(everyNodeNonzero) & ((vanishing & ~tiny) | TL.Bits(contrary));
    }

    /// <summary>
    /// |v_j| of a witness whose node j has normalised p̃_j: the power of two nearest √(‖p̃_j‖∞·s) (s the target scale).
    /// The square root balances the layers, so that neither W nor v is far from the data's scale; a power of two makes
    /// w_j = p_j/v_j exact, so a witness of data with a column or the targets rescaled by a power of two is this one
    /// rescaled, bit for bit, and passes or fails its checks alike.
    /// </summary>
    public static double OutputScale(ReadOnlySpan<double> normalizedNode, double targetScale)
    {
        double largest = 0.0;
        foreach (double e in normalizedNode) largest = Math.Max(largest, Math.Abs(e));
        return largest == 0.0 ? 1.0 : Math.ScaleB(1.0, (int)Math.Round(0.5 * (Math.Log2(largest) + Math.Log2(targetScale))));
    }

    /// <summary>
    /// How far a witness's L_f(θ) may be from the subglobal minimum: the level tolerance of <see cref="LossLevels"/>
    /// plus the rounding of evaluating the network over N points.
    /// </summary>
    public static double WitnessTolerance(NormalizedData data, in RegionShape shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        return LossLevels.Tolerance(data.DeadRegionLoss) + 8.0 * (data.Data.Count + shape.Parameters) * RegionSolve.UnitRoundoff * data.DeadRegionLoss;
    }

    // Every set of zeroed nodes, fewest first: the most common realization keeps every node alive.
    private static int[] ZeroedSets(int hidden) => Orders[hidden] ??= [.. Enumerable.Range(0, 1 << hidden).OrderBy(z => BitOperations.PopCount((uint)z))];

    private static readonly int[]?[] Orders = new int[]?[MaxHidden + 1];

    /// <summary>Most hidden nodes for which realizability is decided: it searches up to 3^h sign choices per region.</summary>
    public const int MaxHidden = 16;

    // The null-space columns that move some alive node: zeroed nodes' own directions change nothing the program sees.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] AliveDirections(RegionShape shape, double[] basis, int free, int zeroed)
    {
        int d = shape.Features;
        var kept = new List<int>(free);
        for (int c = 0; c < free; c++)
        {
            bool moves = false;
            for (int j = 0; j < shape.Hidden && !moves; j++)
            {
                if (((zeroed >> j) & 1) == 1) continue;
                for (int k = j * d; k < (j + 1) * d; k++) moves |= basis[k * free + c] != 0.0;
            }
            if (moves) kept.Add(c);
        }
        int m = shape.Parameters;
        double[] alive = new double[m * kept.Count];
        for (int r = 0; r < m; r++)
        {
            for (int c = 0; c < kept.Count; c++) alive[r * kept.Count + c] = basis[r * free + kept[c]];
        }
        return alive;
    }

    // The alive nodes whose sign is not forced, as a bit mask.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Open(int[] forced, int zeroed)
    {
        int open = 0;
        for (int j = 0; j < forced.Length; j++)
        {
            if (((zeroed >> j) & 1) == 0 && forced[j] == 0) open |= 1 << j;
        }
        return open;
    }

    // The forced signs, with the open nodes' signs from the bits of choice (bit set = −1); zeroed nodes keep 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] Signs(int[] forced, int open, int choice)
    {
        int[] signs = (int[])forced.Clone();
        int bit = 0;
        for (int j = 0; j < signs.Length; j++)
        {
            if (((open >> j) & 1) == 0) continue;
            signs[j] = ((choice >> bit++) & 1) == 1 ? -1 : 1;
        }
        return signs;
    }

    // One set of zeroed nodes whose reduced region keeps the minimum: its minimizer set p_min + N c in the normalised
    // data's units, searched sign choice by sign choice.
    private sealed class Candidate(ColumnSystem system, IReadOnlyList<ulong[]> columns, double loss, IReadOnlyList<double[]> cellWitnesses,
        Func<int, int[]>? cellFacets, int zeroed, double[] minimizer, double[] basis)
    {
        private readonly RegionShape _shape = system.Shape;
        private readonly Dataset _data = system.Normalized.Data;
        private readonly bool _bias = system.Shape.Bias == 1;

        public double[] Minimizer { get; } = minimizer;

        public int Free { get; } = basis.Length / system.Shape.Parameters;

        private double Scale { get; } = Math.Max(1.0, LargestMagnitude(minimizer));

        // The nodes whose (p_j, q_j) is clearly nonzero, as a bit mask.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int NonzeroNodes()
        {
            int d = _shape.Features;
            double tolerance = ZeroTolerance * Scale;
            int nonzero = 0;
            for (int j = 0; j < _shape.Hidden; j++)
            {
                for (int k = j * d; k < (j + 1) * d; k++)
                {
                    if (Math.Abs(Minimizer[k]) > tolerance) nonzero |= 1 << j;
                }
            }
            return nonzero;
        }

        // The sign of each alive node under which the unique minimizer is strictly inside, or null when a node has none.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int[]? UniqueSigns(out bool tiny)
        {
            tiny = false;
            int d = _shape.Features;
            double scale = Scale;
            int[] signs = new int[_shape.Hidden];
            bool small = false;
            for (int j = 0; j < _shape.Hidden; j++)
            {
                if (((zeroed >> j) & 1) == 1) continue;
                ulong[] column = columns[j];
                for (int i = 0; i < _data.Count; i++)
                {
                    double norm = system.PointNorm(i);
                    if (norm == 0.0) continue;
                    ReadOnlySpan<double> x = system.Point(i);
                    double alpha = 0.0;
                    for (int k = 0; k < d; k++) alpha += Minimizer[j * d + k] * x[k];
                    alpha *= ColumnFeasibility.Active(column, i) ? 1.0 : -1.0;
                    if (!(Math.Abs(alpha) > ZeroTolerance * norm * scale))
                    {
                        // Zero in doubles may be a small value in exact arithmetic, with a sign: a "no" it alone
                        // gives is doubtful, one that clear rows of opposite signs give is not.
                        small = true;
                        tiny |= alpha != 0.0;
                        continue;
                    }
                    int sign = Math.Sign(alpha);
                    if (signs[j] == 0) signs[j] = sign;
                    else if (signs[j] != sign)
                    {
                        tiny = false;
                        return null;
                    }
                }
                // A node with no conditions (every point at the origin) takes v_j > 0.
                if (signs[j] == 0) signs[j] = 1;
            }
            return small ? null : signs;
        }

        // Per alive node and point, at (j·N + i)·(free + 1): s_ij·((N_jᵀx̃_i)ᵀ, p_minᵀx̃_i) scaled to unit ∞-norm, with its
        // kind: Skip (the origin, or a zeroed node), Vanishing (p_jᵀx̃_i = 0 on every minimizer), Fixed (the null space
        // cannot move it) or Moving. Built once into the thread's workspace; a sign choice only multiplies a node's rows by σ_j.
        private bool _built;

        // Whether some row taken for vanishing is not exactly zero in doubles: a "no" it gives is doubtful.
        public bool NearlyVanishing { get; private set; }

        private const byte Skip = 0, Vanishing = 1, Fixed = 2, Moving = 3;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (double[] Rows, byte[] Kinds) Rows()
        {
            Workspace space = Workspace.Current;
            if (_built) return (space.Rows, space.Kinds);
            int d = _shape.Features;
            int free = Free;
            int n = _data.Count;
            double scale = Scale;
            double[] rows = space.RowStorage(_shape.Hidden * n * (free + 1));
            byte[] kinds = space.KindStorage(_shape.Hidden * n);
            // Node j's free directions and p_min,j side by side, d rows of free + 1: each row below is x̃_iᵀ times this.
            Span<double> directions = stackalloc double[d * (free + 1)];
            for (int j = 0; j < _shape.Hidden; j++)
            {
                if (((zeroed >> j) & 1) == 1) continue;
                for (int k = 0; k < d; k++)
                {
                    basis.AsSpan((j * d + k) * free, free).CopyTo(directions.Slice(k * (free + 1), free));
                    directions[k * (free + 1) + free] = Minimizer[j * d + k];
                }
                ulong[] column = columns[j];
                for (int i = 0; i < n; i++)
                {
                    double norm = system.PointNorm(i);
                    if (norm == 0.0) continue;
                    ReadOnlySpan<double> x = system.Point(i);
                    double s = ColumnFeasibility.Active(column, i) ? 1.0 : -1.0;
                    Span<double> row = rows.AsSpan((j * n + i) * (free + 1), free + 1);
                    double size = 0.0;
                    bool moves = false;
                    for (int c = 0; c <= free; c++)
                    {
                        double b = 0.0;
                        for (int k = 0; k < d; k++) b += directions[k * (free + 1) + c] * x[k];
                        row[c] = s * b;
                        if (c < free) moves |= b != 0.0;
                        size = Math.Max(size, Math.Abs(b));
                    }
                    // A row that vanishes pins p_jᵀx̃_i to 0 on every minimizer: the boundary, whatever the sign.
                    if (!(size > ZeroTolerance * norm * scale))
                    {
                        NearlyVanishing |= size != 0.0;
                        kinds[j * n + i] = Vanishing;
                        continue;
                    }
                    double unit = 1.0 / size;
                    for (int c = 0; c <= free; c++) row[c] *= unit;
                    kinds[j * n + i] = moves ? Moving : Fixed;
                }
            }
            _built = true;
            return (rows, kinds);
        }

        // Whether some sign choice can work, and the sign each alive node is forced to (0 where both remain open): a row
        // the null space cannot move (β = 0 exactly) has the same sign s·α on every minimizer, so only σ_j = sign(s·α)
        // can make it positive; a vanishing row, or two such rows of opposite signs, leave no sign at all. Either way the
        // rows themselves are the certificate.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool ForcedSigns(out int[] forced)
        {
            int free = Free;
            int n = _data.Count;
            forced = new int[_shape.Hidden];
            (double[] rows, byte[] kinds) = Rows();
            for (int j = 0; j < _shape.Hidden; j++)
            {
                for (int i = 0; i < n; i++)
                {
                    byte kind = kinds[j * n + i];
                    if (kind == Vanishing) return false;
                    if (kind != Fixed) continue;
                    int sign = Math.Sign(rows[(j * n + i) * (free + 1) + free]);
                    if (forced[j] == 0) forced[j] = sign;
                    else if (forced[j] != sign) return false;
                }
            }
            return true;
        }

        // Narrows forced (from ForcedSigns) by each alive node's rows alone: a sign they refute fails in every choice
        // that gives the node that sign, since they are some of each such program's rows. False when some node is left
        // with no sign. It takes at most two programs per node where the choices are 2^open, none for a node whose
        // minimizers reach every p_j: they meet both of its cones, so its rows alone refute neither sign.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool NarrowSigns(int[] forced, DecisionCounts counts)
        {
            int[] alone = new int[_shape.Hidden];
            for (int j = 0; j < _shape.Hidden; j++)
            {
                if (((zeroed >> j) & 1) == 1 || ReachesEverywhere(j)) continue;
                int left = 0;
                foreach (int sign in forced[j] != 0 ? [forced[j]] : Both)
                {
                    alone[j] = sign;
                    if (!Refuted(alone, counts)) left = left == 0 ? sign : 2;
                }
                alone[j] = 0;
                if (left == 0) return false;
                if (left != 2) forced[j] = left;
            }
            return true;
        }

        private static readonly int[] Both = [1, -1];

        // Whether node j's block N_j of the free directions has rank d: elimination with partial pivoting, a pivot
        // counting when it exceeds 1e-9 of the largest entry of all the directions, so that a block of rounding noise
        // has rank 0. The rank only decides whether NarrowSigns tries the node's signs, never an answer: a block taken
        // for deficient costs two programs, one taken for full leaves both signs to the choices, whose programs decide them.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool ReachesEverywhere(int j)
        {
            int d = _shape.Features;
            int free = Free;
            if (free < d) return false;
            Span<double> block = stackalloc double[d * free];
            for (int k = 0; k < d; k++) basis.AsSpan((j * d + k) * free, free).CopyTo(block.Slice(k * free, free));
            double largest = LargestMagnitude(basis);
            int rank = 0;
            for (int c = 0; c < free && rank < d; c++)
            {
                int pivot = rank;
                for (int r = rank + 1; r < d; r++)
                {
                    if (Math.Abs(block[r * free + c]) > Math.Abs(block[pivot * free + c])) pivot = r;
                }
                if (!(Math.Abs(block[pivot * free + c]) > 1e-9 * largest)) continue;
                for (int e = 0; e < free; e++) (block[rank * free + e], block[pivot * free + e]) = (block[pivot * free + e], block[rank * free + e]);
                for (int r = rank + 1; r < d; r++)
                {
                    double factor = block[r * free + c] / block[rank * free + c];
                    for (int e = c; e < free; e++) block[r * free + e] -= factor * block[rank * free + e];
                }
                rank++;
            }
            return rank == d;
        }

        // Whether the sign choice's program is refuted without the program over every row: on a line of minimizers, or
        // on the rows of the cells' facets.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool Refuted(int[] signs, DecisionCounts counts)
        {
            double[] objective = Objective();
            if (Free == 1 && RefutedOnLine(signs, objective, counts)) return true;
            return cellFacets is not null && MarginProgram.Refutes(Program(signs, cellFacets), objective, ColumnFeasibility.MarginTolerance, SmallMargin, counts);
        }

        // max t over the variables (c_1..c_free, τ, t).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double[] Objective()
        {
            double[] objective = new double[Free + 2];
            objective[Free + 1] = 1.0;
            return objective;
        }

        // A minimizer p_min + N c strictly inside for the sign choice, decided with a certificate either way. Rows the null
        // space cannot move are left out: with the sign they force they read τ·1 ≥ t, which the link t ≤ τ already says.
        // The program over the rows of the cells' facets alone, a few rows per node instead of one per point, has the
        // same optimum as the program over every row: every other row of a node is a nonnegative combination of its
        // cell's facet rows (Farkas), with weights that sum to at least 1 on rows of unit ∞-norm, so it is at least t
        // wherever they are. Its optimal point is therefore the answer: a no by its multipliers, a yes by the witness
        // verified on the data as always. Only a point whose witness fails, or trouble, goes to the program over every row.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public RealizedMinimum? Inside(int[] signs, DecisionCounts counts, out bool decided)
        {
            decided = true;
            double[] objective = Objective();
            if (Free == 1 && RefutedOnLine(signs, objective, counts)) return null;
            Func<double[], RealizedMinimum?> accept = point => Realize(MinimizerAt(point), signs);
            if (cellFacets is not null && MarginProgram.TryDecide(Program(signs, cellFacets), objective, ColumnFeasibility.MarginTolerance, SmallMargin, accept, counts, out RealizedMinimum? found, out _))
                return found;
            return MarginProgram.Decide(Program(signs, null), objective, ColumnFeasibility.MarginTolerance, SmallMargin, accept, counts, out decided);
        }

        // The minimizer p_min + N c/τ of a margin program's point (c, τ, t).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double[] MinimizerAt(double[] point)
        {
            int free = Free;
            double[] p = (double[])Minimizer.Clone();
            double tau = point[free];
            for (int r = 0; r < p.Length; r++)
            {
                for (int c = 0; c < free; c++) p[r] += basis[r * free + c] * point[c] / tau;
            }
            return p;
        }

        // With one free direction the minimizers p_min + N c/τ form a line, and each moving row asks r = c/τ to lie on
        // one side of a point of it: the sign choice fails when the highest lower end is at or above the lowest upper
        // end. Those two rows, weighted so that c cancels, are multipliers of the program of just them and t ≤ τ, a
        // relaxation of every row's program, whose bound LinearProgram.UpperBound checks as it checks the simplex's.
        // On random:30,2,1 with bias, h = 2, three quarters of the sign choices that reach a program are of this kind,
        // and nearly all of them fail.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool RefutedOnLine(int[] signs, double[] objective, DecisionCounts counts)
        {
            (double[] rows, byte[] kinds) = Rows();
            int n = _data.Count;
            int below = -1, above = -1;
            double lowest = double.PositiveInfinity, highest = double.NegativeInfinity;
            for (int j = 0; j < _shape.Hidden; j++)
            {
                if (signs[j] == 0) continue;
                for (int i = 0; i < n; i++)
                {
                    int row = j * n + i;
                    if (kinds[row] != Moving) continue;
                    // σ_j(α τ + β c) > 0 is r > −α/β for σ_j β > 0 and r < −α/β for σ_j β < 0.
                    double beta = signs[j] * rows[row * 2];
                    double end = -rows[row * 2 + 1] / rows[row * 2];
                    if (beta > 0.0 && end > highest)
                    {
                        highest = end;
                        above = row;
                    }
                    else if (beta < 0.0 && end < lowest)
                    {
                        lowest = end;
                        below = row;
                    }
                }
            }
            if (above < 0 || below < 0 || highest < lowest) return false;
            LinearProgram program = StartProgram(1);
            AddRow(program, 1, signs[above / n], above);
            AddRow(program, 1, signs[below / n], below);
            Link(program, 1);
            double up = Math.Abs(rows[above * 2]), down = Math.Abs(rows[below * 2]);
            Span<double> multipliers = [down / (up + down), up / (up + down), 0.0];
            return MarginProgram.RefutesWith(program, objective, multipliers, ColumnFeasibility.MarginTolerance, counts);
        }

        // The margin program of a sign choice in the thread's workspace, over variables (c_1..c_free, τ, t) with rows
        // −σ_j(α τ + βᵀc) + t ≤ 0 on unit rows: for every point that moves, or only for the points of each cell's facets.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private LinearProgram Program(int[] signs, Func<int, int[]>? facets)
        {
            int free = Free;
            LinearProgram program = StartProgram(free);
            (_, byte[] kinds) = Rows();
            int n = _data.Count;
            for (int j = 0; j < _shape.Hidden; j++)
            {
                if (signs[j] == 0) continue;
                int[]? points = facets?.Invoke(j);
                for (int k = 0; k < (points?.Length ?? n); k++)
                {
                    int i = points?[k] ?? k;
                    if (kinds[j * n + i] == Moving) AddRow(program, free, signs[j], j * n + i);
                }
            }
            Link(program, free);
            return program;
        }

        // The thread's program, emptied, with the bounds of the margin variables: |c_k| ≤ 1, 0 ≤ τ ≤ 1, t ≤ 1.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static LinearProgram StartProgram(int free)
        {
            Span<double> lower = stackalloc double[free + 2];
            Span<double> upper = stackalloc double[free + 2];
            lower.Fill(-1.0);
            upper.Fill(1.0);
            lower[free] = 0.0;
            // |α τ + βᵀc| ≤ free + 1 on unit rows, so with t ≥ −(free + 2) the lower corner is feasible: no Phase I.
            lower[free + 1] = -(free + 2.0);
            LinearProgram program = Workspace.Current.Program;
            program.Reset(lower, upper);
            return program;
        }

        // −σ_j(α τ + βᵀc) + t ≤ 0 for the row at (j·N + i) of Rows.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AddRow(LinearProgram program, int free, int sign, int row)
        {
            double[] rows = Workspace.Current.Rows;
            Span<double> line = stackalloc double[free + 2];
            for (int c = 0; c <= free; c++) line[c] = -sign * rows[row * (free + 1) + c];
            line[free + 1] = 1.0;
            program.AddLessOrEqual(line, 0.0);
        }

        // t ≤ τ: a positive margin needs τ > 0, so the point can be divided by it.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Link(LinearProgram program, int free)
        {
            Span<double> line = stackalloc double[free + 2];
            line[free] = -1.0;
            line[free + 1] = 1.0;
            program.AddLessOrEqual(line, 0.0);
        }

        // The network of a normalised minimizer with these signs, in the data's units, if it verifies on the data as given.
        public RealizedMinimum? Realize(double[] normalizedMinimizer, int[] signs)
        {
            NormalizedData normalized = system.Normalized;
            Dataset data = normalized.Source;
            int n = data.Inputs;
            int d = _shape.Features;
            int hidden = _shape.Hidden;
            double[] p = new double[_shape.Parameters];
            // p_jk = s·p̃_jk/σ_k, q_j = s·q̃_j, c = s·c̃ + μ; zeroed nodes are exactly zero.
            for (int j = 0; j < hidden; j++)
            {
                if (signs[j] == 0) continue;
                for (int k = 0; k < n; k++) p[j * d + k] = normalized.TargetScale * normalizedMinimizer[j * d + k] / normalized.InputScales[k];
                if (_bias) p[j * d + n] = normalized.TargetScale * normalizedMinimizer[j * d + n];
            }
            if (_bias) p[^1] = normalized.TargetScale * normalizedMinimizer[^1] + normalized.TargetOffset;

            double[][] w = new double[hidden][];
            double[] b = new double[hidden];
            double[] v = new double[hidden];
            for (int j = 0; j < hidden; j++)
            {
                if (signs[j] == 0)
                {
                    w[j] = cellWitnesses[j][..n];
                    if (_bias) b[j] = cellWitnesses[j][n];
                    continue;
                }
                v[j] = signs[j] * OutputScale(normalizedMinimizer.AsSpan(j * d, d), normalized.TargetScale);
                w[j] = new double[n];
                for (int k = 0; k < n; k++) w[j][k] = p[j * d + k] / v[j];
                if (_bias) b[j] = p[j * d + n] / v[j];
            }
            NetworkWitness? witness = NetworkWitness.Verify(data, _bias, columns, w, b, v, _bias ? p[^1] : 0.0, loss, WitnessTolerance(normalized, _shape));
            return witness is null ? null : new RealizedMinimum(p, signs, witness);
        }

        // max_k |a_k|: once per candidate, millions of times a run, so a loop rather than a LINQ pipeline.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double LargestMagnitude(double[] a)
        {
            double largest = 0.0;
            foreach (double e in a) largest = Math.Max(largest, Math.Abs(e));
            return largest;
        }
    }

    // Storage that every decision on a thread reuses: the margin program and the rows it is built from. Decisions run
    // by the million on pool threads, and fresh programs of a few hundred rows each made the collector a third of the time.
    private sealed class Workspace
    {
        [ThreadStatic]
        private static Workspace? t_current;

        public static Workspace Current => t_current ??= new Workspace();

        public LinearProgram Program { get; } = new([], []);

        public double[] Rows { get; private set; } = [];

        public byte[] Kinds { get; private set; } = [];

        // Storage for at least length values; a candidate writes every row it does not mark Skip before reading it.
        public double[] RowStorage(int length)
        {
            if (Rows.Length < length) Rows = new double[length];
            return Rows;
        }

        // Storage for length kinds, cleared: an entry left from an earlier candidate must read as Skip.
        public byte[] KindStorage(int length)
        {
            if (Kinds.Length < length) Kinds = new byte[length];
            Array.Clear(Kinds, 0, length);
            return Kinds;
        }
    }
}
