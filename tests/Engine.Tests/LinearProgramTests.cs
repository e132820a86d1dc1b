using Engine.Core.Geometry;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>The dense simplex against linear programs solved by hand.</summary>
[Category("unit")]
public sealed class LinearProgramTests
{
    private static readonly double[] Inf2 = [double.PositiveInfinity, double.PositiveInfinity];

    [Test]
    public void WyndorGlassIsSolvedAtTheKnownVertex()
    {
        // max 3x + 5y; x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18; optimum 36 at (2, 6).
        var lp = new LinearProgram([0, 0], Inf2);
        lp.AddLessOrEqual([1, 0], 4);
        lp.AddLessOrEqual([0, 2], 12);
        lp.AddLessOrEqual([3, 2], 18);
        LinearProgramResult r = lp.Maximize([3, 5]);
        Assert.That(r.Status, Is.EqualTo(LinearProgramStatus.Optimal));
        Assert.That(r.Objective, Is.EqualTo(36).Within(Tolerances.LinearProgram));
        Assert.That(r.X, Is.EqualTo(new[] { 2.0, 6.0 }).Within(Tolerances.LinearProgram));
    }

    [Test]
    public void PhaseOneFindsAStartWhenTheOriginIsInfeasible()
    {
        // min x + 2y subject to x + y ≥ 2: optimum 2 at (2, 0).
        var lp = new LinearProgram([0, 0], Inf2);
        lp.AddLessOrEqual([-1, -1], -2);
        LinearProgramResult r = lp.Maximize([-1, -2]);
        Assert.That(r.Status, Is.EqualTo(LinearProgramStatus.Optimal));
        Assert.That(r.Objective, Is.EqualTo(-2).Within(Tolerances.LinearProgram));
        Assert.That(r.X, Is.EqualTo(new[] { 2.0, 0.0 }).Within(Tolerances.LinearProgram));
    }

    [Test]
    public void EqualityRowsHold()
    {
        // max x − y subject to x + y = 1: optimum 1 at (1, 0).
        var lp = new LinearProgram([0, 0], Inf2);
        lp.AddEqual([1, 1], 1);
        LinearProgramResult r = lp.Maximize([1, -1]);
        Assert.That(r.Objective, Is.EqualTo(1).Within(Tolerances.LinearProgram));
        Assert.That(r.X, Is.EqualTo(new[] { 1.0, 0.0 }).Within(Tolerances.LinearProgram));
    }

    [Test]
    public void NegativeLowerBoundsAreShifted()
    {
        // max −x + y, x ∈ [−2, 3], y ∈ [−1, 1], x + y ≤ 0: optimum 3 at (−2, 1).
        var lp = new LinearProgram([-2, -1], [3, 1]);
        lp.AddLessOrEqual([1, 1], 0);
        LinearProgramResult r = lp.Maximize([-1, 1]);
        Assert.That(r.Objective, Is.EqualTo(3).Within(Tolerances.LinearProgram));
        Assert.That(r.X, Is.EqualTo(new[] { -2.0, 1.0 }).Within(Tolerances.LinearProgram));
    }

    [Test]
    public void InfeasibleAndUnboundedAreReported()
    {
        var infeasible = new LinearProgram([0, 0], Inf2);
        infeasible.AddLessOrEqual([1, 1], -1);
        Assert.That(infeasible.Maximize([1, 1]).Status, Is.EqualTo(LinearProgramStatus.Infeasible));

        var unbounded = new LinearProgram([0, 0], Inf2);
        unbounded.AddLessOrEqual([1, -1], 1);
        Assert.That(unbounded.Maximize([1, 1]).Status, Is.EqualTo(LinearProgramStatus.Unbounded));
    }

    [Test]
    public void ChvatalCyclingExampleTerminatesUnderBlandsRule()
    {
        // Chvátal, Linear Programming (1983), §3: cycles under the largest-coefficient rule; optimum 1 at x = (1, 0, 1, 0).
        var lp = new LinearProgram([0, 0, 0, 0], [double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity]);
        lp.AddLessOrEqual([0.5, -5.5, -2.5, 9], 0);
        lp.AddLessOrEqual([0.5, -1.5, -0.5, 1], 0);
        lp.AddLessOrEqual([1, 0, 0, 0], 1);
        LinearProgramResult r = lp.Maximize([10, -57, -9, -24]);
        Assert.That(r.Status, Is.EqualTo(LinearProgramStatus.Optimal));
        Assert.That(r.Objective, Is.EqualTo(1).Within(Tolerances.LinearProgram));
        Assert.That(r.X, Is.EqualTo(new[] { 1.0, 0.0, 1.0, 0.0 }).Within(Tolerances.LinearProgram));
    }

    [Test]
    public void RatioTiesGoToTheLargestPivotNotATinyOne()
    {
        // Both rows tie at ratio 0 when x enters. Bland's smallest-index tie-break would pivot on 1.8e-11 and divide the
        // −2e-16 that rounding left in the first row by it, returning x ≈ −1.1e-5 outside its bounds with "optimal".
        var lp = new LinearProgram([0], [1]);
        lp.AddLessOrEqual([1.8e-11], -2e-16);
        lp.AddLessOrEqual([5.5], 0);
        LinearProgramResult r = lp.Maximize([1]);
        Assert.That(r.Status, Is.EqualTo(LinearProgramStatus.Optimal));
        Assert.That(r.X[0], Is.EqualTo(0).Within(Tolerances.LinearProgram));
        Assert.That(lp.Satisfies(r.X), Is.True);
    }

    [Test]
    public void DualsCertifyTheOptimumAndAnyMultipliersBoundIt()
    {
        // Wyndor Glass again: the row duals (0, 1.5, 1) prove 36 is optimal; any nonnegative multipliers give a valid bound.
        var lp = new LinearProgram([0, 0], [100, 100]);
        lp.AddLessOrEqual([1, 0], 4);
        lp.AddLessOrEqual([0, 2], 12);
        lp.AddLessOrEqual([3, 2], 18);
        double[] objective = [3, 5];
        LinearProgramResult r = lp.Maximize(objective);
        Assert.That(r.Duals, Is.EqualTo(new[] { 0, 1.5, 1 }).Within(Tolerances.LinearProgram));
        Assert.That(lp.UpperBound(objective, r.Duals), Is.EqualTo(36).Within(Tolerances.LinearProgram));
        // Weak duality by hand for y = (1, 1, 1): reduced costs c − Aᵀy = (−1, 1), bound 4 + 12 + 18 + 1·100 = 134.
        Assert.That(lp.UpperBound(objective, [1, 1, 1]), Is.EqualTo(134).Within(Tolerances.LinearProgram));
        Assert.That(lp.UpperBound(objective, [0, 0, 0]), Is.EqualTo(800).Within(Tolerances.LinearProgram));
    }

    [Test]
    public void GlopAgreesOnRandomMarginPrograms()
    {
        // Margin programs like the geometry's (rows through the origin scaled to unit size, boxed variables): the simplex
        // and GLOP reach the same optimum, and each one's duals certify it.
        var rng = new Random(17);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = 2 + rng.Next(3), rows = 3 + rng.Next(12);
            double[] lower = Enumerable.Repeat(-1.0, n + 1).ToArray(), upper = Enumerable.Repeat(1.0, n + 1).ToArray();
            lower[n] = -(n + 1);
            var lp = new LinearProgram(lower, upper);
            for (int i = 0; i < rows; i++)
            {
                double[] row = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).Append(0).ToArray();
                double size = row.Max(Math.Abs);
                for (int k = 0; k < n; k++) row[k] /= -size;
                row[n] = 1;
                lp.AddLessOrEqual(row, 0);
            }
            double[] objective = new double[n + 1];
            objective[n] = 1;
            LinearProgramResult simplex = lp.Maximize(objective), glop = lp.MaximizeTrusted(objective);
            Assert.That(simplex.Status, Is.EqualTo(LinearProgramStatus.Optimal), $"trial {trial}");
            Assert.That(glop.Status, Is.EqualTo(LinearProgramStatus.Optimal), $"trial {trial}");
            Assert.That(simplex.Objective, Is.EqualTo(glop.Objective).Within(1e-8), $"trial {trial}");
            Assert.That(lp.UpperBound(objective, simplex.Duals), Is.EqualTo(simplex.Objective).Within(1e-9), $"trial {trial}");
            Assert.That(lp.UpperBound(objective, glop.Duals), Is.EqualTo(glop.Objective).Within(1e-7), $"trial {trial}");
        }
    }

    [Test]
    public void AnAnswerThatFailsItsCheckGoesToGlopAndANoNeedsACertificate()
    {
        // Chvátal's example, optimum 1. Above the threshold 0.5 the simplex's point is offered to the check first; a check
        // that rejects it sends the program to GLOP, whose point is checked in turn.
        var lp = new LinearProgram([0, 0, 0, 0], [10, 10, 10, 10]);
        lp.AddLessOrEqual([0.5, -5.5, -2.5, 9], 0);
        lp.AddLessOrEqual([0.5, -1.5, -0.5, 1], 0);
        lp.AddLessOrEqual([1, 0, 0, 0], 1);
        double[] objective = [10, -57, -9, -24];
        int offered = 0;
        var counts = new DecisionCounts();
        double[]? point = MarginProgram.Decide(lp, objective, 0.5, x => offered++ == 0 ? null : x, counts);
        Assert.That(point, Is.EqualTo(new[] { 1.0, 0.0, 1.0, 0.0 }).Within(1e-7));
        Assert.That((offered, counts.Programs, counts.Fallbacks, counts.Unchecked), Is.EqualTo((2, 1L, 1L, 0L)));
        // A check that rejects every point leaves no verified answer at all: counted as unchecked, never a silent yes.
        var rejected = new DecisionCounts();
        Assert.That(MarginProgram.Decide(lp, objective, 0.5, _ => (double[]?)null, rejected), Is.Null);
        Assert.That(rejected.Unchecked, Is.EqualTo(1));
        // Below the threshold the answer is no, backed by the duals' bound: no fallback.
        var no = new DecisionCounts();
        Assert.That(MarginProgram.Decide(lp, objective, 1.5, x => x, no), Is.Null);
        Assert.That((no.Fallbacks, no.Unchecked), Is.EqualTo((0L, 0L)));
    }
}
