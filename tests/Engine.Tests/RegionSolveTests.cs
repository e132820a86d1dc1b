using Engine.Core.Data;
using Engine.Core.Regions;
using NUnit.Framework;

namespace Engine.Tests;

[Category("kernel")]
[TestFixture(Backend.Cpu)]
[TestFixture(Backend.Cuda)]
[TestFixture(Backend.OpenCL)]
public sealed class RegionSolveTests(Backend backend) : BackendFixture(backend)
{
    // (dataset, h, bias): the paper's data, random data with and without bias where most systems are singular, and the
    // numerically hard sets: ill-conditioned, unscaled, near-dependent, rescaled, huge targets, tiny inputs.
    public static readonly object[] Cases =
    [
        new object[] { "paper-fig3", 1, false },
        new object[] { "paper-fig3", 2, false },
        new object[] { "paper-fig3", 4, false },
        new object[] { "paper-fig3", 2, true },
        new object[] { "random:6,2,1", 2, false },
        new object[] { "random:5,2,3", 2, true },
        new object[] { "random:4,3,5", 3, true },
        new object[] { "random:12,1,9", 1, true },
        new object[] { "ill-conditioned", 1, false },
        new object[] { "ill-conditioned", 2, false },
        new object[] { "unscaled", 1, true },
        new object[] { "unscaled", 2, true },
        new object[] { "near-line", 1, true },
        new object[] { "near-collinear", 2, false },
        new object[] { "scaled", 1, true },
        new object[] { "scaled", 2, false },
        new object[] { "huge-targets", 2, true },
        new object[] { "tiny-inputs", 2, false },
        new object[] { "collinear", 2, true },
    ];

    private static RegionRequest Request(string dataset, int hidden, bool bias, RegionPath path) => new()
    {
        Data = HardData.Load(dataset), Hidden = hidden, Bias = bias, Path = path,
        KeepSolutions = true, BatchSize = 1000,
    };

    private static double LossScale(Dataset data) => 0.5 * data.Y.ToArray().Sum(y => y * y);

    [TestCaseSource(nameof(Cases))]
    public void KernelMatchesSvdReferenceForEveryRegion(string dataset, int hidden, bool bias) =>
        CompareWithReference(new RegionEngine(Device).Enumerate(Request(dataset, hidden, bias, RegionPath.Kernel)), hidden, bias);

    [TestCaseSource(nameof(Cases))]
    public void HostTwinMatchesSvdReferenceForEveryRegion(string dataset, int hidden, bool bias) =>
        CompareWithReference(new RegionEngine(Device).Enumerate(Request(dataset, hidden, bias, RegionPath.Host)), hidden, bias);

    [TestCaseSource(nameof(Cases))]
    public void KernelAndHostTwinAgree(string dataset, int hidden, bool bias)
    {
        var engine = new RegionEngine(Device);
        RegionEnumeration kernel = engine.Enumerate(Request(dataset, hidden, bias, RegionPath.Kernel));
        RegionEnumeration host = engine.Enumerate(Request(dataset, hidden, bias, RegionPath.Host));
        Assert.That(kernel.Ranks, Is.EqualTo(host.Ranks));
        Assert.That(kernel.Losses, Is.EqualTo(host.Losses).Within(Tolerances.RegionLoss(Backend, LossScale(host.Request.Data))));
        Assert.That(kernel.Summary.Bins, Is.EqualTo(host.Summary.Bins));
        Assert.That(kernel.Summary.ArgMin, Is.EqualTo(host.Summary.ArgMin));
        Assert.That(kernel.Summary.Singular, Is.EqualTo(host.Summary.Singular));
        Assert.That(kernel.Summary.Exact, Is.EqualTo(host.Summary.Exact));
    }

    // Datasets where the host path solves groups of regions in SIMD lanes: by the fast path where there are at least
    // as many points as unknowns, by independent rows (dead points merged with bias) where there are fewer.
    [TestCase("random:8,2,7", 2, false)]
    [TestCase("random:12,1,9", 1, true)]
    [TestCase("random:7,2,4", 2, true)]
    [TestCase("near-collinear", 2, false)]
    [TestCase("scaled", 1, true)]
    [TestCase("paper-fig3", 2, false)]
    [TestCase("unscaled", 2, true)]
    [TestCase("random:5,2,3", 2, true)]
    [TestCase("random:6,3,2", 2, true)]
    [TestCase("random:4,3,5", 3, true)]
    public void HostLanesMatchTheScalarPathBitForBitAndTheSvdReference(string dataset, int hidden, bool bias)
    {
        var engine = new RegionEngine(Device);
        Dataset data = HardData.Load(dataset);
        // Per-region losses without solutions take the lane path; with solutions, every region takes the scalar path.
        RegionEnumeration lanes = engine.Enumerate(new RegionRequest { Data = data, Hidden = hidden, Bias = bias, KeepRegions = true, Path = RegionPath.Host });
        RegionEnumeration scalar = engine.Enumerate(new RegionRequest { Data = data, Hidden = hidden, Bias = bias, KeepSolutions = true, Path = RegionPath.Host });
        Assert.That(lanes.Ranks, Is.EqualTo(scalar.Ranks));
        Assert.That(lanes.Losses, Is.EqualTo(scalar.Losses), "the same steps in the same order give the same bits");
        Assert.That(lanes.Summary.Exact, Is.EqualTo(scalar.Summary.Exact));
        double scale = LossScale(data);
        for (long index = 0; index < lanes.Requested; index++)
        {
            ReferenceLeastSquares.Solution expected = ReferenceLeastSquares.Solve(data, hidden, bias, index);
            double tolerance = Tolerances.RegionLoss(Backend, expected.Condition, scale);
            if (!double.IsNaN(tolerance)) Assert.That(lanes.Losses![index], Is.EqualTo(expected.Loss).Within(tolerance), $"loss of region {index}");
            if (!expected.RankAmbiguous) Assert.That(lanes.Ranks![index], Is.EqualTo(expected.Rank), $"rank of region {index}");
        }
    }

    // A summary-only run sums whole lane groups at once; the scalar path adds region by region. Bin counts where exact
    // loss levels lie on edges (paper-fig3 with h = 4 has 225 regions at 0.5 = 7/14 of the dead loss), where losses
    // lie within the level tolerance below an edge (random:9,1,3 has regions at 3846.9999967 of 5000 bins) and many bins.
    [TestCase("paper-fig3", 4, false, 14)]
    [TestCase("random:9,1,3", 2, false, 5000)]
    [TestCase("random:8,2,7", 2, false, 20)]
    [TestCase("random:7,2,4", 2, false, 5000)]
    [TestCase("random:6,3,2", 2, true, 1000)]
    [TestCase("random:4,3,5", 3, true, 7)]
    public void HostLaneSummaryMatchesTheScalarPath(string dataset, int hidden, bool bias, int binCount)
    {
        var engine = new RegionEngine(Device);
        Dataset data = HardData.Load(dataset);
        LossSummary lanes = engine.Enumerate(new RegionRequest { Data = data, Hidden = hidden, Bias = bias, Bins = binCount, Path = RegionPath.Host }).Summary;
        LossSummary scalar = engine.Enumerate(new RegionRequest { Data = data, Hidden = hidden, Bias = bias, Bins = binCount, Path = RegionPath.Scalar }).Summary;
        Assert.That(lanes.Bins, Is.EqualTo(scalar.Bins));
        Assert.That((lanes.Min, lanes.ArgMin, lanes.Max, lanes.ArgMax), Is.EqualTo((scalar.Min, scalar.ArgMin, scalar.Max, scalar.ArgMax)));
        Assert.That((lanes.RelativeSum, lanes.Count, lanes.Singular, lanes.Exact), Is.EqualTo((scalar.RelativeSum, scalar.Count, scalar.Singular, scalar.Exact)));
    }

    // Runs large enough that the summary comes from the fused reduction over several batches whose starts are not
    // aligned to the blocks of 2^ChunkBits regions: two chunks and a shared-memory histogram, three chunks (a shared
    // sum of two table entries) and more bins than shared memory holds.
    [TestCase("random:7,2,4", 2, 7, 3000)]
    [TestCase("random:9,1,3", 2, 5000, 70001)]
    public void DeviceReductionMatchesKeptLosses(string dataset, int hidden, int binCount, int batch)
    {
        var request = new RegionRequest { Data = DatasetCatalog.Load(dataset), Hidden = hidden, Path = RegionPath.Kernel, BatchSize = batch, Bins = binCount };
        RegionEnumeration reduced = new RegionEngine(Device).Enumerate(request);
        RegionEnumeration kept = new RegionEngine(Device).Enumerate(new RegionRequest
        {
            Data = request.Data, Hidden = hidden, Path = RegionPath.Host, KeepRegions = true, Bins = binCount,
        });
        double[] losses = kept.Losses!;
        double scale = LossScale(request.Data);
        long[] bins = new long[binCount];
        foreach (double loss in losses)
        {
            // The documented rule: a loss within the level tolerance of an edge lies on it and opens the bin above.
            double position = loss / kept.DeadRegionLoss * binCount;
            double edge = Math.Round(position);
            int bin = Math.Abs(position - edge) <= LossLevels.RelativeTolerance * binCount ? (int)edge : (int)Math.Floor(position);
            bins[Math.Clamp(bin, 0, binCount - 1)]++;
        }
        Assert.That(reduced.Done, Is.EqualTo(kept.Shape.Regions));
        Assert.That(reduced.Summary.Bins, Is.EqualTo(bins));
        Assert.That(reduced.Summary.Min, Is.EqualTo(losses.Min()).Within(Tolerances.RegionLoss(Backend, scale)));
        Assert.That(reduced.Summary.ArgMin, Is.EqualTo(Array.IndexOf(losses, losses.Min())));
        Assert.That(reduced.Summary.Max, Is.EqualTo(losses.Max()).Within(Tolerances.RegionLoss(Backend, scale)));
        Assert.That(reduced.Summary.Mean, Is.EqualTo(losses.Average()).Within(Tolerances.RegionLoss(Backend, scale)));
        Assert.That(reduced.Summary.Singular, Is.EqualTo(kept.Ranks!.Count(r => r < kept.Shape.Parameters)));
        Assert.That(reduced.Summary.Exact, Is.EqualTo(kept.Summary.Exact));
    }

    [Test]
    public void PartialRangesCoverTheWholeRange()
    {
        var engine = new RegionEngine(Device);
        Dataset data = DatasetCatalog.Load("random:5,2,2");
        RegionEnumeration whole = engine.Enumerate(new RegionRequest { Data = data, Hidden = 2, KeepRegions = true });
        RegionEnumeration part = engine.Enumerate(new RegionRequest { Data = data, Hidden = 2, Start = 100, Count = 333, KeepRegions = true, Path = RegionPath.Kernel });
        Assert.That(part.Losses, Is.EqualTo(whole.Losses![100..433]).Within(Tolerances.RegionLoss(Backend, LossScale(data))));
    }

    // Every region against the SVD reference: the loss within the κ-dependent tolerance, the rank wherever no singular value
    // is within a factor of 10 of the cut, the minimum-norm solution where the design as given is well conditioned.
    private void CompareWithReference(RegionEnumeration run, int hidden, bool bias)
    {
        Dataset data = run.Request.Data;
        int m = run.Shape.Parameters;
        Assert.That(run.Completed, Is.True);
        int ranks = 0, solutions = 0;
        for (long index = 0; index < run.Requested; index++)
        {
            ReferenceLeastSquares.Solution expected = ReferenceLeastSquares.Solve(data, hidden, bias, index);
            double[] p = run.Solutions!.AsSpan((int)(index * m), m).ToArray();
            double tolerance = Tolerances.RegionLoss(Backend, expected.Condition, LossScale(data));
            Assert.Multiple(() =>
            {
                Assert.That(double.IsFinite(run.Losses![index]), Is.True, $"loss of region {index}");
                if (!double.IsNaN(tolerance))
                    Assert.That(run.Losses![index], Is.EqualTo(expected.Loss).Within(tolerance), $"loss of region {index} (κ = {expected.Condition:G3})");
                if (!expected.RankAmbiguous)
                    Assert.That(run.Ranks![index], Is.EqualTo(expected.Rank), $"rank of region {index}");
                if (expected.RawCondition <= Tolerances.SolutionCondition && !expected.RankAmbiguous)
                {
                    // A minimizer (the same fitted values) of the same, smallest norm: on the affine set of minimizers
                    // ‖p − p_ref‖² ≤ ‖p‖² − ‖p_ref‖², so this pins p without comparing components whose units differ by
                    // many orders of magnitude on rescaled data.
                    double[,] z = ReferenceLeastSquares.Design(data, hidden, bias, index);
                    double tolerance = Tolerances.RegionSolution(Backend);
                    double fitGap = Math.Sqrt(Enumerable.Range(0, data.Count).Sum(i => Math.Pow(Enumerable.Range(0, m).Sum(k => z[i, k] * (p[k] - expected.P[k])), 2)));
                    Assert.That(fitGap, Is.LessThanOrEqualTo(tolerance * (1 + Math.Sqrt(2 * LossScale(data)))), $"fitted values of region {index}");
                    double norm = Math.Sqrt(p.Sum(v => v * v)), expectedNorm = Math.Sqrt(expected.P.Sum(v => v * v));
                    Assert.That(norm, Is.EqualTo(expectedNorm).Within(tolerance * (1 + expectedNorm)), $"norm of the minimum-norm solution of region {index}");
                }
            });
            if (!expected.RankAmbiguous) ranks++;
            if (expected.RawCondition <= Tolerances.SolutionCondition && !expected.RankAmbiguous) solutions++;
        }
        // The comparisons above must not all be skipped.
        Assert.That(ranks, Is.GreaterThan(run.Requested / 2));
        TestContext.Out.WriteLine($"{run.Requested} regions, {ranks} ranks and {solutions} solutions compared, {run.Summary.Exact} by the exact path");
    }
}
