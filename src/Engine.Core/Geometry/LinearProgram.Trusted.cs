using Google.OrTools.LinearSolver;

namespace Engine.Core.Geometry;

public sealed partial class LinearProgram
{
    // GLOP's feasibility and optimality tolerances, tightened from its 1e-7 defaults to sit below the margins the
    // callers decide on (1e-9), on programs whose rows have unit size.
    private const double TrustedTolerance = 1e-10;

    // Many times the pivots a program of this size needs (a few per row or column).
    private static int IterationCap(int rows, int variables) => 100 * (rows + variables) + 1000;

    /// <summary>
    /// Maximizes <paramref name="objective"/>ᵀx over the same program with Google's GLOP, the trusted second solver
    /// that callers fall back to when the simplex reports trouble or its answer fails its certificate. The point is
    /// checked as the simplex's is, and the row duals come back as multipliers for <see cref="UpperBound"/>.
    /// </summary>
    public LinearProgramResult MaximizeTrusted(ReadOnlySpan<double> objective)
    {
        if (objective.Length != Variables) throw new ArgumentException($"objective has {objective.Length} coefficients for {Variables} variables");
        using Solver solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("GLOP is not available in this OR-Tools build");
        var x = new Variable[Variables];
        for (int k = 0; k < Variables; k++) x[k] = solver.MakeNumVar(_lower[k], _upper[k], $"x{k}");
        var rows = new Constraint[Rows];
        for (int r = 0; r < Rows; r++)
        {
            rows[r] = solver.MakeConstraint(double.NegativeInfinity, _rhs[r]);
            for (int k = 0; k < Variables; k++)
            {
                if (Coefficient(r, k) != 0.0) rows[r].SetCoefficient(x[k], Coefficient(r, k));
            }
        }
        Objective goal = solver.Objective();
        for (int k = 0; k < Variables; k++) goal.SetCoefficient(x[k], objective[k]);
        goal.SetMaximization();
        // A cap on GLOP's iterations, deterministic unlike a time limit: with the tightened tolerances it was seen to
        // iterate without end on a 7-row cell program of nearly collinear points (ε = 1e-7). A program it cannot finish
        // within the cap reports trouble, and the caller treats it as it treats any unbacked answer.
        solver.SetSolverSpecificParametersAsString($"max_number_of_iterations: {IterationCap(Rows, Variables)}");
        using var parameters = new MPSolverParameters();
        parameters.SetDoubleParam(MPSolverParameters.DoubleParam.PRIMAL_TOLERANCE, TrustedTolerance);
        parameters.SetDoubleParam(MPSolverParameters.DoubleParam.DUAL_TOLERANCE, TrustedTolerance);
        Solver.ResultStatus status = solver.Solve(parameters);
        switch (status)
        {
            case Solver.ResultStatus.OPTIMAL:
                double[] point = x.Select(v => v.SolutionValue()).ToArray();
                if (!Satisfies(point)) return Failed(LinearProgramStatus.NumericalTrouble);
                return new LinearProgramResult(LinearProgramStatus.Optimal, Value(objective, point), point, rows.Select(c => Math.Max(0.0, c.DualValue())).ToArray());
            case Solver.ResultStatus.INFEASIBLE:
                return Failed(LinearProgramStatus.Infeasible);
            case Solver.ResultStatus.UNBOUNDED:
                return Failed(LinearProgramStatus.Unbounded);
            default:
                return Failed(LinearProgramStatus.NumericalTrouble);
        }
    }
}
