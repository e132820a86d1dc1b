using Engine.Core.Data;
using Engine.Core.Geometry;
using Google.OrTools.LinearSolver;

namespace Engine.Tests;

/// <summary>
/// An independent decision of realizability, written apart from the engine's: a different formulation (the
/// minimizers as the equalities Z p = τ f* in the parameters themselves, on the data as given, f* the SVD reference's
/// fitted values, instead of the engine's null-space program on normalised data), GLOP with its default tolerances as
/// the solver, and zeroed nodes as fixed variables instead of reduced regions.
/// </summary>
/// <remarks>
/// For every choice of σ_j ∈ {+1, −1, 0}: maximize t subject to Z p = τ f*, p_j = 0 where σ_j = 0,
/// σ_j s_ij p_jᵀx̃_i ≥ t·‖x̃_i‖∞ elsewhere, t ≤ τ, 0 ≤ τ ≤ 1 and |p_k| ≤ 1. A strictly interior minimizer p divided by
/// a large enough factor is feasible with t &gt; 0, and any feasible point with t &gt; 0 has τ &gt; 0 and gives the strictly
/// interior minimizer p/τ: the region's minimum is realizable iff some choice has t* &gt; 0. The homogenisation keeps
/// minimizers that need very large weights (two nodes with one column) inside the unit box. Answers with t* within a
/// band around 0, or where GLOP gives no answer, are reported as undecided rather than guessed.
/// </remarks>
public static class ReferenceRealizability
{
    public enum Answer { No, Yes, Undecided }

    // Margins above this are a clear yes, below the lower one a clear no (GLOP's own feasibility tolerance is 1e-7).
    private const double Yes = 1e-6;
    private const double No = 1e-9;

    public static Answer Decide(Dataset data, bool bias, IReadOnlyList<ulong[]> columns)
    {
        int h = columns.Count;
        int n = data.Inputs;
        int d = n + (bias ? 1 : 0);
        double[,] z = ReferenceLeastSquares.Design(data, h, bias, (i, j) => ColumnFeasibility.Active(columns[j], i));
        ReferenceLeastSquares.Solution reference = ReferenceLeastSquares.Solve(z, data.Y.ToArray());
        int m = z.GetLength(1);
        // Fitted values scaled to unit size, so that the unit box is the right scale for p.
        double[] fit = new double[data.Count];
        for (int i = 0; i < data.Count; i++)
        {
            for (int k = 0; k < m; k++) fit[i] += z[i, k] * reference.P[k];
        }
        double size = Math.Max(fit.Max(Math.Abs), double.Epsilon);
        for (int i = 0; i < fit.Length; i++) fit[i] /= size;
        double best = double.NegativeInfinity;
        bool failed = false;
        int choices = (int)Math.Pow(3, h);
        for (int choice = 0; choice < choices; choice++)
        {
            int[] signs = new int[h];
            for (int j = 0, c = choice; j < h; j++, c /= 3) signs[j] = c % 3 - 1;
            double? margin = Margin(data, bias, columns, z, fit, signs, d);
            if (margin is null) failed = true;
            else best = Math.Max(best, margin.Value);
            if (best > Yes) return Answer.Yes;
        }
        return best < No && !failed ? Answer.No : Answer.Undecided;
    }

    // The optimal t, −∞ when the program is infeasible, null when GLOP gives no answer.
    private static double? Margin(Dataset data, bool bias, IReadOnlyList<ulong[]> columns, double[,] z, double[] fit, int[] signs, int d)
    {
        int m = z.GetLength(1);
        using Solver solver = Solver.CreateSolver("GLOP");
        Variable[] p = new Variable[m];
        for (int k = 0; k < m; k++)
        {
            bool zeroed = k < signs.Length * d && signs[k / d] == 0;
            p[k] = zeroed ? solver.MakeNumVar(0, 0, $"p{k}") : solver.MakeNumVar(-1, 1, $"p{k}");
        }
        Variable tau = solver.MakeNumVar(0, 1, "tau");
        Variable t = solver.MakeNumVar(double.NegativeInfinity, 1, "t");
        Constraint link = solver.MakeConstraint(double.NegativeInfinity, 0);
        link.SetCoefficient(t, 1);
        link.SetCoefficient(tau, -1);
        for (int i = 0; i < data.Count; i++)
        {
            // Σ_k z_ik p_k − τ f*_i = 0.
            Constraint fitted = solver.MakeConstraint(0, 0);
            for (int k = 0; k < m; k++)
            {
                if (z[i, k] != 0) fitted.SetCoefficient(p[k], z[i, k]);
            }
            fitted.SetCoefficient(tau, -fit[i]);
        }
        for (int j = 0; j < signs.Length; j++)
        {
            if (signs[j] == 0) continue;
            for (int i = 0; i < data.Count; i++)
            {
                double[] x = [.. data.Point(i).ToArray(), .. (bias ? new[] { 1.0 } : [])];
                double norm = x.Max(Math.Abs);
                if (norm == 0) continue;
                double s = signs[j] * (ColumnFeasibility.Active(columns[j], i) ? 1.0 : -1.0);
                // s·p_jᵀx̃_i − t·‖x̃_i‖ ≥ 0.
                Constraint side = solver.MakeConstraint(0, double.PositiveInfinity);
                for (int k = 0; k < d; k++) side.SetCoefficient(p[j * d + k], s * x[k]);
                side.SetCoefficient(t, -norm);
            }
        }
        Objective objective = solver.Objective();
        objective.SetCoefficient(t, 1);
        objective.SetMaximization();
        return solver.Solve() switch
        {
            Solver.ResultStatus.OPTIMAL => objective.Value(),
            Solver.ResultStatus.INFEASIBLE => double.NegativeInfinity,
            _ => null,
        };
    }
}

/// <summary>Checks a network witness with code of its own: Eq. 1 evaluated point by point, strict activation signs, the loss.</summary>
public static class WitnessCheck
{
    /// <summary>Why the network (w, b, v, c) fails for the region with these columns and loss, or null when it holds.</summary>
    public static string? Problem(Dataset data, bool bias, IReadOnlyList<ulong[]> columns, IReadOnlyList<double[]> w, IReadOnlyList<double> b, IReadOnlyList<double> v, double c, double loss, double tolerance)
    {
        double total = 0;
        for (int i = 0; i < data.Count; i++)
        {
            double[] x = data.Point(i).ToArray();
            bool origin = !bias && x.All(e => e == 0);
            double f = bias ? c : 0;
            for (int j = 0; j < v.Count; j++)
            {
                double u = (bias ? b[j] : 0) + Enumerable.Range(0, x.Length).Sum(k => w[j][k] * x[k]);
                bool active = ColumnFeasibility.Active(columns[j], i);
                if (!origin && (active ? !(u > 0) : !(u < 0))) return $"node {j + 1} at point {i + 1}: pre-activation {u:G6} but a = {(active ? 1 : 0)}";
                if (origin && active) return $"node {j + 1} is active at the origin";
                if (u > 0) f += v[j] * u;
            }
            total += (f - data.Y[i]) * (f - data.Y[i]);
        }
        return Math.Abs(0.5 * total - loss) <= tolerance ? null : $"L_f = {0.5 * total:G17}, region loss {loss:G17}";
    }
}
