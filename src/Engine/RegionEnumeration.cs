using Engine.Core.Geometry;
using Engine.Core.Regions;

namespace Engine;

/// <summary>The outcome of a <see cref="RegionRequest"/>, complete or stopped early by cancellation.</summary>
internal sealed class RegionEnumeration
{
    internal RegionEnumeration(RegionRequest request, RegionTables tables, long count, LossSummary summary, RegionPath path, string device)
    {
        Request = request;
        Shape = tables.Shape;
        DeadRegionLoss = tables.DeadRegionLoss;
        Requested = count;
        Summary = summary;
        Path = path;
        Device = device;
    }

    /// <summary>What was asked.</summary>
    public RegionRequest Request { get; }

    /// <summary>Sizes of the problem.</summary>
    public RegionShape Shape { get; }

    /// <summary>Loss of the all-zeros region, the histogram's upper edge.</summary>
    public double DeadRegionLoss { get; }

    /// <summary>Regions asked for.</summary>
    public long Requested { get; }

    /// <summary>Regions finished: [Start, Start + Done) when interrupted.</summary>
    public long Done => Summary.Count;

    /// <summary>Whether every requested region was solved.</summary>
    public bool Completed => Done == Requested;

    /// <summary>Histogram and extremes.</summary>
    public LossSummary Summary { get; }

    /// <summary>Each region's loss when kept, indexed from <see cref="RegionRequest.Start"/>.</summary>
    public double[]? Losses { get; internal set; }

    /// <summary>Each region's Eq. 7 rank when kept.</summary>
    public int[]? Ranks { get; internal set; }

    /// <summary>Each region's minimum-norm minimizer (m values) when kept.</summary>
    public double[]? Solutions { get; internal set; }

    /// <summary>With realizability: whether each kept region is nonempty (every column a cell of the arrangement).</summary>
    public bool[]? Feasible { get; internal set; }

    /// <summary>With realizability: whether each kept region's subglobal minimum is realizable.</summary>
    public bool[]? Realizable { get; internal set; }

    /// <summary>With realizability: whether each region's realizability is undecided (never counted as not realizable).</summary>
    public bool[]? Undecided { get; internal set; }

    /// <summary>With realizability: histogram and extremes of the realizable minima.</summary>
    public LossSummary? RealizableSummary { get; internal set; }

    /// <summary>With <see cref="RegionRequest.Witnesses"/>: each realizable region's index and verified network, in index order.</summary>
    public IReadOnlyList<(long Index, NetworkWitness Witness)>? Witnesses { get; internal set; }

    /// <summary>With realizability: how the cells' and minima's margin programs were decided.</summary>
    public DecisionCounts Decisions { get; } = new();

    /// <summary>The path that ran.</summary>
    public RegionPath Path { get; }

    /// <summary>The device that ran it.</summary>
    public string Device { get; }

    /// <summary>Wall-clock seconds, table building included.</summary>
    public double Seconds { get; internal set; }
}
