using Engine.Core.Data;

namespace Engine;

/// <summary>Where the region math runs.</summary>
public enum RegionPath
{
    /// <summary>Kernels on a GPU; the host twin on the CPU backend, where ILGPU's simulated warps are several times slower.</summary>
    Auto,
    /// <summary>The host twin: the same math in plain C# over all cores, groups of regions in SIMD lanes where they apply.</summary>
    Host,
    /// <summary>The host twin with no SIMD lanes: every region by the scalar path (the benchmarks' baseline).</summary>
    Scalar,
    /// <summary>The ILGPU kernels on the opened accelerator, whatever it is.</summary>
    Kernel,
}

/// <summary>An enumeration of activation regions: dataset, network, index range and what to keep.</summary>
public sealed class RegionRequest
{
    /// <summary>Most regions whose individual results a request may keep in memory.</summary>
    public const long MaxKeptRegions = 1L << 26;

    /// <summary>The dataset.</summary>
    public required Dataset Data { get; init; }

    /// <summary>Hidden nodes h.</summary>
    public required int Hidden { get; init; }

    /// <summary>Whether the network has biases b and c.</summary>
    public bool Bias { get; init; }

    /// <summary>First region index.</summary>
    public long Start { get; init; }

    /// <summary>Regions to enumerate; null for every region from <see cref="Start"/> on.</summary>
    public long? Count { get; init; }

    /// <summary>Histogram bins over [0, dead-region loss].</summary>
    public int Bins { get; init; } = 20;

    /// <summary>Keep every region's loss and rank (small runs).</summary>
    public bool KeepRegions { get; init; }

    /// <summary>
    /// Keep every region's minimum-norm minimizer too (implies <see cref="KeepRegions"/>). Only the range engine underneath
    /// keeps them; <see cref="EngineSession"/> refuses the option rather than ignore it.
    /// </summary>
    public bool KeepSolutions { get; init; }

    /// <summary>
    /// Decide which regions are nonempty and which subglobal minima are realizable (<see cref="Realizability"/>).
    /// Host work per region: an exhaustive run keeps its regions to do it; a nonempty run does it as it goes.
    /// </summary>
    public bool Realizability { get; init; }

    /// <summary>With <see cref="Realizability"/> (refused without it): keep the verified network θ = (W, b, v, c) of every realizable region.</summary>
    public bool Witnesses { get; init; }

    /// <summary>
    /// Also certify the global minimum inf L_f of the real network (<see cref="EngineSession.Global(GlobalRequest, IProgress{RunProgress}?, CancellationToken)"/>), so that poor minima
    /// are measured against it (<see cref="MinimaAnalysis"/>). Runs of at most 2^16 activation patterns find it anyway.
    /// </summary>
    public bool Global { get; init; }

    /// <summary>
    /// With <see cref="KeepRegions"/>: each kept region's minimum of L_f over its closed region (all signs of v), the loss
    /// a training run can actually reach there (<see cref="RegionRow.Closure"/>); empty regions have none.
    /// </summary>
    public bool Closure { get; init; }

    /// <summary>Enumerate only the nonempty regions, as combinations of arrangement cells (any N·h).</summary>
    public bool Nonempty { get; init; }

    /// <summary>For nonempty enumeration: multisets of node columns instead of ordered tuples.</summary>
    public bool Unordered { get; init; }

    /// <summary>Where the math runs.</summary>
    public RegionPath Path { get; init; }

    /// <summary>Regions per batch; progress and cancellation are checked between batches.</summary>
    public long BatchSize { get; init; } = 1L << 22;
}
