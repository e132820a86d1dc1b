using Engine.Core.Regions;
using ILGPU;

namespace Engine.Kernels;

/// <summary>Scalar arguments of an Eq. 7 launch: which regions, the sizes, Σỹ² and the loss units.</summary>
/// <param name="Shape">Sizes and chunking of the enumeration.</param>
/// <param name="Start">Index of the batch's first region.</param>
/// <param name="Count">Regions in the batch.</param>
/// <param name="Threads">Threads launched; each walks the batch with this stride.</param>
/// <param name="SumSquaredTargets">Σ ỹ_i² of the normalised targets.</param>
/// <param name="LossScale">Turns a normalised loss into the data's units.</param>
public readonly record struct RegionLaunch(RegionShape Shape, long Start, long Count, long Threads, double SumSquaredTargets, double LossScale);

/// <summary>What a region-solve kernel stores for region r of its batch.</summary>
public interface IRegionOutput
{
    /// <summary>
    /// Stores the outcome of region <paramref name="r"/>; <paramref name="scratch"/> still holds its factor and
    /// <paramref name="design"/> is the region's view of the point store.
    /// </summary>
    void Write<TS, TD>(long r, RegionLoss result, TS scratch, in RegionShape shape, TD design) where TS : struct, IScratch where TD : struct, IRegionDesign;
}

/// <summary>Stores each region's loss, rank and which path decided it.</summary>
public readonly struct LossOutput : IRegionOutput
{
    private readonly ArrayView<double> _losses;
    private readonly ArrayView<int> _ranks;
    private readonly ArrayView<int> _exact;

    /// <summary>Outputs of length at least the batch size.</summary>
    public LossOutput(ArrayView<double> losses, ArrayView<int> ranks, ArrayView<int> exact)
    {
        _losses = losses;
        _ranks = ranks;
        _exact = exact;
    }

    /// <inheritdoc />
    public void Write<TS, TD>(long r, RegionLoss result, TS scratch, in RegionShape shape, TD design) where TS : struct, IScratch where TD : struct, IRegionDesign
    {
        _losses[r] = result.Loss;
        _ranks[r] = result.Rank;
        _exact[r] = result.Exact;
    }
}

/// <summary>Stores each region's loss, rank, path and minimum-norm minimizer in the data's units (m values per region).</summary>
public readonly struct SolutionOutput : IRegionOutput
{
    private readonly LossOutput _loss;
    private readonly ArrayView<double> _solutions;

    /// <summary>Outputs of length at least the batch size (solutions: batch size × m).</summary>
    public SolutionOutput(ArrayView<double> losses, ArrayView<int> ranks, ArrayView<int> exact, ArrayView<double> solutions)
    {
        _loss = new LossOutput(losses, ranks, exact);
        _solutions = solutions;
    }

    /// <inheritdoc />
    public void Write<TS, TD>(long r, RegionLoss result, TS scratch, in RegionShape shape, TD design) where TS : struct, IScratch where TD : struct, IRegionDesign
    {
        _loss.Write(r, result, scratch, shape, design);
        RegionSolve.MinimumNormSolution(scratch, shape, result, design);
        int m = shape.Parameters;
        for (int i = 0; i < m; i++) _solutions[r * m + i] = scratch[shape.LossScratch + i];
    }
}

/// <summary>The region kernels: build and solve the block system of Eq. 6–7 for a batch of activation patterns.</summary>
public static class RegionSystemKernels
{
    /// <summary>
    /// Eq. 7 for regions Start … Start+Count−1: each thread sums the chunk-table entries of its region into its
    /// scratch, solves it by the certified fast path or the exact QR of its design (built from the point store),
    /// and hands the result to <typeparamref name="TOutput"/>. Grid-stride, so any thread count covers any batch.
    /// </summary>
    public static void Eq7<TOutput>(Index1D thread, RegionLaunch launch, ArrayView<double> tables, ArrayView<double> points, ArrayView<double> scratch, TOutput output)
        where TOutput : struct, IRegionOutput
    {
        if (thread >= launch.Threads) return;
        var table = new ViewScratch(tables);
        var store = new ViewScratch(points);
        var s = new ThreadScratch(scratch, thread, launch.Threads);
        for (long r = thread; r < launch.Count; r += launch.Threads)
        {
            long index = launch.Start + r;
            RegionSystem.Build(table, launch.Shape, index, s);
            var design = new IndexDesign<ViewScratch>(store, index);
            RegionLoss result = RegionSolve.Solve(s, launch.Shape, launch.SumSquaredTargets, launch.LossScale, design);
            output.Write(r, result, s, launch.Shape, design);
        }
    }
}
