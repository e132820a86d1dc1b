namespace Engine.Core;

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
                    Features(data, Shape, first + p, (t >> (p * hidden)) & ((1 << hidden) - 1), z);
                    AddOuterProduct(z, data.Y[first + p], entry);
                }
            }
        }
        SumSquaredTargets = data.SumSquaredTargets;
        DeadRegionLoss = DeadLoss(data, bias);
    }

    /// <summary>The loss of the all-zeros (dead) region of <paramref name="data"/>.</summary>
    public static double DeadLoss(Dataset data, bool bias)
    {
        ArgumentNullException.ThrowIfNull(data);
        double yy = data.SumSquaredTargets;
        double mean = 0.0;
        foreach (double y in data.Y) mean += y;
        mean /= data.Count;
        // With c free, the dead region fits the mean; without it, the zero function.
        return bias ? 0.5 * Math.Max(0.0, yy - data.Count * mean * mean) : 0.5 * yy;
    }

    /// <summary>The dataset tabulated.</summary>
    public Dataset Data { get; }

    /// <summary>Sizes and chunking.</summary>
    public RegionShape Shape { get; }

    /// <summary>The tables, pinned so that host code may address them by pointer.</summary>
    public double[] Values { get; }

    /// <summary>Σ y_i².</summary>
    public double SumSquaredTargets { get; }

    /// <summary>
    /// Loss of the all-zeros region. Every region's feature span contains the dead region's, so this bounds
    /// every subglobal-minimum loss from above and sets the histogram's range.
    /// </summary>
    public double DeadRegionLoss { get; }

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
