using Engine.Core.Data;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Long-run behaviour: cancellation keeps the finished prefix, progress is reported, devices close cleanly.</summary>
[Category("kernel")]
[TestFixture(RegionPath.Host)]
[TestFixture(RegionPath.Kernel)]
public sealed class EnumerationControlTests(RegionPath path)
{
    [Test]
    public void CancellingAfterTheSecondBatchKeepsExactlyTheFinishedPrefix()
    {
        using ComputeDevice device = ComputeDevice.Open(Backend.Cpu);
        var engine = new RegionEngine(device);
        Dataset data = DatasetCatalog.Load("random:6,2,11");
        using var cancel = new CancellationTokenSource();
        var seen = new List<long>();
        RegionEnumeration partial = engine.Enumerate(
            new RegionRequest { Data = data, Hidden = 2, BatchSize = 1000, KeepRegions = true, Path = path },
            (done, total) =>
            {
                seen.Add(done);
                if (seen.Count == 2) cancel.Cancel();
            },
            cancel.Token);
        RegionEnumeration whole = engine.Enumerate(new RegionRequest { Data = data, Hidden = 2, KeepRegions = true, Path = RegionPath.Host });

        Assert.That(seen, Is.EqualTo(new long[] { 1000, 2000 }));
        Assert.That(partial.Completed, Is.False);
        Assert.That(partial.Done, Is.EqualTo(2000));
        Assert.That(partial.Summary.Bins.Sum(), Is.EqualTo(2000));
        Assert.That(partial.Losses![..2000], Is.EqualTo(whole.Losses![..2000]).Within(Tolerances.RegionLoss(Backend.Cpu, 0.5 * data.Y.ToArray().Sum(y => y * y))));
        double prefixMin = whole.Losses![..2000].Min();
        Assert.That(partial.Summary.Min, Is.EqualTo(prefixMin).Within(Tolerances.RegionLoss(Backend.Cpu, 0.5 * data.Y.ToArray().Sum(y => y * y))));
    }

    [Test]
    public void ResumingFromTheReportedStartCompletesTheRange()
    {
        using ComputeDevice device = ComputeDevice.Open(Backend.Cpu);
        var engine = new RegionEngine(device);
        Dataset data = DatasetCatalog.Load("random:6,2,11");
        RegionEnumeration first = engine.Enumerate(new RegionRequest { Data = data, Hidden = 2, Count = 1500, Path = path, Bins = 5 });
        RegionEnumeration rest = engine.Enumerate(new RegionRequest { Data = data, Hidden = 2, Start = first.Done, Path = path, Bins = 5 });
        RegionEnumeration whole = engine.Enumerate(new RegionRequest { Data = data, Hidden = 2, Path = path, Bins = 5 });
        first.Summary.Merge(rest.Summary);
        Assert.That(first.Summary.Bins, Is.EqualTo(whole.Summary.Bins));
        Assert.That(first.Summary.ArgMin, Is.EqualTo(whole.Summary.ArgMin));
        Assert.That(first.Summary.Count, Is.EqualTo(1L << 12));
    }

    [Test]
    public void DisposingADeviceTwiceIsSafe()
    {
        ComputeDevice device = ComputeDevice.Open(Backend.Cpu);
        device.Dispose();
        Assert.DoesNotThrow(device.Dispose);
    }
}
