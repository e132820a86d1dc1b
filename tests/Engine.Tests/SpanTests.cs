using Engine.Core.Data;
using Engine.Core.Geometry;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// Data whose first input column spans many decades, the accepted span measured rather than assumed: every cell count
/// against Zaslavsky's count of the arrangement in exact arithmetic, every region's loss against exact least squares,
/// every realizability flag against <see cref="ExactReferenceRealizability"/>. Within the accepted span all must agree
/// (an undecided flag is allowed and counted); beyond it the data must be refused in one line before any work.
/// </summary>
[Category("unit")]
public sealed class SpanTests
{
    /// <summary>
    /// N random points whose first column is ±10^(−decades·f) with f = 0 for one point, 1 for another and uniform in
    /// [0, 1] for the rest, so that it spans exactly 10^decades; the other columns and the targets uniform in [−1, 1].
    /// </summary>
    public static Dataset Spanning(int points, int inputs, int seed, int decades)
    {
        var random = new Random(seed);
        double[] x = new double[points * inputs];
        double[] y = new double[points];
        for (int i = 0; i < points; i++)
        {
            double f = i == 0 ? 0.0 : i == 1 ? 1.0 : random.NextDouble();
            x[i * inputs] = (random.Next(2) == 0 ? -1 : 1) * Math.Pow(10.0, -decades * f);
            for (int k = 1; k < inputs; k++) x[i * inputs + k] = 2.0 * random.NextDouble() - 1.0;
            y[i] = 2.0 * random.NextDouble() - 1.0;
        }
        return new Dataset($"span-1e{decades}", inputs, x, y);
    }

    // Inside the accepted span (NormalizedData.MaxColumnSpan = 1e6), well within and up to its edge, with the three
    // datasets where realizable regions were once flagged "no" at a margin optimum of 1e-12 … 1e-10, below the 1e-9
    // threshold (Realizability.SmallMargin): seeds 9 and 24 at 1e5, and seed 2 at 1e6 among the eight. The measurement ran 4 to 40 seeds at each decade from 1e3 to 1e16 and 1e20 to
    // 1e100; here fewer keep CI short.
    private static IEnumerable<TestCaseData> Accepted()
    {
        foreach (int decades in new[] { 3, 5, 6 })
        {
            for (int seed = 0; seed < 8; seed++)
            {
                yield return new TestCaseData(6, 1, seed, decades).SetName($"Span(N=6,n=1,seed={seed},1e{decades})");
                yield return new TestCaseData(4, 2, seed, decades).SetName($"Span(N=4,n=2,seed={seed},1e{decades})");
            }
        }
        yield return new TestCaseData(4, 2, 9, 5).SetName("Span(N=4,n=2,seed=9,1e5)");
        yield return new TestCaseData(4, 2, 24, 5).SetName("Span(N=4,n=2,seed=24,1e5)");
    }

    [TestCaseSource(nameof(Accepted))]
    public void EveryAnswerAgreesWithExactArithmeticWithinTheAcceptedSpan(int points, int inputs, int seed, int decades)
    {
        (int lossErrors, int flagErrors) = Compare(Spanning(points, inputs, seed, decades), decades, out int cells, out int expectedCells);
        Assert.Multiple(() =>
        {
            Assert.That(cells, Is.EqualTo(expectedCells), "cells");
            Assert.That(lossErrors, Is.Zero, "losses");
            Assert.That(flagErrors, Is.Zero, "flags");
        });
    }

    // Beyond the accepted span, from the first decade where losses were measured to go wrong: one line, before any work.
    [TestCase(6, 1, 0, 7)]
    [TestCase(4, 2, 1, 7)]
    [TestCase(6, 1, 2, 20)]
    [TestCase(4, 2, 3, 100)]
    public void SpansBeyondTheAcceptedOneAreRefused(int points, int inputs, int seed, int decades)
    {
        EngineInputException refusal = Assert.Throws<EngineInputException>(() => ArrangementCells.Enumerate(Spanning(points, inputs, seed, decades), true))!;
        Assert.That(refusal.Message, Does.Contain("times its column's largest value"));
        Assert.That(refusal.Message, Does.Not.Contain("\n"));
    }

    // Cell count against Zaslavsky's, and per region the loss against exact least squares and the flag against the exact
    // reference (undecided rows are allowed and counted): how many losses and flags disagree.
    private static (int Losses, int Flags) Compare(Dataset data, int decades, out int cellCount, out int expectedCells)
    {
        const bool bias = true;
        ArrangementCells cells = ArrangementCells.Enumerate(data, bias);
        cellCount = cells.Count;
        expectedCells = ZaslavskyCount(data, bias);
        NonemptyRegions regions = NonemptyRegions.Enumerate(cells, 2, new NonemptyOptions { Keep = true, Realizability = true });
        // Losses within the certified solve's contract, relative to ½Σy².
        double scale = 0.5 * data.Y.ToArray().Sum(v => v * v);
        double tolerance = Tolerances.RegionLoss(Backend.Cpu, scale);
        int lossErrors = 0, flagErrors = 0, undecided = 0;
        double worst = 0.0;
        for (long r = 0; r < regions.Count; r++)
        {
            (Rational loss, _) = ExactLeastSquares.Solve(data, 2, bias, regions.Indices![r]);
            double error = Math.Abs(regions.Losses![r] - loss.ToDouble());
            worst = Math.Max(worst, error / scale);
            if (error > tolerance) lossErrors++;
            if (regions.Undecided![r])
            {
                undecided++;
                continue;
            }
            if (regions.Realizable![r] != ExactReferenceRealizability.Realizable(data, bias, regions.Columns(r))) flagErrors++;
        }
        TestContext.Out.WriteLine($"1e{decades}: {cellCount} cells (exact {expectedCells}), {regions.Count} regions, {lossErrors} losses off (worst {worst:G2}·½Σy²), {flagErrors} flags wrong, {undecided} undecided");
        return (lossErrors, flagErrors);
    }

    // The number of chambers of the central arrangement {θ : θᵀx̃_i = 0}, by Zaslavsky's theorem through Whitney's
    // formula: Σ over subsets S of (−1)^(|S| − rank S), ranks taken in exact arithmetic. Repeated hyperplanes cancel in
    // the sum, so duplicate points need no care; a zero x̃ (the origin without bias) is no hyperplane and is left out.
    public static int ZaslavskyCount(Dataset data, bool bias)
    {
        List<Rational[]> normals = [];
        for (int i = 0; i < data.Count; i++)
        {
            Rational[] x = [.. data.Point(i).ToArray().Select(Rational.From), .. bias ? new[] { new Rational(1, 1) } : []];
            if (x.Any(v => !v.IsZero)) normals.Add(x);
        }
        int count = 0;
        for (int subset = 0; subset < 1 << normals.Count; subset++)
        {
            Rational[][] rows = [.. Enumerable.Range(0, normals.Count).Where(i => ((subset >> i) & 1) == 1).Select(i => (Rational[])normals[i].Clone())];
            count += (rows.Length - Rank(rows)) % 2 == 0 ? 1 : -1;
        }
        return count;
    }

    private static int Rank(Rational[][] rows)
    {
        int rank = 0;
        int columns = rows.Length == 0 ? 0 : rows[0].Length;
        for (int c = 0; c < columns && rank < rows.Length; c++)
        {
            int p = Array.FindIndex(rows, rank, r => !r[c].IsZero);
            if (p < 0) continue;
            (rows[rank], rows[p]) = (rows[p], rows[rank]);
            for (int r = rank + 1; r < rows.Length; r++)
            {
                Rational f = rows[r][c] / rows[rank][c];
                for (int k = c; k < columns; k++) rows[r][k] -= f * rows[rank][k];
            }
            rank++;
        }
        return rank;
    }
}
