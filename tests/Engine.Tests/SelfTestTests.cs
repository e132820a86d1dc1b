using NUnit.Framework;

namespace Engine.Tests;

/// <summary><c>engine selftest</c> passes on the CPU accelerator, and reports a kernel result that is wrong.</summary>
[Category("kernel")]
public sealed class SelfTestTests
{
    [Test]
    public void EveryKernelAgreesWithItsHostTwinOnTheCpuAccelerator()
    {
        using ComputeDevice device = ComputeDevice.Open(Backend.Cpu);
        SelfTestReport report = SelfTest.Run(device, quick: true, null, CancellationToken.None);
        Assert.That(report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Detail}"), Is.Empty);
        Assert.That(report.Checks.Count(c => c.Name.StartsWith("Eq. 7", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(18));
        Assert.That(report.Checks.Count(c => c.Name.StartsWith("training", StringComparison.Ordinal)), Is.EqualTo(2));
    }

    // One kernel loss moved by a millionth of ½Σy², a thousand times the tolerance, must fail every kept-rows check.
    [Test]
    public void AWrongKernelResultIsReportedAsAMismatch()
    {
        using ComputeDevice device = ComputeDevice.Open(Backend.Cpu);
        SelfTestReport report = SelfTest.Run(device, quick: true, null, CancellationToken.None, corrupt: losses => losses[^1] += 1e-6 * (1.0 + Math.Abs(losses[^1])));
        SelfTestCheck[] kept = [.. report.Checks.Where(c => c.Name.Contains("kept rows", StringComparison.Ordinal))];
        Assert.That(kept, Is.Not.Empty);
        Assert.That(kept.All(c => !c.Passed), Is.True, string.Join("; ", kept.Where(c => c.Passed).Select(c => c.Name)));
        Assert.That(report.Passed, Is.False);
        Assert.That(kept[0].Detail, Does.Contain("kernel loss"));
    }
}
