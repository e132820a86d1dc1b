using Engine.Core.Data;
using Engine.Core.Geometry;
using Engine.Core.Regions;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// The answers a researcher publishes, against references that share nothing with the engine: exact rational least
/// squares on integer data (losses, ranks and histogram bins), an independent realizability program, and witnesses
/// checked by code of their own. Includes the cases an independent check once found wrong.
/// </summary>
[Category("unit")]
public sealed class CertifiedAnswerTests
{
    private static RegionEnumeration Exhaustive(Dataset data, int hidden, bool bias, int bins = 20, RegionPath path = RegionPath.Host)
    {
        using ComputeDevice device = ComputeDevice.Open(Backend.Cpu);
        return new RegionEngine(device).Enumerate(new RegionRequest
        {
            Data = data, Hidden = hidden, Bias = bias, KeepRegions = true, Realizability = true, Witnesses = true, Bins = bins, Path = path,
        });
    }

    private static NonemptyRegions Nonempty(Dataset data, int hidden, bool bias, bool unordered) => RegionEngine.EnumerateNonempty(new RegionRequest
    {
        Data = data, Hidden = hidden, Bias = bias, Unordered = unordered, KeepRegions = true, Realizability = true, Witnesses = true,
    });

    [TestCase("paper-fig3", 4, false, 14, RegionPath.Host)]
    [TestCase("paper-fig3", 4, false, 14, RegionPath.Kernel)]
    [TestCase("paper-fig3", 3, false, 28, RegionPath.Host)]
    [TestCase("paper-fig3", 2, true, 10, RegionPath.Host)]
    [TestCase("paper-fig2", 3, true, 6, RegionPath.Host)]
    public void IntegerDataHaveExactLossesRanksAndBins(string dataset, int hidden, bool bias, int bins, RegionPath path)
    {
        Dataset data = DatasetCatalog.Load(dataset);
        using ComputeDevice device = ComputeDevice.Open(Backend.Cpu);
        RegionEnumeration run = new RegionEngine(device).Enumerate(new RegionRequest { Data = data, Hidden = hidden, Bias = bias, KeepRegions = true, Bins = bins, Path = path });
        Rational mean = data.Y.ToArray().Select(Rational.From).Aggregate(Rational.Zero, (a, b) => a + b) / new Rational(data.Count, 1);
        Rational dead = data.Y.ToArray().Select(Rational.From).Select(y => bias ? (y - mean) * (y - mean) : y * y).Aggregate(Rational.Zero, (a, b) => a + b) * new Rational(1, 2);
        long[] expectedBins = new long[bins];
        for (long index = 0; index < run.Requested; index++)
        {
            (Rational loss, int rank) = ExactLeastSquares.Solve(data, hidden, bias, index);
            Assert.That(run.Losses![index], Is.EqualTo(loss.ToDouble()).Within(1e-12 * dead.ToDouble()), $"loss of region {index}");
            Assert.That(run.Ranks![index], Is.EqualTo(rank), $"rank of region {index}");
            // Bin k holds [k, k + 1)·dead/bins, the last one closed: exact arithmetic decides, with no tolerance.
            expectedBins[(int)BigIntegerMin(loss * new Rational(bins, 1) / dead, bins - 1)]++;
        }
        Assert.That(run.Summary.Bins, Is.EqualTo(expectedBins));
    }

    private static long BigIntegerMin(Rational value, long limit) => (long)System.Numerics.BigInteger.Min(value.Floor(), limit);

    [Test]
    public void IllConditionedPairIsNonsingularWithLossZeroAndNotRealizable()
    {
        // x1 = (1, 0), x2 = (1, 1e-7), y = (0, 1), h = 1: the all-active region (index 3) is nonsingular and fits exactly,
        // and its minimizer p = (−1e7, 1e7)·… lies on the boundary: not a local minimum.
        RegionEnumeration run = Exhaustive(HardData.IllConditioned, 1, false);
        Assert.That(run.Ranks![3], Is.EqualTo(2));
        Assert.That(run.Losses![3], Is.EqualTo(0).Within(1e-12));
        Assert.That(run.Realizable![3], Is.False);
        Assert.That(ReferenceRealizability.Decide(HardData.IllConditioned, false, [[3UL]]), Is.EqualTo(ReferenceRealizability.Answer.No));
    }

    [Test]
    public void UnscaledInputsGiveTheLinearRegressionLoss()
    {
        // x = 1e6, 2e6, 3e6, y = 1, 2, 4 with bias: the all-active region is linear regression, loss exactly 1/12.
        RegionEnumeration run = Exhaustive(HardData.Unscaled, 1, true);
        (Rational loss, _) = ExactLeastSquares.Solve(HardData.Unscaled, 1, true, 7);
        Assert.That(loss, Is.EqualTo(new Rational(1, 12)));
        Assert.That(run.Losses![7], Is.EqualTo(1.0 / 12).Within(1e-12));
    }

    [Test]
    public void NearLineFitsExactly()
    {
        // Six points within 1e-6 of a line, y along the near-null direction: least squares fits it, loss 0 (not 0.92).
        RegionEnumeration run = Exhaustive(HardData.NearLine, 1, true);
        long all = (1L << 6) - 1;
        ReferenceLeastSquares.Solution reference = ReferenceLeastSquares.Solve(HardData.NearLine, 1, true, all);
        Assert.That(reference.Loss, Is.LessThan(1e-9));
        Assert.That(run.Losses![all], Is.EqualTo(reference.Loss).Within(1e-6 * 0.5 * HardData.NearLine.Y.ToArray().Sum(y => y * y)));
        Assert.That(run.Ranks![all], Is.EqualTo(reference.Rank));
    }

    // Random data with bias, N = 10–12 and h = 2–3, the kind an independent check found realizability false positives on;
    // every stride-th multiset is decided again by the independent program (all of them take too long for a unit test).
    [TestCase("random:10,2,3", 2, 2)]
    [TestCase("random:12,2,8", 2, 9)]
    [TestCase("random:11,2,5", 2, 7)]
    [TestCase("random:10,1,5", 3, 3)]
    [TestCase("random:10,2,6", 3, 211)]
    public void RealizableFlagsAgreeWithAnIndependentProgram(string dataset, int hidden, int stride)
    {
        Dataset data = DatasetCatalog.Load(dataset);
        NonemptyRegions run = Nonempty(data, hidden, bias: true, unordered: true);
        int agreed = 0, undecided = 0, realizable = 0;
        for (long r = 0; r < run.Rows; r += stride)
        {
            ReferenceRealizability.Answer answer = ReferenceRealizability.Decide(data, true, run.Columns(r));
            if (answer == ReferenceRealizability.Answer.Undecided)
            {
                undecided++;
                continue;
            }
            Assert.That(run.Realizable![r], Is.EqualTo(answer == ReferenceRealizability.Answer.Yes), $"row {r} ({RowText(run, r)})");
            agreed++;
            if (run.Realizable[r]) realizable++;
        }
        Assert.That(undecided, Is.LessThanOrEqualTo(agreed / 100), "the reference left too many rows undecided to say anything");
        Assert.That(realizable, Is.GreaterThan(0));
        Assert.That(agreed - realizable, Is.GreaterThan(0));
        Assert.That(run.Decisions.Unchecked, Is.Zero);
        AssertWitnessesHold(data, true, run);
        TestContext.Out.WriteLine($"{agreed} rows agree ({realizable} realizable), {undecided} undecided by the reference; {run.Decisions.Programs} programs, {run.Decisions.Fallbacks} GLOP fallbacks");
    }

    // A run split into units enumerates each over the same cells, whose workspaces keep every cell's sums and every
    // reduced region's loss from unit to unit. Units run here last to first, so that they meet what the whole run kept
    // in another order; each must decide as the whole run, and every stride-th row as the independent program.
    [TestCase("random:11,2,4", 2, 5)]
    [TestCase("random:10,2,6", 3, 97)]
    public void UnitsOverSharedCellsDecideAsTheWholeRun(string dataset, int hidden, int stride)
    {
        Dataset data = DatasetCatalog.Load(dataset);
        ArrangementCells cells = RegionEngine.Cells(data, bias: true);
        var options = new NonemptyOptions { Unordered = true, Keep = true, Realizability = true };
        NonemptyRegions whole = NonemptyRegions.Enumerate(cells, hidden, options);
        long unit = whole.Rows / 4 + 1;
        int agreed = 0;
        for (long first = (whole.Rows - 1) / unit * unit; first >= 0; first -= unit)
        {
            NonemptyRegions part = NonemptyRegions.Enumerate(cells, hidden, options with { FirstRow = first, RowCount = Math.Min(unit, whole.Rows - first) });
            for (long k = 0; k < part.Count; k++)
            {
                long r = first + k;
                Assert.That((part.Losses![k], part.Ranks![k], part.Realizable![k]), Is.EqualTo((whole.Losses![r], whole.Ranks![r], whole.Realizable![r])), $"row {r}");
                if (r % stride != 0) continue;
                ReferenceRealizability.Answer answer = ReferenceRealizability.Decide(data, true, part.Columns(r));
                if (answer == ReferenceRealizability.Answer.Undecided) continue;
                Assert.That(part.Realizable[k], Is.EqualTo(answer == ReferenceRealizability.Answer.Yes), $"row {r} ({RowText(part, r)})");
                agreed++;
            }
        }
        Assert.That(agreed, Is.GreaterThan(whole.Rows / stride / 2), "the reference decided too few rows to say anything");
    }

    // A session's run of many units of a few milliseconds each, which run side by side once they prove that short (on
    // machines of up to four cores), must combine into what one enumeration of every row on its own cells gives: row for
    // row, histogram for histogram, witness for witness.
    [Test]
    public void ARunOfShortUnitsCombinesIntoOneEnumeration()
    {
        Dataset data = DatasetCatalog.Load("random:20,2,5");
        using EngineSession session = EngineSession.Open(Backend.Cpu);
        RegionRun run = session.Enumerate(new RegionRequest
        {
            Data = data, Hidden = 2, Bias = true, Nonempty = true, Unordered = true, KeepRegions = true, Realizability = true, Witnesses = true,
        });
        NonemptyRegions whole = NonemptyRegions.Enumerate(RegionEngine.Cells(data, bias: true), 2, new NonemptyOptions
        {
            Unordered = true, Keep = true, Realizability = true, Witnesses = true,
        });
        Assert.That(run.Units.Total, Is.GreaterThan(4), "a run of a few units would not combine anything worth checking");
        Assert.That(run.Losses, Is.EqualTo(whole.Losses));
        Assert.That(run.Ranks, Is.EqualTo(whole.Ranks));
        Assert.That(run.Realizable, Is.EqualTo(whole.Realizable));
        Assert.That(run.Multiplicities, Is.EqualTo(whole.Multiplicities));
        foreach ((LossSummary a, LossSummary b) in new[] { (run.Summary, whole.Summary), (run.RealizableSummary!, whole.RealizableSummary!) })
            Assert.That((a.Bins, a.Count, a.Min, a.ArgMin, a.Max, a.ArgMax, a.RelativeSum), Is.EqualTo((b.Bins, b.Count, b.Min, b.ArgMin, b.Max, b.ArgMax, b.RelativeSum)));
        Assert.That(run.Witnesses!.Select(w => (w.Row, w.Witness.Loss)), Is.EqualTo(whole.Witnesses!.Select(w => (w.Row, w.Witness.Loss))));
    }

    // Nonempty rows go through the SIMD lanes a group at a time: the Eq. 7 fast path, the unique minimizer, and the first
    // step of realizability, which rules out most full-rank regions for the whole group at once; lanes the fast path
    // declines go on to the exact path from there. Each row must come out as the scalar path decides it alone: loss and
    // rank to the bit, realizability, program counts and the same witness. The scalar path is the one the independent
    // program and the SVD reference check elsewhere.
    [TestCase("random:16,2,3", 2, true, 0)]
    [TestCase("random:13,3,2", 2, false, 0)]
    [TestCase("random:12,2,4", 3, true, 0)]
    [TestCase("random:70,2,5", 2, true, 30_000)]
    public void LanesDecideEveryRowAsTheScalarPath(string dataset, int hidden, bool bias, int rows)
    {
        Dataset data = DatasetCatalog.Load(dataset);
        ArrangementCells cells = RegionEngine.Cells(data, bias);
        var options = new NonemptyOptions { Unordered = true, Keep = true, Realizability = true, Witnesses = true, RowCount = rows > 0 ? rows : null };
        NonemptyRegions lanes = NonemptyRegions.Enumerate(cells, hidden, options);
        if (new ColumnSystem(cells.Normalized, lanes.Shape).LaneWidth == 0) Assert.Ignore("this machine has no SIMD lanes for the nonempty path");
        NonemptyRegions scalar = NonemptyRegions.Enumerate(cells, hidden, options with { Lanes = false });
        Assert.That(lanes.Losses, Is.EqualTo(scalar.Losses));
        Assert.That(lanes.Ranks, Is.EqualTo(scalar.Ranks));
        Assert.That(lanes.Realizable, Is.EqualTo(scalar.Realizable));
        Assert.That(lanes.Decisions.Programs, Is.EqualTo(scalar.Decisions.Programs));
        Assert.That(lanes.Witnesses!.Select(w => (w.Row, w.Witness.Theta())), Is.EqualTo(scalar.Witnesses!.Select(w => (w.Row, w.Witness.Theta()))));
        int realizable = scalar.Realizable!.Count(r => r);
        Assert.That(realizable, Is.Positive.And.LessThan(scalar.Count), "every row decided alike says little");
        Assert.That(scalar.Ranks!.Count(r => r < scalar.Shape.Parameters), Is.Positive, "no rank-deficient row took the declined lanes' path");
    }

    [TestCase("random:6,2,3", 2, true)]
    [TestCase("random:7,2,2", 2, false)]
    [TestCase("collinear", 2, true)]
    [TestCase("paper-fig3", 3, false)]
    public void ExhaustiveRealizabilityAgreesWithAnIndependentProgram(string dataset, int hidden, bool bias)
    {
        Dataset data = HardData.Load(dataset);
        RegionEnumeration run = Exhaustive(data, hidden, bias);
        for (long index = 0; index < run.Requested; index++)
        {
            if (!run.Feasible![index]) continue;
            ulong[][] columns = Columns(index, data.Count, hidden);
            ReferenceRealizability.Answer answer = ReferenceRealizability.Decide(data, bias, columns);
            if (answer == ReferenceRealizability.Answer.Undecided) continue;
            Assert.That(run.Realizable![index], Is.EqualTo(answer == ReferenceRealizability.Answer.Yes), $"region {index}");
        }
        Assert.That(run.Witnesses!.Select(w => w.Index), Is.EqualTo(Enumerable.Range(0, (int)run.Requested).Where(i => run.Realizable![i]).Select(i => (long)i)));
        foreach ((long index, NetworkWitness witness) in run.Witnesses!)
            AssertWitness(data, bias, Columns(index, data.Count, hidden), witness, run.Losses![index]);
    }

    [Test]
    public void RescalingInputsAndTargetsChangesNothingButTheUnits()
    {
        // The same data with inputs scaled by 1e6 and 1e-5 and targets by 1e7: losses scale by 1e14, ranks and flags stay.
        Dataset plain = DatasetCatalog.Load("random:8,2,5");
        Dataset scaled = HardData.Scaled;
        RegionEnumeration a = Exhaustive(plain, 2, true);
        RegionEnumeration b = Exhaustive(scaled, 2, true);
        Assert.That(b.Ranks, Is.EqualTo(a.Ranks));
        Assert.That(b.Feasible, Is.EqualTo(a.Feasible));
        Assert.That(b.Realizable, Is.EqualTo(a.Realizable));
        for (int r = 0; r < a.Losses!.Length; r++)
            Assert.That(b.Losses![r], Is.EqualTo(a.Losses[r] * 1e14).Within(Tolerances.RegionLoss(Backend.Cpu, 0.5 * scaled.Y.ToArray().Sum(y => y * y))), $"region {r}");
        Assert.That(b.Summary.Bins, Is.EqualTo(a.Summary.Bins));
    }

    [Test]
    public void HugeTargetsAndTinyInputsKeepEveryOutputFinite()
    {
        foreach ((Dataset data, bool bias) in new[] { (HardData.HugeTargets, true), (HardData.TinyInputs, false) })
        {
            RegionEnumeration run = Exhaustive(data, 2, bias);
            Assert.That(run.Losses!.All(double.IsFinite), Is.True, data.Name);
            Assert.That(run.Losses!.Max(), Is.LessThanOrEqualTo(run.DeadRegionLoss * (1 + 1e-12)), data.Name);
            Assert.That(double.IsFinite(run.Summary.Mean), Is.True, data.Name);
            foreach ((long index, NetworkWitness witness) in run.Witnesses!)
                AssertWitness(data, bias, Columns(index, data.Count, 2), witness, run.Losses![index]);
        }
    }

    private static ulong[][] Columns(long index, int points, int hidden) =>
        Enumerable.Range(0, hidden).Select(j =>
        {
            ulong column = 0;
            for (int i = 0; i < points; i++)
            {
                if (((index >> (i * hidden + j)) & 1) != 0) column |= 1UL << i;
            }
            return new[] { column };
        }).ToArray();

    private static void AssertWitnessesHold(Dataset data, bool bias, NonemptyRegions run)
    {
        Assert.That(run.Witnesses!.Select(w => w.Row), Is.EqualTo(Enumerable.Range(0, (int)run.Rows).Where(r => run.Realizable![r]).Select(r => (long)r)));
        foreach ((long row, NetworkWitness witness) in run.Witnesses!) AssertWitness(data, bias, run.Columns(row), witness, run.Losses![row]);
    }

    private static void AssertWitness(Dataset data, bool bias, IReadOnlyList<ulong[]> columns, NetworkWitness witness, double loss)
    {
        double scale = 0.5 * data.Y.ToArray().Sum(y => y * y);
        string? problem = WitnessCheck.Problem(data, bias, columns, witness.W, witness.B, witness.V, witness.C, loss, 1e-8 * scale);
        Assert.That(problem, Is.Null);
        Assert.That(witness.Loss, Is.EqualTo(loss));
    }

    private static string RowText(NonemptyRegions run, long row) => string.Join(" ", run.Columns(row).Select(c => Convert.ToString((long)c[0], 2)));
}
