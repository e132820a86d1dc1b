using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// A run's time estimate against the same run's measured time: a ratio, not a timed test. Runs estimated above an hour
/// are refused without --allow-long, so an estimate biased long refuses runs of minutes; one biased short lets a run
/// of days start unannounced. The bound is a factor of 2 either way.
/// </summary>
[Category("unit")]
[NonParallelizable]
public sealed class EstimateTests
{
    [TestCase("random:12,2,1", 2, false, false, false)]
    [TestCase("random:11,2,1", 2, false, false, true)]
    [TestCase("random:30,2,1", 2, true, true, true)]
    [TestCase("random:200,2,1", 2, false, true, true)]
    public void TheEstimateIsWithinAFactorOfTwoOfTheRun(string dataset, int hidden, bool bias, bool nonempty, bool realizability)
    {
        using EngineSession session = EngineSession.Open(Backend.Cpu);
        var request = new RegionRequest
        {
            Data = session.Dataset(dataset), Hidden = hidden, Bias = bias, Nonempty = nonempty, Unordered = nonempty, Realizability = realizability,
        };
        RegionPlan plan = session.Plan(request);
        double estimate = plan.PendingRows / session.MeasureRate(plan);
        RegionRun run = session.Run(plan).Run!;
        double ratio = estimate / run.Seconds;
        TestContext.Out.WriteLine($"{dataset}: estimated {estimate:0.000} s, ran {run.Seconds:0.000} s, ratio {ratio:0.00}");
        Assert.That(ratio, Is.InRange(0.5, 2.0));
    }
}
