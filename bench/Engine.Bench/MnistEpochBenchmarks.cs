using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Engine.Core.Mlp;
using Engine.Core.Mnist;
using Engine.Mnist;

namespace Engine.Bench;

/// <summary>
/// A slice of one training epoch of §4.2's network: <see cref="Steps"/> mini-batches of 100 at width k, the host
/// path (OpenBLAS or managed GEMMs and host loops; the baseline) against the same steps as ILGPU kernels on the
/// CPU accelerator. The images are seeded random bytes: timings do not depend on pixel values, and the benchmark
/// then needs no dataset on the machine. The CPU accelerator simulates GPU groups with threads and barriers and takes
/// seconds per mini-batch at k = 256, so the slice is 10 mini-batches and each measurement runs once.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class MnistEpochBenchmarks
{
    private ComputeDevice? _device;
    private MnistTraining? _training;
    private int[] _order = [];

    [Params(256)]
    public int K { get; set; }

    [Params(NetworkMode.Random, NetworkMode.Rich)]
    public NetworkMode Mode { get; set; }

    [Params(10)]
    public int Steps { get; set; }

    [GlobalSetup(Target = nameof(Host))]
    public void SetUpHost() => SetUp(TrainingPath.Host);

    [GlobalSetup(Target = nameof(CpuAcceleratorKernels))]
    public void SetUpKernels() => SetUp(TrainingPath.Kernels);

    [Benchmark(Baseline = true)]
    public void Host() => _training!.Trainer.TrainEpoch(_order);

    [Benchmark]
    public void CpuAcceleratorKernels() => _training!.Trainer.TrainEpoch(_order);

    [GlobalCleanup]
    public void CleanUp()
    {
        _training?.Dispose();
        _device?.Dispose();
    }

    private void SetUp(TrainingPath path)
    {
        int count = Steps * MnistTraining.BatchSize;
        var random = new Random(1);
        byte[] pixels = new byte[count * MnistIdx.Pixels];
        random.NextBytes(pixels);
        byte[] labels = [.. Enumerable.Range(0, count).Select(_ => (byte)random.Next(MnistIdx.Classes))];
        _device = ComputeDevice.Open(Backend.Cpu);
        _training = MnistTraining.Create(_device, MnistData.FromArrays(pixels, labels, MnistIdx.Pixels, count), K, Mode, 1, 1UL, path);
        _order = [.. Enumerable.Range(0, count)];
        // Warm-up: JIT and kernel compilation stay out of the measurement.
        _training.Trainer.Step(_order.AsSpan(0, MnistTraining.BatchSize));
        _training.Trainer.GetParameters();
    }
}
