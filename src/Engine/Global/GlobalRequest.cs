using Engine.Core.Data;
using Engine.Core.Geometry;
using Engine.Core.Regions;

namespace Engine;

/// <summary>
/// A request for the certified global minimum inf L_f of the real network with <see cref="Hidden"/> nodes on
/// <see cref="Data"/> (<see cref="EngineSession.Global(GlobalRequest, IProgress{RunProgress}?, CancellationToken)"/>). Every combination of its properties is meaningful; what
/// cannot run is refused by <see cref="Validate"/>, before any work.
/// </summary>
public sealed record GlobalRequest
{
    /// <summary>The dataset.</summary>
    public required Dataset Data { get; init; }

    /// <summary>Hidden nodes h.</summary>
    public required int Hidden { get; init; }

    /// <summary>Whether the network has biases b and c.</summary>
    public bool Bias { get; init; }

    /// <summary>
    /// Throws <see cref="EngineInputException"/>, naming the property, for a request that cannot run: h outside
    /// [1, <see cref="Realizability.MaxHidden"/>] (the lowest realizable minimum is decided too), or data that double
    /// precision cannot hold. Needs no device; the sizes that depend on the data's cells are checked when it runs.
    /// </summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Data);
        if (Hidden < 1) throw new EngineInputException($"Hidden: hidden nodes must be positive, got {Hidden}");
        if (Hidden > Realizability.MaxHidden)
            throw new EngineInputException($"Hidden: h = {Hidden} exceeds {Realizability.MaxHidden}, the most for which realizability (3^h sign choices per region) is decided");
        NormalizedData.Create(Data, Bias);
        if (RegionShape.ForColumns(Data.Count, Data.Inputs, Hidden, Bias).Parameters > MaxParameters)
            throw new EngineInputException($"Hidden: h·(n{(Bias ? " + 1) + 1" : ")")} = {RegionShape.ForColumns(Data.Count, Data.Inputs, Hidden, Bias).Parameters} parameters exceed the {MaxParameters} the closure programs take");
    }

    /// <summary>Most unknowns p_j (and c) a closure program may have.</summary>
    public const int MaxParameters = 64;
}

/// <summary>
/// A global search prepared to run (<see cref="EngineSession.PlanGlobal"/>): the cells are found, and the sizes and the time
/// of its first phase are known before any long work.
/// </summary>
public sealed class GlobalPlan
{
    internal GlobalPlan(GlobalRequest request, RunOptions options, Core.Geometry.ArrangementCells cells, long rows, double boundSeconds)
    {
        Request = request;
        Options = options;
        Cells = cells;
        Rows = rows;
        BoundSeconds = boundSeconds;
    }

    /// <summary>What is asked.</summary>
    public GlobalRequest Request { get; }

    /// <summary>Where it runs: in memory, or a run directory and the part of it this call computes.</summary>
    public RunOptions Options { get; }

    internal Core.Geometry.ArrangementCells Cells { get; }

    /// <summary>Cells per node of the arrangement.</summary>
    public int CellsPerNode => Cells.Count;

    /// <summary>Unordered nonempty regions, each bounded by its subglobal minimum.</summary>
    public long Rows { get; }

    /// <summary>
    /// Estimated seconds of the bounds phase, measured on a sample of the rows. The closure programs that follow depend on
    /// how much the bounds prune (most regions, on the data tried); their phase shows its own progress.
    /// </summary>
    public double BoundSeconds { get; }

    /// <summary>Memory the search holds: 12 bytes per region for its bound and order, and the cells.</summary>
    public long MemoryBytes => 12 * Rows + (long)Cells.Count * (Cells.Data.Count / 8 + 8 * Cells.Dimension + 64);
}
