using System.Runtime.CompilerServices;
using Engine.Core.Data;

namespace Engine.Core.Regions;

/// <summary>
/// The design matrix Z of Eq. 4 for the exact path: row i is z_i = [a_i1 x̃_i, …, a_ih x̃_i, 1], the trailing 1 only
/// with bias, over the normalised points. A point store holds the rows x̃_i (N × d, the 1 of the bias included), the
/// targets ỹ (N), the units (m) that turn each normalised parameter into the units solutions are reported in and the
/// target offset μ (1), the Gram matrix x̃_iᵀx̃_k of the points (N × N), and an upper bound on the squared norm of any
/// column of any region's Z (1): see <see cref="RegionTables.Points"/>.
/// </summary>
public static class RegionDesign
{
    /// <summary>Doubles a point store for <paramref name="shape"/> holds.</summary>
    public static int PointsLength(in RegionShape shape) => ColumnBound(shape) + 1;

    /// <summary>Offset of the targets ỹ in a point store.</summary>
    public static int Targets(in RegionShape shape) => shape.Points * shape.Features;

    /// <summary>Offset of the parameter units in a point store; the target offset μ follows them.</summary>
    public static int Units(in RegionShape shape) => Targets(shape) + shape.Points;

    /// <summary>Offset of the points' Gram matrix (N × N, row-major) in a point store.</summary>
    public static int Gram(in RegionShape shape) => Units(shape) + shape.Parameters + 1;

    /// <summary>Offset of the bound max_k ‖z_k‖² over every region's design, in a point store.</summary>
    public static int ColumnBound(in RegionShape shape) => Gram(shape) + shape.Points * shape.Points;

    /// <summary>
    /// Fills the point store <paramref name="points"/> from normalised data. With <paramref name="dataUnits"/> the units
    /// turn solutions into the data's units; without, solutions stay in the normalised data's.
    /// </summary>
    public static void FillPoints(NormalizedData normalized, in RegionShape shape, Span<double> points, bool dataUnits = true)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        Dataset data = normalized.Data;
        int d = shape.Features;
        for (int i = 0; i < shape.Points; i++)
        {
            data.Point(i).CopyTo(points.Slice(i * d, data.Inputs));
            if (shape.Bias == 1) points[i * d + data.Inputs] = 1.0;
            points[shape.Points * d + i] = data.Y[i];
        }
        // p_jk multiplies x_ik/σ_k and the fit is scaled by s: in the data's units it is s·p̃_jk/σ_k; q_j and c take s.
        int units = Units(shape);
        for (int j = 0; j < shape.Hidden; j++)
        {
            for (int f = 0; f < d; f++) points[units + j * d + f] = dataUnits ? normalized.TargetScale / (f < data.Inputs ? normalized.InputScales[f] : 1.0) : 1.0;
        }
        if (shape.Bias == 1) points[units + shape.Parameters - 1] = dataUnits ? normalized.TargetScale : 1.0;
        points[units + shape.Parameters] = dataUnits ? normalized.TargetOffset : 0.0;
        int gram = Gram(shape);
        for (int i = 0; i < shape.Points; i++)
        {
            for (int k = 0; k < shape.Points; k++)
            {
                double v = 0.0;
                for (int f = 0; f < d; f++) v += points[i * d + f] * points[k * d + f];
                points[gram + i * shape.Points + k] = v;
            }
        }
        // A column of Z holds one input of the active points (or 1 on every point for c): its squared norm is at most the
        // input's sum of squares over all points.
        double bound = shape.Bias == 1 ? shape.Points : 0.0;
        for (int f = 0; f < d; f++)
        {
            double column = 0.0;
            for (int i = 0; i < shape.Points; i++) column += points[i * d + f] * points[i * d + f];
            bound = Math.Max(bound, column);
        }
        points[ColumnBound(shape)] = bound;
    }

    // Code run per region or per program is AggressiveOptimization: compiled once, fully optimized, when first called,
    // rather than run from ReadyToRun or tier-0 code until the tiering thread, busy with hundreds of lukewarm methods,
    // reaches it: 5 to 19 % of a half-second nonempty run (see the README's Performance section).

    /// <summary>
    /// Writes the row of Z for point <paramref name="point"/>, whose active nodes are the bits of
    /// <paramref name="active"/>, and its target. Z is column-major at <see cref="RegionShape.Design"/> with leading
    /// dimension N. A row that is zero (no node active, no bias) is left out: its target goes to the end of the
    /// targets, from <paramref name="zeroRows"/> down, as a residual component of its own. Returns the rows written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int WriteRow<TS, TP>(TS s, in RegionShape shape, TP points, int point, long active, int rows, ref int zeroRows)
        where TS : struct, IScratch
        where TP : struct, IScratch
    {
        int n = shape.Points;
        int d = shape.Features;
        int z = shape.Design;
        double y = points[n * d + point];
        if (active == 0 && shape.Bias == 0)
        {
            s[shape.DesignTargets + --zeroRows] = y;
            return rows;
        }
        for (int j = 0; j < shape.Hidden; j++)
        {
            double a = ((active >> j) & 1L) != 0 ? 1.0 : 0.0;
            for (int f = 0; f < d; f++) s[z + (j * d + f) * n + rows] = a * points[point * d + f];
        }
        if (shape.Bias == 1) s[z + (shape.Parameters - 1) * n + rows] = 1.0;
        s[shape.DesignTargets + rows] = y;
        return rows + 1;
    }
}

/// <summary>The design of an indexed region, whose index holds a_ij at bit i·h + j; usable in kernels.</summary>
public readonly struct IndexDesign<TP> : IRegionDesign where TP : struct, IScratch
{
    private readonly TP _points;
    private readonly long _index;

    /// <summary>Region <paramref name="index"/> over the point store <paramref name="points"/>.</summary>
    public IndexDesign(TP points, long index)
    {
        _points = points;
        _index = index;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Write<TS>(TS s, in RegionShape shape) where TS : struct, IScratch
    {
        int rows = 0;
        int zeroRows = shape.Points;
        for (int i = 0; i < shape.Points; i++) rows = RegionDesign.WriteRow(s, shape, _points, i, Active(i, shape.Hidden), rows, ref zeroRows);
        return rows;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Active(int point, int hidden) => (_index >> (point * hidden)) & ((1L << hidden) - 1);

    /// <inheritdoc />
    public double Store(int offset) => _points[offset];
}
