using Engine.Core;
using ILGPU;

namespace Engine.Kernels;

/// <summary>Scalar arguments of an Eq. 7 launch: which regions, the sizes, and Σy².</summary>
/// <param name="Shape">Sizes and chunking of the enumeration.</param>
/// <param name="Start">Index of the batch's first region.</param>
/// <param name="Count">Regions in the batch.</param>
/// <param name="Threads">Threads launched; each walks the batch with this stride.</param>
/// <param name="SumSquaredTargets">Σ y_i².</param>
public readonly record struct RegionLaunch(RegionShape Shape, long Start, long Count, long Threads, double SumSquaredTargets);

/// <summary>What a region-solve kernel stores for region r of its batch.</summary>
public interface IRegionOutput
{
    /// <summary>Stores the outcome of region <paramref name="r"/>; <paramref name="scratch"/> still holds its factorization.</summary>
    void Write<TS>(long r, RegionLoss result, TS scratch, int parameters) where TS : struct, IScratch;
}

/// <summary>Stores each region's loss and rank.</summary>
public readonly struct LossOutput : IRegionOutput
{
    private readonly ArrayView<double> _losses;
    private readonly ArrayView<int> _ranks;

    /// <summary>Outputs of length at least the batch size.</summary>
    public LossOutput(ArrayView<double> losses, ArrayView<int> ranks)
    {
        _losses = losses;
        _ranks = ranks;
    }

    /// <inheritdoc />
    public void Write<TS>(long r, RegionLoss result, TS scratch, int parameters) where TS : struct, IScratch
    {
        _losses[r] = result.Loss;
        _ranks[r] = result.Rank;
    }
}

/// <summary>Stores each region's loss, rank and minimum-norm minimizer (m values per region).</summary>
public readonly struct SolutionOutput : IRegionOutput
{
    private readonly LossOutput _loss;
    private readonly ArrayView<double> _solutions;

    /// <summary>Outputs of length at least the batch size (solutions: batch size × m).</summary>
    public SolutionOutput(ArrayView<double> losses, ArrayView<int> ranks, ArrayView<double> solutions)
    {
        _loss = new LossOutput(losses, ranks);
        _solutions = solutions;
    }

    /// <inheritdoc />
    public void Write<TS>(long r, RegionLoss result, TS scratch, int parameters) where TS : struct, IScratch
    {
        _loss.Write(r, result, scratch, parameters);
        RegionSolve.MinimumNormSolution(scratch, parameters, result.Rank);
        int offset = parameters * parameters + 2 * parameters;
        for (int i = 0; i < parameters; i++) _solutions[r * parameters + i] = scratch[offset + i];
    }
}

/// <summary>The region kernels: build and solve the block system of Eq. 6–7 for a batch of activation patterns.</summary>
public static class RegionSystemKernels
{
    /// <summary>
    /// Eq. 7 for regions Start … Start+Count−1: each thread sums the chunk-table entries of its region into its
    /// scratch, factors the system and hands the result to <typeparamref name="TOutput"/>. Grid-stride, so any
    /// thread count covers any batch.
    /// </summary>
    public static void Eq7<TOutput>(Index1D thread, RegionLaunch launch, ArrayView<double> tables, ArrayView<double> scratch, TOutput output)
        where TOutput : struct, IRegionOutput
    {
        if (thread >= launch.Threads) return;
        var table = new ViewScratch(tables);
        var s = new ThreadScratch(scratch, thread, launch.Threads);
        int m = launch.Shape.Parameters;
        for (long r = thread; r < launch.Count; r += launch.Threads)
        {
            RegionSystem.Build(table, launch.Shape, launch.Start + r, s);
            RegionLoss result = RegionSolve.Factor(s, m, launch.SumSquaredTargets);
            output.Write(r, result, s, m);
        }
    }
}
