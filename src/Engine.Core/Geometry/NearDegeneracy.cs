using System.Runtime.CompilerServices;
using Engine.Core.Data;
using Engine.Core.Regions;

namespace Engine.Core.Geometry;

/// <summary>
/// Where a dataset's hyperplane arrangement is too close to degenerate for a double-precision "no": points whose
/// hyperplanes in (w[, b]) space nearly coincide, and inputs that nearly lie in a lower-dimensional subspace.
/// </summary>
/// <remarks>
/// <para>A cell that puts two nearly coinciding hyperplanes' points on different sides is a sliver between them, and a
/// minimizer strictly inside such a region has a margin of about the square of their angle times the data's scale: at
/// an angle of 1e-5 it measured 4e-13 on unit rows (NearDuplicate(6, 2, seed 11), region (1, 30)), inside the 1e-16 …
/// 1e-11 that rounding leaves on the margin programs of ordinary data whose answer is no. Nearly dependent inputs
/// (nearly collinear or coplanar points) make every cell a sliver. No tolerance in doubles tells such a margin from
/// zero, so a region touched by either has its no decided in exact arithmetic (<see cref="ExactRealizability"/>).</para>
/// <para>Angles are measured on the normalised points x̃_i/‖x̃_i‖₂ and the test is invariant under rescaling any
/// point, column or the targets. Exactly coinciding hyperplanes are no sliver: no cell separates their points.</para>
/// </remarks>
internal sealed class NearDegeneracy
{
    /// <summary>
    /// The angle, in radians, below which two hyperplanes count as nearly coinciding, and the reciprocal of the pivot
    /// ratio above which the inputs count as nearly dependent: at 1e-3 the sliver margins are about 1e-9 of the data's
    /// scale, the margin threshold itself (<see cref="ColumnFeasibility.MarginTolerance"/>).
    /// </summary>
    public const double Angle = 1e-3;

    private static readonly ConditionalWeakTable<NormalizedData, NearDegeneracy> Known = [];

    // Near-coinciding pairs (i, k) and whether their points point the same way (+1) or opposite ways (−1).
    private readonly (int First, int Second, int Orientation)[] _pairs;

    private NearDegeneracy((int, int, int)[] pairs, bool dependent)
    {
        _pairs = pairs;
        Dependent = dependent;
    }

    /// <summary>Whether the normalised points nearly lie in a proper subspace (pivot ratio above 1/<see cref="Angle"/>, not exactly).</summary>
    public bool Dependent { get; }

    /// <summary>
    /// The pivot ratio of a region design's QR (<see cref="ColumnSystem.PivotRatio"/>) above which a double-precision no
    /// is left to the exact fallback. Where the data have nearly coinciding points, 1e3: margins there are small by
    /// construction, and a minimizer known to κ²·ε (least squares with a residual) is known to 2e-10 of its scale, a
    /// fifth of <see cref="ColumnFeasibility.MarginTolerance"/>; at 1e6 a realizable region of NearDuplicate(6, 2, seed
    /// 11, ε = 1e-5) was refuted. Elsewhere 1e6, where the first-order error κ·ε is 2e-10: on random:20,3,3 and
    /// random:40,2,3 with bias and h = 2, 1e3 would send 820 and 350 more regions to the exact path, 15–20 % of the run.
    /// </summary>
    public double ConditioningLimit => _pairs.Length > 0 || Dependent ? 1e3 : 1e6;

    /// <summary>Number of pairs of points whose hyperplanes nearly, but not exactly, coincide.</summary>
    public int Pairs => _pairs.Length;

    /// <summary>The near-degeneracy of <paramref name="data"/>, found once per normalised dataset.</summary>
    public static NearDegeneracy Of(NormalizedData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Known.GetValue(data, static d => Find(d.Data, d.Bias));
    }

    /// <summary>
    /// Whether some node of a region with these columns puts a nearly coinciding pair on different sides of its
    /// hyperplanes, or the inputs are nearly dependent: then a no on the region is the exact fallback's to give.
    /// </summary>
    public bool Touches(IReadOnlyList<ulong[]> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (Dependent) return true;
        foreach ((int i, int k, int orientation) in _pairs)
        {
            foreach (ulong[] column in columns)
            {
                // Same direction: a sliver when one is active and the other not; opposite: when both or neither are.
                if ((ColumnFeasibility.Active(column, i) != ColumnFeasibility.Active(column, k)) == (orientation > 0)) return true;
            }
        }
        return false;
    }

    private static NearDegeneracy Find(Dataset data, bool bias)
    {
        int n = data.Inputs;
        int d = n + (bias ? 1 : 0);
        var units = new List<(int Point, double[] Direction)>();
        for (int i = 0; i < data.Count; i++)
        {
            double[] x = new double[d];
            data.Point(i).CopyTo(x);
            if (bias) x[n] = 1.0;
            double norm = Math.Sqrt(x.Sum(v => v * v));
            if (norm == 0.0) continue;
            for (int k = 0; k < d; k++) x[k] /= norm;
            units.Add((i, x));
        }
        var pairs = new List<(int, int, int)>();
        for (int a = 0; a < units.Count; a++)
        {
            for (int b = a + 1; b < units.Count; b++)
            {
                double same = 0.0, opposite = 0.0;
                for (int k = 0; k < d; k++)
                {
                    same += (units[a].Direction[k] - units[b].Direction[k]) * (units[a].Direction[k] - units[b].Direction[k]);
                    opposite += (units[a].Direction[k] + units[b].Direction[k]) * (units[a].Direction[k] + units[b].Direction[k]);
                }
                // ‖u − v‖ is 2 sin(θ/2) ≈ θ; a distance at rounding level is the same hyperplane.
                double floor = 8.0 * d * RegionSolve.MachineEpsilon;
                if (same < Angle * Angle && Math.Sqrt(same) > floor) pairs.Add((units[a].Point, units[b].Point, 1));
                else if (opposite < Angle * Angle && Math.Sqrt(opposite) > floor) pairs.Add((units[a].Point, units[b].Point, -1));
            }
        }
        return new NearDegeneracy([.. pairs], NearlyDependent([.. units.Select(u => u.Direction)], d));
    }

    // Modified Gram–Schmidt with column pivoting on the unit points as rows: nearly dependent when the last pivot kept
    // above the rank cut max(N, d)·ε of the first is below Angle of it.
    private static bool NearlyDependent(double[][] rows, int d)
    {
        if (rows.Length < d) return false;
        double[][] columns = [.. Enumerable.Range(0, d).Select(k => rows.Select(r => r[k]).ToArray())];
        double first = 0.0, last = 0.0;
        var left = Enumerable.Range(0, d).ToList();
        while (left.Count > 0)
        {
            int pivot = left.MaxBy(k => Norm(columns[k]));
            double size = Norm(columns[pivot]);
            if (first == 0.0) first = size;
            if (!(size > Math.Max(rows.Length, d) * RegionSolve.MachineEpsilon * first)) break;
            last = size;
            left.Remove(pivot);
            double[] q = [.. columns[pivot].Select(v => v / size)];
            foreach (int k in left)
            {
                double dot = 0.0;
                for (int i = 0; i < q.Length; i++) dot += q[i] * columns[k][i];
                for (int i = 0; i < q.Length; i++) columns[k][i] -= dot * q[i];
            }
        }
        return first > 0.0 && last < Angle * first;
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(e => e * e));
}
