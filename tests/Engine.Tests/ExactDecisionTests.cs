using System.Numerics;
using Engine.Core.Data;
using Engine.Core.Exact;
using Engine.Core.Geometry;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// Every realizability decision on generated near-degenerate and rescaled data against
/// <see cref="ExactReferenceRealizability"/>, a separately written exact reference: where the engine decides, it must
/// agree; where it cannot, it must say undecided. And the exact strict-feasibility solver the fallback uses, against
/// systems whose answer is planted.
/// </summary>
[Category("unit")]
public sealed class ExactDecisionTests
{
    private static IEnumerable<TestCaseData> Datasets()
    {
        foreach (double epsilon in new[] { 1e-5, 1e-7, 1e-9 })
        {
            yield return new TestCaseData("duplicate", epsilon, true, 0, 6, 11).SetName($"NearDuplicate(ε={epsilon:G1}, bias)");
            yield return new TestCaseData("collinear", epsilon, false, 0, 6, 11).SetName($"NearCollinear(ε={epsilon:G1})");
        }
        // Targets times 2^-400: losses near 1e-241, still normal; every flag must be that of the unscaled data.
        yield return new TestCaseData("duplicate", 1e-7, true, -400, 6, 11).SetName("NearDuplicate(ε=1e-7, bias, targets·2^-400)");
        yield return new TestCaseData("collinear", 1e-7, false, 300, 6, 11).SetName("NearCollinear(ε=1e-7, targets·2^300)");
    }

    // Five-point datasets, ten seeds each, at the ε between the six-point cases: the class, not one dataset of it.
    private static IEnumerable<TestCaseData> Seeds()
    {
        foreach (double epsilon in new[] { 1e-4, 1e-6, 1e-8 })
        {
            for (int seed = 0; seed < 10; seed++)
            {
                yield return new TestCaseData("duplicate", epsilon, true, 0, 5, seed).SetName($"NearDuplicate(N=5,seed={seed},ε={epsilon:G1},bias)");
                yield return new TestCaseData("collinear", epsilon, false, 0, 5, seed).SetName($"NearCollinear(N=5,seed={seed},ε={epsilon:G1})");
            }
        }
    }

    [TestCaseSource(nameof(Seeds))]
    public void EveryDecisionAgreesWithExactArithmeticAcrossSeeds(string kind, double epsilon, bool bias, int targetPower, int points, int seed) =>
        EveryDecisionAgreesWithExactArithmetic(kind, epsilon, bias, targetPower, points, seed);

    [TestCaseSource(nameof(Datasets))]
    public void EveryDecisionAgreesWithExactArithmetic(string kind, double epsilon, bool bias, int targetPower, int points, int seed)
    {
        Dataset data = kind == "duplicate" ? DegenerateDecisionTests.NearDuplicate(points, 2, seed, epsilon) : DegenerateDecisionTests.NearCollinear(points, seed, epsilon);
        if (targetPower != 0) data = new Dataset(data.Name, data.Inputs, data.X.ToArray(), [.. data.Y.ToArray().Select(v => Math.ScaleB(v, targetPower))]);
        ArrangementCells cells;
        try
        {
            cells = ArrangementCells.Enumerate(data, bias);
        }
        catch (EngineInputException refusal) when (refusal.Message.Contains("nearly coincide", StringComparison.Ordinal))
        {
            // A cell thinner than double precision can witness is refused in one line, an explicit answer; only where
            // hyperplanes meet at angles near 1e-8 (one collinear dataset of the sixty here).
            Assert.That(epsilon, Is.LessThanOrEqualTo(1e-8), refusal.Message);
            return;
        }
        NonemptyRegions regions = NonemptyRegions.Enumerate(cells, 2, new NonemptyOptions { Keep = true, Realizability = true, Unordered = true });
        int undecided = 0, yes = 0;
        long undecidedWeight = 0;
        for (long r = 0; r < regions.Count; r++)
        {
            bool reference = ExactReferenceRealizability.Realizable(data, bias, regions.Columns(r));
            if (regions.Undecided?[r] == true)
            {
                undecided++;
                undecidedWeight += regions.Multiplicities![r];
                continue;
            }
            Assert.That(regions.Realizable![r], Is.EqualTo(reference), $"row {r} ({string.Join(",", regions.Tuple(r))})");
            if (reference) yes++;
        }
        TestContext.Out.WriteLine($"{regions.Count} regions, {yes} realizable, {undecided} undecided, {regions.Decisions.Exact} sent to the exact fallback");
        Assert.That(undecidedWeight, Is.EqualTo(regions.Decisions.Undecided), "every undecided region is counted, with its multiplicity");
    }

    private static IEnumerable<TestCaseData> Systems()
    {
        for (int seed = 0; seed < 200; seed++) yield return new TestCaseData(seed);
    }

    // Rows with a planted solution y* (every r_kᵀy* > 0), or a planted positive dependence, and some random ones; the
    // answer must match the planted one and Carathéodory's, with a checked solution when it is yes.
    [TestCaseSource(nameof(Systems))]
    public void StrictFeasibilityMatchesPlantedAnswers(int seed)
    {
        var random = new Random(seed);
        int dimension = 1 + random.Next(4);
        int count = 1 + random.Next(8);
        bool planted = random.Next(2) == 0;
        long[] star = [.. Enumerable.Range(0, dimension).Select(_ => (long)random.Next(-5, 6))];
        if (star.All(v => v == 0)) star[0] = 1;
        var rows = new List<long[]>();
        while (rows.Count < count)
        {
            long[] row = [.. Enumerable.Range(0, dimension).Select(_ => (long)random.Next(-4, 5))];
            long dot = row.Zip(star, (a, b) => a * b).Sum();
            if (planted && dot <= 0) continue;
            rows.Add(row);
        }
        if (!planted)
        {
            // The negative of a positive combination of the rows: now 0 is in their conic hull, so no solution.
            long[] sum = new long[dimension];
            foreach (long[] row in rows.Take(1 + random.Next(rows.Count)))
            {
                int weight = 1 + random.Next(3);
                for (int i = 0; i < dimension; i++) sum[i] -= weight * row[i];
            }
            rows.Add(sum);
        }
        BigInteger[][] engineRows = [.. rows.Select(r => r.Select(v => new BigInteger(v)).ToArray())];
        (bool Feasible, BigInteger[]? Solution)? answer = StrictFeasibility.Decide(engineRows, dimension, 1 << 16);
        Assert.That(answer, Is.Not.Null);
        Rational[][] referenceRows = [.. rows.Select(r => r.Select(v => Rational.From(v)).ToArray())];
        Assert.That(answer!.Value.Feasible, Is.EqualTo(planted));
        Assert.That(answer.Value.Feasible, Is.EqualTo(ExactReferenceRealizability.StrictlyFeasible(referenceRows, dimension)));
        if (answer.Value.Feasible)
        {
            foreach (long[] row in rows)
            {
                BigInteger dot = BigInteger.Zero;
                for (int i = 0; i < dimension; i++) dot += row[i] * answer.Value.Solution![i];
                Assert.That(dot.Sign, Is.GreaterThan(0));
            }
        }
    }
}
