using Engine.Core.Data;

namespace Engine.Core.Network;

/// <summary>
/// The real loss L_f (Eq. 3) on a grid over two parameters with the others fixed (Figure 2), and the activation
/// boundaries crossing it. Each pre-activation w_jᵀx_i + b_j is affine in the first-layer parameters and free of
/// v and c, so on the slice it is α + βX + γY and its zero set is a line (or nothing, or everything).
/// </summary>
public sealed class LossSlice
{
    private LossSlice(string xName, string yName, double[] xs, double[] ys, double[,] loss, List<(double A, double B, double C)> boundaries)
    {
        XName = xName;
        YName = yName;
        Xs = xs;
        Ys = ys;
        Loss = loss;
        Boundaries = boundaries;
    }

    /// <summary>Name of the horizontal parameter.</summary>
    public string XName { get; }

    /// <summary>Name of the vertical parameter.</summary>
    public string YName { get; }

    /// <summary>Grid values of the horizontal parameter, increasing.</summary>
    public double[] Xs { get; }

    /// <summary>Grid values of the vertical parameter, increasing.</summary>
    public double[] Ys { get; }

    /// <summary>Loss[r, c] at (Xs[c], Ys[r]).</summary>
    public double[,] Loss { get; }

    /// <summary>Distinct boundary lines α + βX + γY = 0 (β, γ not both zero), normalized so that (β, γ) has unit length.</summary>
    public IReadOnlyList<(double A, double B, double C)> Boundaries { get; }

    /// <summary>Most grid points per axis: the losses of a full grid take 8·grid² bytes.</summary>
    public const int MaxGrid = 4001;

    /// <summary>
    /// Evaluates the slice of the network with <paramref name="hidden"/> nodes over <paramref name="data"/>:
    /// parameter <paramref name="x"/> over [<paramref name="xFrom"/>, <paramref name="xTo"/>], <paramref name="y"/>
    /// likewise, <paramref name="grid"/> points per axis, the rest at <paramref name="theta"/>.
    /// </summary>
    public static LossSlice Compute(Dataset data, int hidden, bool bias, double[] theta, int x, int y,
        double xFrom, double xTo, double yFrom, double yTo, int grid)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(theta);
        if (grid < 2) throw new EngineInputException($"grid needs at least 2 points per axis, got {grid}");
        if (grid > MaxGrid) throw new EngineInputException($"grid of {grid:N0} points per axis exceeds the limit of {MaxGrid:N0} ({MaxGrid * (long)MaxGrid * sizeof(double) >> 20} MiB of losses)");
        if (x == y) throw new EngineInputException("the two slice parameters must differ");
        if (!(xFrom < xTo) || !(yFrom < yTo)) throw new EngineInputException("slice ranges must be increasing");
        if (!double.IsFinite(xFrom) || !double.IsFinite(xTo) || !double.IsFinite(yFrom) || !double.IsFinite(yTo) || theta.Any(v => !double.IsFinite(v)))
            throw new EngineInputException("slice ranges and parameter values must be finite");
        int n = data.Inputs;
        double[] xs = Enumerable.Range(0, grid).Select(k => xFrom + (xTo - xFrom) * k / (grid - 1)).ToArray();
        double[] ys = Enumerable.Range(0, grid).Select(k => yFrom + (yTo - yFrom) * k / (grid - 1)).ToArray();
        double[,] loss = new double[grid, grid];
        Parallel.For(0, grid, r =>
        {
            double[] t = (double[])theta.Clone();
            t[y] = ys[r];
            for (int c = 0; c < grid; c++)
            {
                t[x] = xs[c];
                loss[r, c] = ReluNetwork.Loss(data, hidden, bias, t);
            }
        });
        foreach (double value in loss)
        {
            if (!double.IsFinite(value))
                throw new EngineInputException($"the loss exceeds the double-precision range on [{xFrom:G3}, {xTo:G3}] × [{yFrom:G3}, {yTo:G3}]; narrow the ranges");
        }
        // Pre-activations are affine in θ, so three evaluations give α, β, γ exactly (up to rounding).
        var lines = new List<(double, double, double)>();
        double[] probe = (double[])theta.Clone();
        for (int j = 0; j < hidden; j++)
        {
            for (int i = 0; i < data.Count; i++)
            {
                probe[x] = 0.0;
                probe[y] = 0.0;
                double a = ReluNetwork.PreActivation(data.Point(i), n, hidden, bias, probe, j);
                probe[x] = 1.0;
                double b = ReluNetwork.PreActivation(data.Point(i), n, hidden, bias, probe, j) - a;
                probe[x] = 0.0;
                probe[y] = 1.0;
                double c = ReluNetwork.PreActivation(data.Point(i), n, hidden, bias, probe, j) - a;
                double norm = Math.Sqrt(b * b + c * c);
                if (norm == 0.0) continue;
                (double, double, double) line = (a / norm, b / norm, c / norm);
                // A line and its negation are one boundary; keep the first seen.
                if (!lines.Any(l => Same(l, line))) lines.Add(line);
            }
        }
        return new LossSlice(ReluNetwork.Name(x, n, hidden), ReluNetwork.Name(y, n, hidden), xs, ys, loss, lines);
    }

    private static bool Same((double A, double B, double C) p, (double A, double B, double C) q)
    {
        const double close = 1e-12;
        bool equal = Math.Abs(p.A - q.A) < close && Math.Abs(p.B - q.B) < close && Math.Abs(p.C - q.C) < close;
        bool opposite = Math.Abs(p.A + q.A) < close && Math.Abs(p.B + q.B) < close && Math.Abs(p.C + q.C) < close;
        return equal || opposite;
    }
}
