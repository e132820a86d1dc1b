using Engine.Core;
using NUnit.Framework;

namespace Engine.Tests;

[TestFixture(Backend.Cpu)]
[TestFixture(Backend.Cuda)]
[TestFixture(Backend.OpenCL)]
public sealed class RegionSolveTests(Backend backend) : BackendFixture(backend)
{
    // (dataset, h, bias): the paper's data, and random data with and without bias where most systems are singular.
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
    ];

    private static RegionRequest Request(string dataset, int hidden, bool bias, RegionPath path) => new()
    {
        Data = DatasetCatalog.Load(dataset), Hidden = hidden, Bias = bias, Path = path,
        KeepSolutions = true, BatchSize = 1000,
    };

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
        Assert.That(kernel.Losses, Is.EqualTo(host.Losses).Within(Tolerances.RegionLoss(Backend)));
        Assert.That(kernel.Summary.Bins, Is.EqualTo(host.Summary.Bins));
        Assert.That(kernel.Summary.ArgMin, Is.EqualTo(host.Summary.ArgMin));
        Assert.That(kernel.Summary.Singular, Is.EqualTo(host.Summary.Singular));
    }

    [Test]
    public void DeviceReductionMatchesKeptLosses()
    {
        // A large enough random run that the summary comes from the reduction kernel over several batches.
        var request = new RegionRequest { Data = DatasetCatalog.Load("random:7,2,4"), Hidden = 2, Path = RegionPath.Kernel, BatchSize = 3000, Bins = 7 };
        RegionEnumeration reduced = new RegionEngine(Device).Enumerate(request);
        RegionEnumeration kept = new RegionEngine(Device).Enumerate(new RegionRequest
        {
            Data = request.Data, Hidden = 2, Path = RegionPath.Host, KeepRegions = true, Bins = 7,
        });
        double[] losses = kept.Losses!;
        long[] bins = new long[7];
        foreach (double loss in losses)
            bins[Math.Min(6, (int)(loss / kept.DeadRegionLoss * 7))]++;
        Assert.That(reduced.Done, Is.EqualTo(1L << 14));
        Assert.That(reduced.Summary.Bins, Is.EqualTo(bins));
        Assert.That(reduced.Summary.Min, Is.EqualTo(losses.Min()).Within(Tolerances.RegionLoss(Backend)));
        Assert.That(reduced.Summary.ArgMin, Is.EqualTo(Array.IndexOf(losses, losses.Min())));
        Assert.That(reduced.Summary.Max, Is.EqualTo(losses.Max()).Within(Tolerances.RegionLoss(Backend)));
        Assert.That(reduced.Summary.Mean, Is.EqualTo(losses.Average()).Within(Tolerances.RegionLoss(Backend)));
        Assert.That(reduced.Summary.Singular, Is.EqualTo(kept.Ranks!.Count(r => r < kept.Shape.Parameters)));
    }

    [Test]
    public void PartialRangesCoverTheWholeRange()
    {
        var engine = new RegionEngine(Device);
        Dataset data = DatasetCatalog.Load("random:5,2,2");
        RegionEnumeration whole = engine.Enumerate(new RegionRequest { Data = data, Hidden = 2, KeepRegions = true });
        RegionEnumeration part = engine.Enumerate(new RegionRequest { Data = data, Hidden = 2, Start = 100, Count = 333, KeepRegions = true, Path = RegionPath.Kernel });
        Assert.That(part.Losses, Is.EqualTo(whole.Losses![100..433]).Within(Tolerances.RegionLoss(Backend)));
    }

    private void CompareWithReference(RegionEnumeration run, int hidden, bool bias)
    {
        Dataset data = run.Request.Data;
        int m = run.Shape.Parameters;
        Assert.That(run.Completed, Is.True);
        for (long index = 0; index < run.Requested; index++)
        {
            ReferenceLeastSquares.Solution expected = ReferenceLeastSquares.Solve(data, hidden, bias, index);
            double[] p = run.Solutions!.AsSpan((int)(index * m), m).ToArray();
            double scale = 1 + Math.Sqrt(expected.P.Sum(v => v * v));
            Assert.Multiple(() =>
            {
                Assert.That(run.Losses![index], Is.EqualTo(expected.Loss).Within(Tolerances.RegionLoss(Backend)), $"loss of region {index}");
                Assert.That(run.Ranks![index], Is.EqualTo(expected.Rank), $"rank of region {index}");
                Assert.That(p, Is.EqualTo(expected.P).Within(Tolerances.RegionSolution(Backend) * scale), $"minimum-norm solution of region {index}");
            });
        }
    }
}
