using Engine.Core;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>The dense simplex against linear programs solved by hand.</summary>
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
}
