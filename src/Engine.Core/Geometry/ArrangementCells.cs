using System.Collections.Concurrent;
using Engine.Core.Data;
using Engine.Core.Regions;

namespace Engine.Core.Geometry;

/// <summary>
/// The cells of an arrangement after its first <paramref name="Points"/> points were added, in the normalised data's
/// units: what <see cref="ArrangementCells.Enumerate"/> needs to continue where it stopped.
/// </summary>
/// <param name="Points">Points added so far.</param>
/// <param name="Columns">Each cell's column.</param>
/// <param name="Witnesses">Each cell's interior point on the normalised data.</param>
/// <param name="Splits">The hyperplanes that split each cell's ancestors (its possible facets).</param>
/// <param name="Programs">Margin programs solved so far.</param>
/// <param name="Fallbacks">Of them, sent to GLOP.</param>
/// <param name="Unchecked">Of them, decided without a verified witness or certificate.</param>
public sealed record ArrangementState(int Points, IReadOnlyList<ulong[]> Columns, IReadOnlyList<double[]> Witnesses, IReadOnlyList<int[]> Splits,
    long Programs, long Fallbacks, long Unchecked);

/// <summary>
/// The feasible activation columns of one hidden node: the cells of the central hyperplane arrangement
/// {(w, b) : wᵀx_i + b = 0} in ℝ^d, d = n + 1 with bias and d = n without (Figure 1 shows the three lines of
/// paper-fig3 cutting ℝ² into six cells). Every node has the same cells, so a region is nonempty exactly when
/// each of its columns is one of them.
/// </summary>
/// <remarks>
/// Cells are built by adding the hyperplanes one at a time: each cell keeps a strictly interior witness, the
/// side of the new hyperplane the witness lies on is inherited for free, and the other side costs one margin
/// program (<see cref="ColumnFeasibility.Witness"/>). The work is O(cells · N) programs, polynomial in N
/// (the count is O(N^(d−1))), instead of testing all 2^N columns. Each cell also keeps the hyperplanes that split
/// its ancestors: they include all of its facets, so they define it exactly, and its programs need only those
/// rows (typically a few dozen) instead of every hyperplane added so far. Points with x̃_i = 0 add no hyperplane
/// and leave every column inactive there; duplicate points add a hyperplane that splits nothing. The programs run on
/// the normalised data, and every split is decided with a verified witness or a certificate (<see cref="MarginProgram"/>).
/// </remarks>
public sealed class ArrangementCells
{
    private readonly int[]?[] _facets;
    private readonly Lazy<Adjacency> _adjacency;
    private readonly ConcurrentDictionary<RegionShape, ColumnWorkspaces> _workspaces = new();

    private ArrangementCells(NormalizedData normalized, List<ulong[]> columns, List<double[]> witnesses, List<int[]> splits, DecisionCounts decisions)
    {
        Normalized = normalized;
        Columns = columns;
        Witnesses = witnesses;
        Splits = splits;
        Decisions = decisions;
        _facets = new int[]?[columns.Count];
        _adjacency = new Lazy<Adjacency>(() => new Adjacency(columns, ColumnFeasibility.Words(normalized.Data.Count)));
    }

    /// <summary>The dataset whose points define the hyperplanes, as given.</summary>
    public Dataset Data => Normalized.Source;

    /// <summary>The normalised copy the programs ran on.</summary>
    public NormalizedData Normalized { get; }

    /// <summary>How the cells' programs were decided (simplex with checks, GLOP fallbacks).</summary>
    public DecisionCounts Decisions { get; }

    /// <summary>Whether the node has a bias b_j.</summary>
    public bool Bias => Normalized.Bias;

    /// <summary>Number of cells: feasible columns of one node.</summary>
    public int Count => Columns.Count;

    /// <summary>Each cell's activation column (bit i = a_ij), in a deterministic order.</summary>
    public IReadOnlyList<ulong[]> Columns { get; }

    /// <summary>A strictly interior (w_j[, b_j]) of each cell in the data's own units, its signs verified on the data as given.</summary>
    public IReadOnlyList<double[]> Witnesses { get; }

    /// <summary>The points whose hyperplanes split each cell's ancestors: every facet of the cell is among them.</summary>
    public IReadOnlyList<int[]> Splits { get; }

    /// <summary>
    /// The points of <paramref name="cell"/>'s facets: positivity on their rows is positivity on every point. In a central
    /// arrangement the cell across a facet differs from this one exactly on the points of the facet's hyperplane, so a
    /// split point is a facet when the column with its hyperplane's points flipped is a cell too: a lookup, where asking
    /// whether the other splits imply its row takes a program per split (the tests compare the two). Found on first
    /// use, once per cell; safe to call from any thread.
    /// </summary>
    public int[] Facets(int cell)
    {
        int[]? facets = Volatile.Read(ref _facets[cell]);
        if (facets is not null) return facets;
        // Two threads may both find a cell's facets; they find the same points, and either result is kept.
        facets = _adjacency.Value.Facets(Columns[cell], Splits[cell]);
        Volatile.Write(ref _facets[cell], facets);
        return facets;
    }

    // Every cell's column, for lookups, and for each point the points whose hyperplane is the same as its own: those
    // whose activation equals it (same ray) or is its complement (opposite ray) in every cell.
    private sealed class Adjacency
    {
        private readonly HashSet<ulong[]> _cells;
        private readonly ulong[][] _hyperplanes;

        public Adjacency(List<ulong[]> columns, int words)
        {
            _cells = new HashSet<ulong[]>(columns, WordsComparer.Instance);
            int points = words * 64;
            int cellWords = ColumnFeasibility.Words(columns.Count);
            // Point i's activation over the cells, complemented where cell 0 has it active: equal rows, equal hyperplanes.
            var signatures = new ulong[points][];
            for (int i = 0; i < points; i++)
            {
                signatures[i] = new ulong[cellWords];
                bool flip = ColumnFeasibility.Active(columns[0], i);
                for (int c = 0; c < columns.Count; c++)
                {
                    if (ColumnFeasibility.Active(columns[c], i) != flip) ColumnFeasibility.SetActive(signatures[i], c);
                }
            }
            var groups = new Dictionary<ulong[], ulong[]>(WordsComparer.Instance);
            _hyperplanes = new ulong[points][];
            for (int i = 0; i < points; i++)
            {
                if (!groups.TryGetValue(signatures[i], out ulong[]? group)) groups[signatures[i]] = group = new ulong[words];
                ColumnFeasibility.SetActive(group, i);
                _hyperplanes[i] = group;
            }
        }

        public int[] Facets(ulong[] column, int[] splits)
        {
            var facets = new List<int>(splits.Length);
            ulong[] across = new ulong[column.Length];
            foreach (int i in splits)
            {
                for (int w = 0; w < column.Length; w++) across[w] = column[w] ^ _hyperplanes[i][w];
                if (_cells.Contains(across)) facets.Add(i);
            }
            return [.. facets];
        }
    }

    private sealed class WordsComparer : IEqualityComparer<ulong[]>
    {
        public static WordsComparer Instance { get; } = new();

        public bool Equals(ulong[]? a, ulong[]? b) => a.AsSpan().SequenceEqual(b);

        public int GetHashCode(ulong[] words)
        {
            var hash = new HashCode();
            foreach (ulong word in words) hash.Add(word);
            return hash.ToHashCode();
        }
    }

    /// <summary>
    /// The workspaces of networks of <paramref name="shape"/>'s size over these cells, kept with them so that every
    /// enumeration over the cells reuses the sums its threads have made. Safe to call from any thread.
    /// </summary>
    public ColumnWorkspaces Workspaces(RegionShape shape) => _workspaces.GetOrAdd(shape, s => new ColumnWorkspaces(Normalized, s));

    /// <summary>Dimension d of the arrangement: n + 1 with bias, n without.</summary>
    public int Dimension => Data.Inputs + (Bias ? 1 : 0);

    /// <summary>
    /// The cells of <paramref name="data"/>'s arrangement as found before (a run directory's cache), each witness
    /// checked again on the data; <see cref="EngineInputException"/> when one fails.
    /// </summary>
    public static ArrangementCells FromCells(Dataset data, bool bias, IReadOnlyList<ulong[]> columns, IReadOnlyList<double[]> witnesses, IReadOnlyList<int[]> splits,
        DecisionCounts decisions)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(witnesses);
        ArgumentNullException.ThrowIfNull(splits);
        NormalizedData normalized = NormalizedData.Create(data, bias);
        double[] x = new double[data.Inputs + (bias ? 1 : 0)];
        int[] all = Enumerable.Range(0, data.Count).Where(i => ColumnFeasibility.Augmented(normalized.Data, bias, i, x) > 0.0).ToArray();
        for (int c = 0; c < columns.Count; c++)
        {
            if (!ColumnFeasibility.StrictlyInside(data, bias, columns[c], all, witnesses[c]))
                throw new EngineInputException($"stored cell {c} does not hold on this data; delete the stored cells to compute them again");
        }
        return new ArrangementCells(normalized, [.. columns], [.. witnesses], [.. splits], decisions);
    }

    /// <summary>
    /// Enumerates the cells of <paramref name="data"/>'s arrangement. <paramref name="checkpoint"/>, when given, sees the
    /// state after every point added; passing such a state back as <paramref name="resume"/> continues from there.
    /// </summary>
    public static ArrangementCells Enumerate(Dataset data, bool bias, CancellationToken cancellation = default,
        ArrangementState? resume = null, Action<ArrangementState>? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Inputs + (bias ? 1 : 0) > RegionShape.MaxColumnParameters)
            throw new EngineInputException($"n = {data.Inputs:N0} inputs: the arrangement's cells live in ℝ^{data.Inputs + (bias ? 1 : 0)}, and cells are found in at most {RegionShape.MaxColumnParameters:N0} dimensions");
        NormalizedData normalized = NormalizedData.Create(data, bias);
        Dataset scaled = normalized.Data;
        var decisions = new DecisionCounts();
        int words = ColumnFeasibility.Words(data.Count);
        int d = data.Inputs + (bias ? 1 : 0);
        var columns = new List<ulong[]> { new ulong[words] };
        var witnesses = new List<double[]> { new double[d] };
        var splits = new List<int[]> { Array.Empty<int>() };
        int firstPoint = 0;
        if (resume is not null)
        {
            columns = [.. resume.Columns];
            witnesses = [.. resume.Witnesses];
            splits = [.. resume.Splits];
            decisions.Add(resume.Programs, resume.Fallbacks, resume.Unchecked);
            firstPoint = resume.Points;
        }
        double[] x = new double[d];
        for (int i = firstPoint; i < data.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            double norm = ColumnFeasibility.Augmented(scaled, bias, i, x);
            if (norm == 0.0) continue;
            int point = i;
            var children = new (ulong[]? Column, double[]? Witness, int[]? Splits)[2 * columns.Count];
            Parallel.For(0, columns.Count, c =>
            {
                double side = 0.0;
                double[] w = witnesses[c];
                for (int k = 0; k < d; k++) side += w[k] * x[k];
                side /= norm;
                int[] rows = [.. splits[c], point];
                for (int s = 0; s < 2; s++)
                {
                    ulong[] child = (ulong[])columns[c].Clone();
                    if (s == 1) ColumnFeasibility.SetActive(child, point);
                    double sign = s == 1 ? 1.0 : -1.0;
                    double[]? witness = sign * side > ColumnFeasibility.MarginTolerance ? w
                        : ColumnFeasibility.Witness(normalized, child, rows, decisions);
                    if (witness is not null) children[2 * c + s] = (child, witness, null);
                }
                // Split: both children gain the new hyperplane as a possible facet. Not split: the cell is unchanged.
                bool split = children[2 * c].Column is not null && children[2 * c + 1].Column is not null;
                for (int s = 0; s < 2; s++)
                {
                    if (children[2 * c + s].Column is not null) children[2 * c + s].Splits = split ? rows : splits[c];
                }
            });
            columns.Clear();
            witnesses.Clear();
            splits.Clear();
            foreach ((ulong[]? column, double[]? witness, int[]? split) in children)
            {
                if (column is null) continue;
                columns.Add(column);
                witnesses.Add(witness!);
                splits.Add(split!);
            }
            checkpoint?.Invoke(new ArrangementState(i + 1, columns, witnesses, splits, decisions.Programs, decisions.Fallbacks, decisions.Unchecked));
        }
        // Witnesses in the data's units: w_k/σ_k multiplies the original x_k as w_k multiplied x_k/σ_k. Dividing by a power
        // of two is exact, so the signs verified on the normalised data hold on the original; they are checked again.
        int[] all = Enumerable.Range(0, data.Count).Where(i => ColumnFeasibility.Augmented(scaled, bias, i, x) > 0.0).ToArray();
        for (int c = 0; c < witnesses.Count; c++)
        {
            double[] w = InDataUnits(witnesses[c]);
            // A witness found on the facets' rows alone can miss a point by rounding where hyperplanes nearly coincide
            // (nearly collinear points at ε = 1e-8): the program over every point finds one that clears them all.
            if (!ColumnFeasibility.StrictlyInside(data, bias, columns[c], all, w)
                && (ColumnFeasibility.Witness(normalized, columns[c], all, decisions) is not { } retried
                    || !ColumnFeasibility.StrictlyInside(data, bias, columns[c], all, w = InDataUnits(retried))))
                throw new EngineInputException($"dataset '{data.Name}': no point strictly inside cell {c} of the arrangement holds in double precision; its hyperplanes nearly coincide (points nearly duplicate or collinear)");
            witnesses[c] = w;
        }

        double[] InDataUnits(double[] normalizedWitness)
        {
            double[] w = (double[])normalizedWitness.Clone();
            for (int k = 0; k < data.Inputs; k++) w[k] = normalized.InputWeight(w[k], k);
            return w;
        }
        return new ArrangementCells(normalized, columns, witnesses, splits, decisions);
    }

    /// <summary>
    /// Cells of a central arrangement of <paramref name="hyperplanes"/> hyperplanes in general position in
    /// ℝ^<paramref name="dimension"/>: 2·Σ_{k=0}^{d−1} C(N−1, k) (Cover's function-counting theorem). For
    /// paper-fig3 without bias (N = 3, d = 2) it gives Figure 1's 6.
    /// </summary>
    public static long GeneralPositionCount(int hyperplanes, int dimension)
    {
        if (hyperplanes == 0) return 1;
        long sum = 0;
        long binomial = 1;
        for (int k = 0; k < dimension && k <= hyperplanes - 1; k++)
        {
            sum += binomial;
            binomial = binomial * (hyperplanes - 1 - k) / (k + 1);
        }
        return 2 * sum;
    }
}
