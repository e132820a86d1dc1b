using Engine.Core.Regions;
using ILGPU;
using ILGPU.Runtime;

namespace Engine.Kernels;

/// <summary>Scalar arguments of an Eq. 7 launch besides the shape: which regions, Σỹ², the loss units and the histogram.</summary>
/// <param name="Start">Index of the batch's first region.</param>
/// <param name="Count">Regions in the batch.</param>
/// <param name="SumSquaredTargets">Σ ỹ_i² of the normalised targets.</param>
/// <param name="LossScale">Turns a normalised loss into the data's units.</param>
/// <param name="Bins">Histogram bins (as in <see cref="LossSummary.Bin"/>).</param>
/// <param name="Upper">Upper edge of the histogram (the dead region's loss).</param>
/// <param name="SliceBits">A group's unit of work is 2^SliceBits consecutive regions, at most a block of 2^ChunkBits.</param>
public readonly record struct RegionLaunch(long Start, long Count, double SumSquaredTargets, double LossScale, int Bins, double Upper, int SliceBits);

/// <summary>What a region-solve kernel stores for region r of its batch.</summary>
public interface IRegionOutput
{
    /// <summary>
    /// Stores the outcome of region <paramref name="r"/>; <paramref name="scratch"/> still holds its factor and
    /// <paramref name="design"/> is the region's view of the point store.
    /// </summary>
    void Write<TS, TD>(long r, RegionLoss result, TS scratch, in RegionShape shape, TD design) where TS : struct, IScratch where TD : struct, IRegionDesign;
}

/// <summary>Stores nothing per region: a large run keeps only the reduction.</summary>
public readonly struct SummaryOutput : IRegionOutput
{
    /// <inheritdoc />
    public void Write<TS, TD>(long r, RegionLoss result, TS scratch, in RegionShape shape, TD design) where TS : struct, IScratch where TD : struct, IRegionDesign
    {
    }
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
    public void Write<TS, TD>(long r, RegionLoss result, TS scratch, in RegionShape shape, TD design) where TS : struct, IScratch where TD : struct, IRegionDesign
    {
        _losses[r] = result.Loss;
        _ranks[r] = result.Rank;
    }
}

/// <summary>Stores each region's loss, rank and minimum-norm minimizer in the data's units (m values per region).</summary>
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
    /// Eq. 7 for regions Start … Start+Count−1, one group per slice of 2^SliceBits consecutive regions within a block
    /// of 2^ChunkBits (groups walk the slices with the grid's stride; small calls cut blocks into slices so that every
    /// multiprocessor has work). A block's regions share every chunk but the lowest, so the group sums those chunks'
    /// table entries once into shared memory (<see cref="RegionShape.EntrySize"/> doubles of dynamic shared
    /// memory); each thread then adds its region's own entry, solves it by the certified fast path or the exact QR of its
    /// design (built from the point store) in its slice of <paramref name="scratch"/>, hands the result to
    /// <typeparamref name="TOutput"/>, and counts it into a shared-memory histogram and its own statistics. The group
    /// adds its histogram to <paramref name="bins"/> and writes its statistics, combined by
    /// <see cref="LossReductionKernels.Group"/>, to <paramref name="partials"/>[group]; nothing per thread leaves the
    /// device.
    /// </summary>
    /// <remarks>
    /// <para>The kernel is compiled for each <paramref name="specialized"/> shape (ILGPU's dynamic specialization): N, m,
    /// the chunking and every scratch offset are constants in it, so loops over the m unknowns have fixed trip counts and
    /// the index arithmetic of the scratch layout folds away, as in a kernel written for one m.</para>
    /// <para>The higher chunks are summed in the host twin's order (<see cref="HostRegionSolver"/>), and each region's system
    /// is that sum plus its own entry (<see cref="RegionSystem.LoadSum"/>), so both paths solve the same bits.</para>
    /// </remarks>
    public static void Eq7<TOutput>(SpecializedValue<RegionShape> specialized, RegionLaunch launch, ArrayView<double> tables, ArrayView<double> points, ArrayView<double> scratch, TOutput output,
        ArrayView<long> bins, ArrayView<RegionStatistics> partials)
        where TOutput : struct, IRegionOutput
    {
        RegionShape shape = specialized.Value;
        int t = Group.IdxX;
        int size = Group.DimX;
        int bits = shape.ChunkBits;
        long mask = (1L << bits) - 1;
        ArrayView<double> high = SharedMemory.GetDynamic<double>();
        ArrayView<long> histogram = SharedMemory.Allocate<long>(LossReductionKernels.SharedBins);
        bool shared = launch.Bins <= LossReductionKernels.SharedBins;
        for (int b = t; shared && b < launch.Bins; b += size) histogram[b] = 0;

        var table = new ViewScratch(tables);
        var store = new ViewScratch(points);
        long threads = (long)Grid.DimX * size;
        var s = new ThreadScratch(scratch, (long)Grid.IdxX * size + t, threads);
        RegionStatistics statistics = RegionStatistics.Empty;
        long end = launch.Start + launch.Count;
        int sliceBits = launch.SliceBits;
        for (long slice = (launch.Start >> sliceBits) + Grid.IdxX; slice <= (end - 1) >> sliceBits; slice += Grid.DimX)
        {
            // The previous slice's threads are done with the shared sum before it is overwritten.
            Group.Barrier();
            long sliceStart = slice << sliceBits;
            for (int e = t; e < shape.EntrySize; e += size)
            {
                double sum = 0.0;
                for (int k = 1; k < shape.Chunks; k++)
                    sum += tables[k * shape.TableStride + ((sliceStart >> (k * bits)) & mask) * shape.EntrySize + e];
                high[e] = sum;
            }
            Group.Barrier();
            long sliceEnd = sliceStart + (1L << sliceBits);
            long from = sliceStart > launch.Start ? sliceStart : launch.Start;
            long to = sliceEnd < end ? sliceEnd : end;
            for (long index = from + t; index < to; index += size)
            {
                RegionSystem.LoadSum(new ViewScratch(high), 0, table, (int)((index & mask) * shape.EntrySize), s, shape.Parameters);
                var design = new IndexDesign<ViewScratch>(store, index);
                RegionLoss result = RegionSolve.Solve(s, shape, launch.SumSquaredTargets, launch.LossScale, design);
                output.Write(index - launch.Start, result, s, shape, design);
                int bin = LossSummary.Bin(result.Loss, launch.Upper, launch.Bins);
                if (shared) Atomic.Add(ref histogram[bin], 1L);
                else Atomic.Add(ref bins[bin], 1L);
                statistics.Add(index, result, shape.Parameters, launch.Upper);
            }
        }

        statistics = LossReductionKernels.Group(statistics);
        Group.Barrier();
        for (int b = t; shared && b < launch.Bins; b += size)
        {
            if (histogram[b] != 0) Atomic.Add(ref bins[b], histogram[b]);
        }
        if (t == 0) partials[Grid.IdxX] = statistics;
    }

    /// <summary>Doubles of dynamic shared memory an <see cref="Eq7{TOutput}"/> group needs for <paramref name="shape"/>.</summary>
    public static int SharedDoubles(in RegionShape shape) => shape.EntrySize;
}
