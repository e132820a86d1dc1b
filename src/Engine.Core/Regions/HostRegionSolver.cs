using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.Core.Regions;

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
    /// <paramref name="summary"/>, and into <paramref name="outputs"/> where those are not empty; with
    /// <paramref name="lanes"/>, groups of regions go through <see cref="RegionLanes"/> where it applies.
    /// </summary>
    public static unsafe void Solve(RegionTables tables, long start, long count, LossSummary summary, RegionOutputs outputs = default, bool lanes = true)
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
        // SIMD lanes take whole groups of regions: by independent rows where there are fewer points than unknowns, else
        // by the fast path up to RegionLanes.MaxParameters; solutions stay scalar.
        bool rows = m > shape.Points && shape.Hidden <= RegionSolve.MaxMaskNodes;
        int width = !lanes || solve || slice < LaneWidth || !(rows || m <= RegionLanes.MaxParameters) ? 0 : LaneWidth;
        double[]? laneTable = width > 0 && !rows ? tables.LaneTable(width) : null;
        var gate = new object();

        Parallel.For(firstSlice, lastSlice + 1,
            () => new Worker(scratchSize, shape.EntrySize, width * RegionLanes.ScratchPerLane(shape), summary.Bins.Length, summary.Upper),
            (part, _, w) =>
            {
                fixed (double* table = tables.Values)
                fixed (double* points = tables.Points)
                fixed (double* interleaved = laneTable)
                {
                    var slot = new Slot(tables, start, outputs, table, points, w);
                    SumHigherChunks(slot.Source, shape, part * slice, w.High);
                    long from = Math.Max(start, part * slice);
                    long to = Math.Min(end, (part + 1) * slice);
                    if (width == Twice<Lanes512, Vector512<double>>.Count) from = SolveLanes<Twice<Lanes512, Vector512<double>>, Pair<Vector512<double>>>(slot, rows ? null : interleaved, from, to);
                    else if (width == Twice<Lanes256, Vector256<double>>.Count) from = SolveLanes<Twice<Lanes256, Vector256<double>>, Pair<Vector256<double>>>(slot, rows ? null : interleaved, from, to);
                    for (long index = from; index < to; index++) slot.Record(index, slot.Solve(index));
                }
                return w;
            },
            w =>
            {
                lock (gate) summary.Merge(w.Summary);
                w.Dispose();
            });
    }

    /// <summary>Regions per lane step on this machine, two vectors in flight (<see cref="Twice{TL, TV}"/>): 16 with AVX-512, 8 with AVX2, 0 without either.</summary>
    public static int LaneWidth => Vector512.IsHardwareAccelerated ? 2 * Lanes512.Count : Vector256.IsHardwareAccelerated ? 2 * Lanes256.Count : 0;

    // Whole aligned groups of regions from `from`, a group per SIMD instruction; returns where the scalar tail starts.
    // Without an interleaved table the groups are decided by independent rows. A lane the lane path cannot certify is
    // solved again by the scalar path, which takes the same steps.
    private static unsafe long SolveLanes<TL, TV>(Slot slot, double* interleaved, long from, long to)
        where TL : struct, ILanes<TV>
        where TV : unmanaged
    {
        RegionShape shape = slot.Tables.Shape;
        int lanes = TL.Count;
        long mask = (1L << shape.ChunkBits) - 1;
        double* losses = stackalloc double[lanes];
        double* ranks = stackalloc double[lanes];
        long index = from;
        for (; index < from + ((lanes - from % lanes) % lanes) && index < to; index++) slot.Record(index, slot.Solve(index));
        for (; index + lanes <= to; index += lanes)
        {
            uint certified, declined;
            int path;
            if (interleaved is null)
            {
                certified = RegionLanes.IndependentRows<TL, TV>(index, slot.Points, shape, slot.Tables.LossScale, losses, ranks, (TV*)slot.Worker.Lanes, out declined);
                path = RegionLoss.IndependentRows;
            }
            else
            {
                double* low = interleaved + (index & mask) / lanes * shape.EntrySize * lanes;
                certified = RegionLanes.Factor<TL, TV>(slot.Worker.High, low, shape, slot.Tables.SumSquaredTargets, slot.Tables.LossScale, losses, (TV*)slot.Worker.Lanes, out declined);
                path = RegionLoss.Cholesky;
                for (int lane = 0; lane < lanes; lane++) ranks[lane] = shape.Parameters;
            }
            // A lane declined by the steps the scalar path would take next goes on from the path after them.
            int next = path == RegionLoss.Cholesky ? RegionLoss.IndependentRows : RegionLoss.QR;
            if (certified == (1u << lanes) - 1 && slot.SummaryOnly)
            {
                // The common case of a large run: every lane certified and only the summary wanted.
                slot.Worker.Summary.AddGroup(index, new ReadOnlySpan<double>(losses, lanes), new ReadOnlySpan<double>(ranks, lanes), path, shape.Parameters);
                continue;
            }
            for (int lane = 0; lane < lanes; lane++)
            {
                long region = index + lane;
                slot.Record(region, ((certified >> lane) & 1) != 0 ? new RegionLoss(losses[lane], (int)ranks[lane], path)
                    : ((declined >> lane) & 1) != 0 ? slot.OnDesign(region, next) : slot.Solve(region));
            }
        }
        return index;
    }

    // One task's view of a call: the tables, the outputs, and the worker's scratch.
    private readonly unsafe struct Slot(RegionTables tables, long start, RegionOutputs outputs, double* table, double* points, Worker worker)
    {
        public RegionTables Tables => tables;

        public Worker Worker => worker;

        public double* Points => points;

        public bool SummaryOnly => outputs.Losses.IsEmpty && outputs.Ranks.IsEmpty && outputs.Solutions.IsEmpty;

        public PointerScratch Source => new(table);

        // The scalar path for one region: its system from the block's higher chunks plus its own entry, then the solve.
        public RegionLoss Solve(long index)
        {
            RegionShape shape = tables.Shape;
            long mask = (1L << shape.ChunkBits) - 1;
            var scratch = new PointerScratch(worker.Scratch);
            RegionSystem.LoadSum(new PointerScratch(worker.High), 0, Source, (int)((index & mask) * shape.EntrySize), scratch, shape.Parameters);
            return RegionSolve.Solve(scratch, shape, tables.SumSquaredTargets, tables.LossScale, new IndexDesign<PointerScratch>(new PointerScratch(points), index));
        }

        // The scalar path from `first` on, for a region whose earlier steps a lane path has already taken and failed.
        public RegionLoss OnDesign(long index, int first)
        {
            RegionShape shape = tables.Shape;
            return RegionSolve.OnDesign(new PointerScratch(worker.Scratch), shape, tables.LossScale, new IndexDesign<PointerScratch>(new PointerScratch(points), index), first);
        }

        // Adds the region to the worker's summary and the outputs; a solution needs the factor the scalar path left.
        public void Record(long index, RegionLoss result)
        {
            int m = tables.Shape.Parameters;
            worker.Summary.Add(index, result, m);
            long r = index - start;
            if (!outputs.Losses.IsEmpty) outputs.Losses.Span[(int)r] = result.Loss;
            if (!outputs.Ranks.IsEmpty) outputs.Ranks.Span[(int)r] = result.Rank;
            if (!outputs.Solutions.IsEmpty)
            {
                RegionSolve.MinimumNormSolution(new PointerScratch(worker.Scratch), tables.Shape, result, new IndexDesign<PointerScratch>(new PointerScratch(points), index));
                new ReadOnlySpan<double>(worker.Scratch + tables.Shape.LossScratch, m).CopyTo(outputs.Solutions.Span.Slice((int)(r * m), m));
            }
        }
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
        public Worker(int scratch, int entry, int lanes, int bins, double upper)
        {
            Scratch = (double*)NativeMemory.AlignedAlloc((nuint)(scratch * sizeof(double)), 64);
            High = (double*)NativeMemory.AlignedAlloc((nuint)(entry * sizeof(double)), 64);
            Lanes = (double*)NativeMemory.AlignedAlloc((nuint)(Math.Max(lanes, 1) * sizeof(double)), 64);
            Summary = new LossSummary(bins, upper);
        }

        public double* Scratch { get; }

        public double* High { get; }

        public double* Lanes { get; }

        public LossSummary Summary { get; }

        public void Dispose()
        {
            NativeMemory.AlignedFree(Scratch);
            NativeMemory.AlignedFree(High);
            NativeMemory.AlignedFree(Lanes);
        }
    }
}

/// <summary>Where per-region results go; an empty memory means "not wanted". Indexed from the range's start.</summary>
public readonly record struct RegionOutputs(Memory<double> Losses, Memory<int> Ranks, Memory<double> Solutions);
