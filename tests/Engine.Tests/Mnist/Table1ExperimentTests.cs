using Engine.Core.Mlp;
using Engine.Mnist;
using NUnit.Framework;

namespace Engine.Tests.Mnist;

[Category("mnist")]
public sealed class Table1ExperimentTests
{
    [Test]
    public void CancellationStopsAtAnEpochBoundaryAndKeepsWhatFinished()
    {
        using ComputeDevice device = ComputeDevice.Open(Backend.Cpu);
        using var cancel = new CancellationTokenSource();
        var options = new Table1Options([2, 3], [NetworkMode.Rich], 2, 5, 1UL);
        var seen = new List<Table1Progress>();
        IReadOnlyList<Table1Cell> cells = Table1Experiment.Run(device, TinyNetworks.Pool(), options, new ProgressCallback<Table1Progress>(p =>
        {
            seen.Add(p);
            cancel.Cancel();
        }), cancel.Token);

        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(cells, Has.Count.EqualTo(1), "the second width must not start");
        Assert.That(cells[0].K, Is.EqualTo(2));
        Assert.That(cells[0].Epochs, Is.EqualTo(1));
        Assert.That(cells[0].TrainAccuracy, Has.Length.EqualTo(2));
    }

    [TestCase(0, 1, 1)]
    [TestCase(-4, 1, 1)]
    [TestCase(8, 0, 1)]
    [TestCase(8, 1, 0)]
    public void NonPositiveSizesAreInputErrors(int k, int repeats, int epochs) =>
        Assert.Throws<EngineInputException>(() => Table1Experiment.Validate(new Table1Options([16, k], [NetworkMode.Random], repeats, epochs, 1UL)));

    [Test]
    public void RepeatsTrainTogetherUpToTheMemoryBudget()
    {
        Assert.That(Table1Experiment.GroupSize(16, 100, 784), Is.EqualTo(100));
        int wide = Table1Experiment.GroupSize(256, 100, 784);
        Assert.That(wide, Is.InRange(2, 99));
    }
}
