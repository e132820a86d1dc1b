using System.Runtime.InteropServices;

namespace Engine.Core;

/// <summary>
/// The host twin of the Eq. 7 kernel: the same <see cref="RegionSystem"/> and <see cref="RegionSolve"/> code,
/// spread over the cores with Parallel.For. Regions are walked in slices of consecutive indices within blocks of
/// 2^ChunkBits that share every chunk but the lowest, so each slice sums the higher chunks' entries once and each
/// region adds a single table entry before its solve.
/// </summary>
public static class HostRegionSolver
{
    /// <summary>
    /// Solves regions [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) into
    /// <paramref name="summary"/>, and into <paramref name="outputs"/> where those are not empty.
    /// </summary>
    public static unsafe void Solve(RegionTables tables, long start, long count, LossSummary summary, RegionOutputs outputs = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(summary);
        if (count <= 0) return;
        RegionShape shape = tables.Shape;
        int m = shape.Parameters;
        int bits = shape.ChunkBits;
        long end = start + count;
        // Tasks are slices of blocks: whole blocks for long ranges, but a range of one or two blocks (a fig3-sized call)
        // is still cut into enough slices to keep every core busy. A slice sums its block's higher chunks itself.
        long slice = Math.Max(MinSlice, Math.Min(1L << bits, count / (4L * Environment.ProcessorCount)));
        slice = 1L << Math.Min(bits, System.Numerics.BitOperations.Log2((ulong)slice));
        long firstSlice = start / slice;
        long lastSlice = (end - 1) / slice;
        bool solve = !outputs.Solutions.IsEmpty;
        int scratchSize = solve ? shape.SolutionScratch : shape.LossScratch;
        var gate = new object();

        Parallel.For(firstSlice, lastSlice + 1,
            () => new Worker(scratchSize, shape.EntrySize, summary.Bins.Length, summary.Upper),
            (part, _, w) =>
            {
                fixed (double* table = tables.Values)
                fixed (double* points = tables.Points)
                {
                    Span<double> losses = outputs.Losses.Span;
                    Span<int> ranks = outputs.Ranks.Span;
                    Span<double> solutions = outputs.Solutions.Span;
                    var source = new PointerScratch(table);
                    var scratch = new PointerScratch(w.Scratch);
                    var high = new PointerScratch(w.High);
                    var design = new PointerScratch(points);
                    SumHigherChunks(source, shape, part * slice, w.High);
                    long from = Math.Max(start, part * slice);
                    long to = Math.Min(end, (part + 1) * slice);
                    long mask = (1L << bits) - 1;
                    for (long index = from; index < to; index++)
                    {
                        RegionSystem.LoadSum(high, 0, source, (int)((index & mask) * shape.EntrySize), scratch, m);
                        RegionLoss result = RegionSolve.Solve(scratch, shape, tables.SumSquaredTargets, tables.LossScale, new IndexDesign<PointerScratch>(design, index));
                        w.Summary.Add(index, result, m);
                        long r = index - start;
                        if (!losses.IsEmpty) losses[(int)r] = result.Loss;
                        if (!ranks.IsEmpty) ranks[(int)r] = result.Rank;
                        if (solve)
                        {
                            RegionSolve.MinimumNormSolution(scratch, shape, result, new IndexDesign<PointerScratch>(design, index));
                            new ReadOnlySpan<double>(w.Scratch + shape.LossScratch, m).CopyTo(solutions.Slice((int)(r * m), m));
                        }
                    }
                }
                return w;
            },
            w =>
            {
                lock (gate) summary.Merge(w.Summary);
                w.Dispose();
            });
    }

    // Packed sum of the entries of chunks 1..K−1 for the block starting at blockStart.
    private static unsafe void SumHigherChunks(PointerScratch tables, in RegionShape shape, long blockStart, double* high)
    {
        new Span<double>(high, shape.EntrySize).Clear();
        long mask = (1L << shape.ChunkBits) - 1;
        for (int k = 1; k < shape.Chunks; k++)
        {
            long pattern = (blockStart >> (k * shape.ChunkBits)) & mask;
            int offset = (int)(k * shape.TableStride + pattern * shape.EntrySize);
            for (int e = 0; e < shape.EntrySize; e++) high[e] += tables[offset + e];
        }
    }

    // Smallest slice of regions a task takes: below this, scheduling costs more than the solves.
    private const long MinSlice = 256;

    private sealed unsafe class Worker : IDisposable
    {
        public Worker(int scratch, int entry, int bins, double upper)
        {
            Scratch = (double*)NativeMemory.AlignedAlloc((nuint)(scratch * sizeof(double)), 64);
            High = (double*)NativeMemory.AlignedAlloc((nuint)(entry * sizeof(double)), 64);
            Summary = new LossSummary(bins, upper);
        }

        public double* Scratch { get; }

        public double* High { get; }

        public LossSummary Summary { get; }

        public void Dispose()
        {
            NativeMemory.AlignedFree(Scratch);
            NativeMemory.AlignedFree(High);
        }
    }
}

/// <summary>Where per-region results go; an empty memory means "not wanted". Indexed from the range's start.</summary>
public readonly record struct RegionOutputs(Memory<double> Losses, Memory<int> Ranks, Memory<double> Solutions);
