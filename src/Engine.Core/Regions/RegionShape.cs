namespace Engine.Core.Regions;

/// <summary>
/// Sizes of one enumeration: N points in ℝⁿ, h hidden nodes, with or without the biases b and c, and how the
/// N·h activation bits are split into chunks whose partial Eq. 7 systems are tabulated once.
/// Activation pattern A has index Σ a_ij·2^(i·h+j): bit i·h+j is a_ij (i = data point, j = hidden node).
/// Passed by value into kernels, so it holds only primitives.
/// </summary>
public readonly struct RegionShape : IEquatable<RegionShape>
{
    /// <summary>Most activation bits an enumeration may have: indices and counts stay within a long.</summary>
    public const int MaxPatternBits = 62;

    // Each table holds 2^ChunkBits systems; 12 bits (4096 entries) keeps a table in cache on the CPU.
    private const int MaxChunkBits = 12;

    /// <summary>Most parameters m of a region built from its columns: its m×m system and factors take 16 MiB per thread at this size.</summary>
    public const int MaxColumnParameters = 1024;
    private const long MaxTableBytes = 512L << 20;

    /// <summary>Computes the sizes, throwing <see cref="EngineInputException"/> for impossible ones.</summary>
    public RegionShape(int points, int inputs, int hidden, bool bias) : this(points, inputs, hidden, bias, indexed: true)
    {
    }

    private RegionShape(int points, int inputs, int hidden, bool bias, bool indexed)
    {
        if (hidden <= 0)
            throw new EngineInputException($"hidden nodes must be positive, got {hidden}");
        if (points <= 0 || inputs <= 0)
            throw new EngineInputException($"dataset must have points and inputs, got N={points}, n={inputs}");
        long bits = (long)points * hidden;
        if (indexed && bits > MaxPatternBits)
            throw new EngineInputException($"N·h = {points}·{hidden} = {bits} activation bits: 2^{bits} regions cannot be indexed (at most 2^{MaxPatternBits})");
        Points = points;
        Inputs = inputs;
        Hidden = hidden;
        Bias = bias ? 1 : 0;
        Features = inputs + Bias;
        Parameters = hidden * Features + Bias;
        EntrySize = Parameters * (Parameters + 1) / 2 + Parameters;

        PatternBits = (int)Math.Min(bits, int.MaxValue);
        // Certification constants, stored so that every region of a launch reads them instead of recomputing.
        EntryRounding = (points + Parameters + 4) * RegionSolve.UnitRoundoff;
        RankCertificate = 100.0 * Parameters * EntryRounding;
        double half = 0.5 * RegionSolve.FastPathAccuracy;
        double rhsBound = half / (2.0 * Math.Sqrt(Parameters) * EntryRounding);
        LossCertificate = Math.Min(half / (Parameters * EntryRounding), rhsBound * rhsBound);
        RankCut = Math.Max(points, Parameters) * RegionSolve.MachineEpsilon;

        // Regions built from their columns need no chunk tables, but each thread holds an m×m system and its factors.
        if (!indexed)
        {
            if (Parameters > MaxColumnParameters)
                throw new EngineInputException($"h = {hidden} with n = {inputs} inputs gives {Parameters:N0} parameters; a region's Eq. 7 system is m×m and at most m = {MaxColumnParameters:N0} is solved");
            return;
        }
        int chunkPoints = Math.Max(1, Math.Min(points, MaxChunkBits / hidden));
        while (chunkPoints > 1 && TableBytes(points, chunkPoints, hidden, EntrySize) > MaxTableBytes) chunkPoints--;
        if (TableBytes(points, chunkPoints, hidden, EntrySize) > MaxTableBytes)
            throw new EngineInputException($"h = {hidden} with {Parameters} parameters needs more than {MaxTableBytes >> 20} MiB of Eq. 7 tables");
        ChunkPoints = chunkPoints;
        ChunkBits = chunkPoints * hidden;
        Chunks = (points + chunkPoints - 1) / chunkPoints;
        TableStride = (1L << ChunkBits) * EntrySize;
    }

    /// <summary>
    /// Sizes for regions built straight from their activation columns (nonempty enumeration), where N·h may
    /// exceed <see cref="MaxPatternBits"/>: then <see cref="Indexed"/> is false and <see cref="Regions"/> is meaningless.
    /// </summary>
    public static RegionShape ForColumns(int points, int inputs, int hidden, bool bias) => new(points, inputs, hidden, bias, indexed: false);

    /// <summary>Whether every region has an index Σ a_ij·2^(i·h+j) within a long.</summary>
    /// <remarks>Computed, not stored: a bool field would make the struct non-blittable for the kernels.</remarks>
    public bool Indexed => PatternBits <= MaxPatternBits;

    /// <summary>Data points N.</summary>
    public int Points { get; }

    /// <summary>Input dimension n.</summary>
    public int Inputs { get; }

    /// <summary>Hidden nodes h.</summary>
    public int Hidden { get; }

    /// <summary>1 when the network has biases b and c, else 0.</summary>
    public int Bias { get; }

    /// <summary>Parameters per node in Eq. 4: p_j (n of them) and, with bias, q_j.</summary>
    public int Features { get; }

    /// <summary>
    /// Unknowns m of the Eq. 7 system, ordered node by node as [p_j, q_j], then c: h·(n + 1) + 1 with bias, h·n without.
    /// </summary>
    public int Parameters { get; }

    /// <summary>Activation bits N·h.</summary>
    public int PatternBits { get; }

    /// <summary>Number of activation patterns 2^(N·h), when <see cref="Indexed"/>.</summary>
    public long Regions => 1L << PatternBits;

    /// <summary>Doubles per tabulated system: the packed upper triangle of the m×m matrix, then the right-hand side.</summary>
    public int EntrySize { get; }

    /// <summary>Data points per chunk (the last chunk may have fewer); 0 for a shape made by <see cref="ForColumns"/>.</summary>
    public int ChunkPoints { get; }

    /// <summary>Activation bits per chunk.</summary>
    public int ChunkBits { get; }

    /// <summary>Number of chunks.</summary>
    public int Chunks { get; }

    /// <summary>Doubles between consecutive chunk tables.</summary>
    public long TableStride { get; }

    /// <summary>Scratch offset of the right-hand side b (m values) after the m×m matrix at offset 0; z = L⁻¹Pᵀb after a solve.</summary>
    public int Rhs => Parameters * Parameters;

    /// <summary>Scratch offset of the pivoting permutation: permuted position k holds parameter s[Permutation + k].</summary>
    public int Permutation => Rhs + Parameters;

    /// <summary>Scratch offset of the equilibration scales s_k = 1/‖z_k‖ (1 for a zero column), permuted alongside.</summary>
    public int Scales => Permutation + Parameters;

    /// <summary>Scratch offset of the design Z (N×m, column-major) that the exact path factors, and of temporaries before that.</summary>
    public int Design => Scales + Parameters;

    /// <summary>Scratch offset of the targets ỹ (N) beside the design.</summary>
    public int DesignTargets => Design + Points * Parameters;

    /// <summary>Doubles of scratch one region's loss needs: matrix, right-hand side, permutation, scales, and the design.</summary>
    public int LossScratch => DesignTargets + Points;

    /// <summary>Doubles of scratch one region's loss and minimum-norm solution need together.</summary>
    public int SolutionScratch => LossScratch + 2 * Parameters * Parameters + 3 * Parameters;

    /// <summary>
    /// Rounding bound g = (N + m + 4)·u (u = 2⁻⁵³) on each entry of the equilibrated Eq. 7 system: its sums over N
    /// points, its scaling and the Cholesky factorization's backward error together (Higham, <i>Accuracy and Stability
    /// of Numerical Algorithms</i>, Thm. 10.3). Entries are at most 1 after equilibration, so the perturbation's norm is
    /// at most m·g.
    /// </summary>
    public double EntryRounding { get; }

    /// <summary>
    /// Smallest lower bound on σ_min² of the equilibrated design that certifies the fast path's full rank: a hundred
    /// times the perturbation norm m·g, so the exact matrix is nonsingular too and σ_min(Z̃) is far above any rank cut.
    /// </summary>
    public double RankCertificate { get; }

    /// <summary>
    /// C such that ‖p̃‖² ≤ C·Σỹ² certifies the fast path's loss to <see cref="RegionSolve.FastPathAccuracy"/>·Σỹ². The loss
    /// error is at most m·g·‖p̃‖² (perturbed matrix) + 2√m·g·‖ỹ‖·‖p̃‖ (perturbed right-hand side) to first order; each
    /// term is held to half the accuracy.
    /// </summary>
    public double LossCertificate { get; }

    /// <summary>
    /// Relative rank cut ρ = max(N, m)·ε of the exact path, LAPACK's and NumPy's default rcond: a column whose
    /// pivoted QR diagonal falls to ρ·|R₁₁| or below is dependent.
    /// </summary>
    public double RankCut { get; }


    /// <summary>Whether <paramref name="other"/> has the same sizes (every other field follows from them).</summary>
    public bool Equals(RegionShape other) =>
        Points == other.Points && Inputs == other.Inputs && Hidden == other.Hidden && Bias == other.Bias && PatternBits == other.PatternBits
        && ChunkPoints == other.ChunkPoints;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RegionShape other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Points, Inputs, Hidden, Bias, PatternBits, ChunkPoints);

    /// <summary>Equal sizes.</summary>
    public static bool operator ==(RegionShape left, RegionShape right) => left.Equals(right);

    /// <summary>Different sizes.</summary>
    public static bool operator !=(RegionShape left, RegionShape right) => !left.Equals(right);

    private static long TableBytes(int points, int chunkPoints, int hidden, int entrySize) =>
        (points + chunkPoints - 1) / chunkPoints * (1L << (chunkPoints * hidden)) * entrySize * sizeof(double);
}
