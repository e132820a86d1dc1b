using Engine.Core.Regions;
using ILGPU;

namespace Engine.Kernels;

/// <summary>Scalar arguments of a loss reduction.</summary>
/// <param name="Start">Index of the batch's first region.</param>
/// <param name="Count">Regions in the batch.</param>
/// <param name="Threads">Threads launched.</param>
/// <param name="Bins">Histogram bins.</param>
/// <param name="Upper">Upper edge of the histogram (the dead region's loss).</param>
/// <param name="Parameters">Unknowns m; a rank below it marks a singular system.</param>
public readonly record struct HistogramLaunch(long Start, long Count, long Threads, int Bins, double Upper, int Parameters);

/// <summary>Reduces a batch of region losses on the device, so large runs copy back a few numbers, not every region.</summary>
public static class LossHistogramKernels
{
    /// <summary>Doubles per thread in the partial results: min, max.</summary>
    public const int RealPartials = 2;

    /// <summary>Longs per thread in the partial results: argmin, argmax, singular count, count, exact-path count, quantized sum (<see cref="LossSummary.Quantized"/>).</summary>
    public const int IndexPartials = 6;

    /// <summary>
    /// Histogram of losses by atomic increments (bins as in <see cref="LossSummary.Bin"/>), and per-thread
    /// extremes, sums and singular counts that the host merges: a few thousand threads' partials are cheaper to
    /// copy than a second tree-reduction launch.
    /// </summary>
    public static void Reduce(Index1D thread, HistogramLaunch launch, ArrayView<double> losses, ArrayView<int> ranks, ArrayView<int> exact,
        ArrayView<long> bins, ArrayView<double> reals, ArrayView<long> indices)
    {
        if (thread >= launch.Threads) return;
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        long sum = 0;
        long argMin = -1;
        long argMax = -1;
        long singular = 0;
        long count = 0;
        long exactCount = 0;
        for (long r = thread; r < launch.Count; r += launch.Threads)
        {
            double loss = losses[r];
            Atomic.Add(ref bins[LossSummary.Bin(loss, launch.Upper, launch.Bins)], 1L);
            if (loss < min)
            {
                min = loss;
                argMin = launch.Start + r;
            }
            if (loss > max)
            {
                max = loss;
                argMax = launch.Start + r;
            }
            sum += LossSummary.Quantized(LossSummary.Relative(loss, launch.Upper));
            if (ranks[r] < launch.Parameters) singular++;
            exactCount += exact[r];
            count++;
        }
        reals[thread * RealPartials] = min;
        reals[thread * RealPartials + 1] = max;
        indices[thread * IndexPartials] = argMin;
        indices[thread * IndexPartials + 1] = argMax;
        indices[thread * IndexPartials + 2] = singular;
        indices[thread * IndexPartials + 3] = count;
        indices[thread * IndexPartials + 4] = exactCount;
        indices[thread * IndexPartials + 5] = sum;
    }
}
