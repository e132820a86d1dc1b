using Engine.Core.Mlp;
using Engine.Core.Mnist;
using Engine.Mnist;
using NUnit.Framework;
using static Engine.Tests.Tolerances;

namespace Engine.Tests.Mnist;

/// <summary>
/// Back-propagation and the Adam step of both paths, the host loops and the ILGPU kernels (on every backend), against
/// the independent double reference.
/// </summary>
[Category("kernel")]
[TestFixture(Backend.Cpu, TrainingPath.Host)]
[TestFixture(Backend.Cpu, TrainingPath.Kernels)]
[TestFixture(Backend.Cuda, TrainingPath.Kernels)]
[TestFixture(Backend.OpenCL, TrainingPath.Kernels)]
public sealed class TrainingStepTests(Backend backend, TrainingPath path)
{
    private static readonly int[] Batch = [1, 4, 6, 7];

    [TestCase(NetworkMode.Rich)]
    [TestCase(NetworkMode.Random)]
    public void GradientsMatchFiniteDifferences(NetworkMode mode)
    {
        MnistData data = TinyNetworks.Pool();
        using ComputeDevice device = TestDevices.Open(backend);
        using MnistTraining training = MnistTraining.Create(device, data, TinyNetworks.K, mode, TinyNetworks.Repeats, 11UL,
            path, TinyNetworks.Batch);
        MlpTrainer trainer = training.Trainer;
        trainer.ResetStats();
        trainer.Forward(Batch);
        trainer.Backward(Batch.Length);
        float[] analytic = trainer.GetGradients();
        double[] p = [.. trainer.GetParameters().Select(v => (double)v)];
        double[] numeric = ReferenceNetwork.NumericGradient(p, trainer.Layout, mode, 11UL, data, Batch);

        var tolerance = For(backend, Check.GradientVsFiniteDifference);
        double loss = trainer.ReadStats().LossSums.Sum() / Batch.Length;
        Assert.That(Close(loss, ReferenceNetwork.Loss(p, trainer.Layout, mode, 11UL, data, Batch), For(backend, Check.KernelVsReference)),
            $"forward loss {loss}");
        Assert.That(training.PathName, Does.StartWith(path == TrainingPath.Host ? "host" : "kernels"));
        Assert.That(numeric.Count(g => Math.Abs(g) > 1e-3), Is.GreaterThan(p.Length / 4), "the check must see real gradients");
        for (int i = 0; i < p.Length; i++)
            Assert.That(Close(analytic[i], numeric[i], tolerance), $"parameter {i}: back-propagated {analytic[i]}, finite differences {numeric[i]}");
    }

    [Test]
    public void OneAdamStepMatchesTheHandComputedStep()
    {
        MnistData data = TinyNetworks.Pool();
        using ComputeDevice device = TestDevices.Open(backend);
        using MnistTraining training = MnistTraining.Create(device, data, TinyNetworks.K, NetworkMode.Rich, 1, 5UL,
            path, TinyNetworks.Batch);
        MlpTrainer trainer = training.Trainer;
        double[] before = [.. trainer.GetParameters().Select(v => (double)v)];
        double[] g = ReferenceNetwork.NumericGradient((double[])before.Clone(), trainer.Layout, NetworkMode.Rich, 5UL, data, Batch);

        trainer.Step(Batch);
        float[] after = trainer.GetParameters();

        // Step 1 from zero moments: m = (1−β₁)g, v = (1−β₂)g², so m̂ = g, v̂ = g² and w₁ = w₀ − lr·g/(|g| + ε).
        const double Lr = 1e-3, Eps = 1e-8;
        var tolerance = For(backend, Check.AdamStep);
        for (int i = 0; i < before.Length; i++)
        {
            double expected = before[i] - Lr * g[i] / (Math.Abs(g[i]) + Eps);
            // Where the gradient is at finite-difference noise level its sign is not determined; skip those.
            if (Math.Abs(g[i]) < 1e-6) continue;
            Assert.That(Close(after[i], expected, tolerance), $"parameter {i}: stepped to {after[i]}, hand-computed {expected}");
        }
    }

    [Test]
    public void RepeatsTrainIndependently()
    {
        // Two repeats side by side must equal each repeat trained alone: stacking shares GEMMs, never numbers.
        MnistData data = TinyNetworks.Pool();
        using ComputeDevice device = TestDevices.Open(backend);
        using MnistTraining both = MnistTraining.Create(device, data, TinyNetworks.K, NetworkMode.Random, 2, 9UL, path, TinyNetworks.Batch);
        using MnistTraining one = MnistTraining.Create(device, data, TinyNetworks.K, NetworkMode.Random, 1, 9UL, path, TinyNetworks.Batch);
        for (int s = 0; s < 3; s++)
        {
            both.Trainer.Step(Batch);
            one.Trainer.Step(Batch);
        }
        MlpLayout l2 = both.Trainer.Layout, l1 = one.Trainer.Layout;
        float[] p2 = both.Trainer.GetParameters(), p1 = one.Trainer.GetParameters();
        // Compare repeat 0's W2 block and b3, which sit at different offsets in the two layouts.
        Assert.That(p2.AsSpan(l2.W2, l1.Hidden1 * l1.Hidden2).ToArray(), Is.EqualTo(p1.AsSpan(l1.W2, l1.Hidden1 * l1.Hidden2).ToArray()).Within(1e-6f));
        Assert.That(p2.AsSpan(l2.B3, 10).ToArray(), Is.EqualTo(p1.AsSpan(l1.B3, 10).ToArray()).Within(1e-6f));
    }
}

/// <summary>The kernel path and the host path take the same steps: parameters agree after several Adam steps.</summary>
[Category("kernel")]
[TestFixture(Backend.Cpu)]
[TestFixture(Backend.Cuda)]
[TestFixture(Backend.OpenCL)]
public sealed class KernelPathTests(Backend backend)
{
    [TestCase(NetworkMode.Rich)]
    [TestCase(NetworkMode.Random)]
    public void KernelStepsMatchHostSteps(NetworkMode mode)
    {
        MnistData data = TinyNetworks.Pool();
        using ComputeDevice cpu = ComputeDevice.Open(Backend.Cpu);
        using ComputeDevice device = TestDevices.Open(backend);
        using MnistTraining host = MnistTraining.Create(cpu, data, TinyNetworks.K, mode, TinyNetworks.Repeats, 4UL, TrainingPath.Host, TinyNetworks.Batch);
        using MnistTraining kernels = MnistTraining.Create(device, data, TinyNetworks.K, mode, TinyNetworks.Repeats, 4UL, TrainingPath.Kernels, TinyNetworks.Batch);
        RepeatStats hostStats = host.TrainEpoch(0);
        RepeatStats kernelStats = kernels.TrainEpoch(0);
        host.TrainEpoch(1);
        kernels.TrainEpoch(1);

        var tolerance = For(backend, Check.PathVsPath);
        float[] expected = host.Trainer.GetParameters(), actual = kernels.Trainer.GetParameters();
        for (int i = 0; i < expected.Length; i++)
            Assert.That(Close(actual[i], expected[i], tolerance), $"parameter {i}: kernels {actual[i]}, host {expected[i]}");
        for (int r = 0; r < TinyNetworks.Repeats; r++)
        {
            Assert.That(kernelStats.Correct[r], Is.EqualTo(hostStats.Correct[r]));
            Assert.That(Close(kernelStats.LossSums[r], hostStats.LossSums[r], tolerance));
        }
    }
}
