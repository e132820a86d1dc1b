using Engine.Core.Data;

namespace Engine.Core.Regions;

/// <summary>
/// The chunk tables of partial Eq. 7 systems for one dataset and network (see <see cref="RegionSystem"/>),
/// plus the constants every region's loss needs. Tabulation costs Σ_chunks 2^bits·c·m² once, after which a
/// region's system is a sum of one entry per chunk instead of a sum over all N points.
/// </summary>
public sealed class RegionTables
{
    /// <summary>Tabulates the partial systems of <paramref name="data"/> for a network of <paramref name="hidden"/> nodes.</summary>
    public RegionTables(Dataset data, int hidden, bool bias)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
        Shape = new RegionShape(data.Count, data.Inputs, hidden, bias);
        Normalized = NormalizedData.Create(data, bias);
        Dataset normalized = Normalized.Data;
        Values = GC.AllocateArray<double>((int)(Shape.Chunks * Shape.TableStride), pinned: true);
        double[] z = new double[Shape.Parameters];
        for (int k = 0; k < Shape.Chunks; k++)
        {
            int first = k * Shape.ChunkPoints;
            int count = Math.Min(Shape.ChunkPoints, data.Count - first);
            int patterns = 1 << (count * hidden);
            for (int t = 0; t < patterns; t++)
            {
                Span<double> entry = Values.AsSpan((int)(k * Shape.TableStride + (long)t * Shape.EntrySize), Shape.EntrySize);
                for (int p = 0; p < count; p++)
                {
                    Features(normalized, Shape, first + p, (t >> (p * hidden)) & ((1 << hidden) - 1), z);
                    AddOuterProduct(z, normalized.Y[first + p], entry);
                }
            }
        }
        Points = GC.AllocateArray<double>(RegionDesign.PointsLength(Shape), pinned: true);
        RegionDesign.FillPoints(Normalized, Shape, Points);
    }

    /// <summary>The dataset tabulated, as given.</summary>
    public Dataset Data { get; }

    /// <summary>The normalised copy the tables hold, with its scales.</summary>
    public NormalizedData Normalized { get; }

    /// <summary>Sizes and chunking.</summary>
    public RegionShape Shape { get; }

    /// <summary>The tables, pinned so that host code may address them by pointer.</summary>
    public double[] Values { get; }

    /// <summary>
    /// The point store (<see cref="RegionDesign"/>): normalised points and targets the exact path builds designs from,
    /// and the units that turn solutions into the data's. Pinned.
    /// </summary>
    public double[] Points { get; }

    /// <summary>Σ ỹ_i² of the normalised targets.</summary>
    public double SumSquaredTargets => Normalized.SumSquaredTargets;

    /// <summary>
    /// The lowest chunk's table re-laid for <paramref name="lanes"/> SIMD lanes (<see cref="RegionLanes"/>): entries of
    /// <paramref name="lanes"/> consecutive patterns interleaved element by element, so that element e of a group is one
    /// vector load. Built on first use, pinned.
    /// </summary>
    public double[] LaneTable(int lanes)
    {
        double[]? table = _laneTable;
        if (table is not null && _lanes == lanes) return table;
        long patterns = 1L << Shape.ChunkBits;
        int entry = Shape.EntrySize;
        table = GC.AllocateArray<double>((int)(patterns * entry), pinned: true);
        for (long p = 0; p < patterns; p++)
        {
            long group = p / lanes, lane = p % lanes;
            for (int e = 0; e < entry; e++) table[group * entry * lanes + e * lanes + lane] = Values[p * entry + e];
        }
        _lanes = lanes;
        _laneTable = table;
        return table;
    }

    private double[]? _laneTable;
    private int _lanes;

    /// <summary>Turns a loss of the normalised data into the data's units (exact: a power of four).</summary>
    public double LossScale => Normalized.LossScale;

    /// <summary>
    /// Loss of the all-zeros region. Every region's feature span contains the dead region's, so this bounds
    /// every subglobal-minimum loss from above and sets the histogram's range.
    /// </summary>
    public double DeadRegionLoss => Normalized.DeadRegionLoss;

    /// <summary>
    /// Writes z_i for point <paramref name="point"/> under the node activations <paramref name="active"/>
    /// (bit j = a_ij): node j's slots hold a_ij·x̃_i, and the last slot holds 1 when the network has bias c.
    /// </summary>
    public static void Features(Dataset data, in RegionShape shape, int point, int active, Span<double> z)
    {
        ArgumentNullException.ThrowIfNull(data);
        z.Clear();
        ReadOnlySpan<double> x = data.Point(point);
        for (int j = 0; j < shape.Hidden; j++)
        {
            if (((active >> j) & 1) == 0) continue;
            Span<double> node = z.Slice(j * shape.Features, shape.Features);
            x.CopyTo(node);
            if (shape.Bias == 1) node[shape.Inputs] = 1.0;
        }
        if (shape.Bias == 1) z[shape.Parameters - 1] = 1.0;
    }

    private static void AddOuterProduct(ReadOnlySpan<double> z, double y, Span<double> entry)
    {
        int m = z.Length;
        int packed = 0;
        for (int i = 0; i < m; i++)
        {
            for (int j = i; j < m; j++) entry[packed++] += z[i] * z[j];
        }
        for (int i = 0; i < m; i++) entry[packed++] += y * z[i];
    }
}
