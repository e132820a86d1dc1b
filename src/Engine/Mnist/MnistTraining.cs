using Engine.Core.Blas;
using Engine.Core.Mlp;
using Engine.Core.Mnist;

namespace Engine.Mnist;

/// <summary>Which code runs a training step.</summary>
public enum TrainingPath
{
    /// <summary>The host path on the CPU backend (ILGPU's CPU accelerator simulates warps and is slow), kernels elsewhere.</summary>
    Auto,
    /// <summary>GEMMs through the host BLAS (OpenBLAS or managed), elementwise steps as parallel host loops.</summary>
    Host,
    /// <summary>Every step an ILGPU kernel on the device's accelerator.</summary>
    Kernels,
}

/// <summary>
/// R networks of §4.2 (784 → 2k → k → 10) of one mode, trained side by side on MNIST with Adam in mini-batches of
/// 100: they share data loading, the first layer's GEMM and every kernel launch, and differ in initialisation and,
/// in random mode, in their activation masks. Disposing twice is safe.
/// </summary>
public sealed class MnistTraining : IDisposable
{
    /// <summary>The paper's mini-batch size.</summary>
    public const int BatchSize = 100;

    private readonly IMlpOps _ops;
    private readonly MnistData _data;
    private readonly ulong _seed;
    private readonly int[] _order;
    private bool _disposed;

    private MnistTraining(IMlpOps ops, MnistData data, MlpLayout layout, NetworkMode mode, ulong seed, string pathName)
    {
        _ops = ops;
        _data = data;
        _seed = seed;
        Mode = mode;
        PathName = pathName;
        Trainer = new MlpTrainer(ops, layout, mode, seed);
        Trainer.Initialise();
        _order = [.. Enumerable.Range(0, data.TrainCount)];
    }

    /// <summary>The networks' mode.</summary>
    public NetworkMode Mode { get; }

    /// <summary>Which path runs the steps, e.g. "host (openblas)" or "kernels (cuda)".</summary>
    public string PathName { get; }

    /// <summary>The trainer, for callers that step by hand.</summary>
    public MlpTrainer Trainer { get; }

    /// <summary>
    /// Sets up <paramref name="repeats"/> networks of width <paramref name="k"/> on <paramref name="device"/>; throws
    /// <see cref="EngineInputException"/> for non-positive sizes.
    /// </summary>
    public static MnistTraining Create(ComputeDevice device, MnistData data, int k, NetworkMode mode, int repeats, ulong seed,
        TrainingPath path = TrainingPath.Auto, int batch = BatchSize)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(data);
        if (k <= 0) throw new EngineInputException($"width k must be positive, got {k}");
        if (repeats <= 0) throw new EngineInputException($"repeats must be positive, got {repeats}");
        if (batch <= 0) throw new EngineInputException($"batch size must be positive, got {batch}");
        if (data.TrainCount == 0) throw new EngineInputException("no training images");

        var layout = new MlpLayout(data.Features, 2 * k, k, MnistIdx.Classes, repeats, batch);
        if (Host(device, path))
        {
            IBlas blas = BlasControl.UseBest();
            return new MnistTraining(new HostMlpOps(layout.Length, data, blas), data, layout, mode, seed, $"host ({blas.Name})");
        }
        return new MnistTraining(new KernelMlpOps(device.Accelerator, layout.Length, batch, data), data, layout, mode, seed,
            $"kernels ({device.Backend.Name()})");
    }

    /// <summary>The <see cref="PathName"/> trainings on <paramref name="device"/> get, without building one.</summary>
    public static string PathNameFor(ComputeDevice device, TrainingPath path = TrainingPath.Auto)
    {
        ArgumentNullException.ThrowIfNull(device);
        return Host(device, path) ? $"host ({BlasControl.UseBest().Name})" : $"kernels ({device.Backend.Name()})";
    }

    private static bool Host(ComputeDevice device, TrainingPath path) => path == TrainingPath.Host || (path == TrainingPath.Auto && device.Backend == Backend.Cpu);

    /// <summary>
    /// Trains one epoch over the training images in an order shuffled from the seed and <paramref name="epoch"/>, and
    /// returns each repeat's running loss and accuracy over the epoch's mini-batches. Cancellation stops it between
    /// mini-batches (<see cref="OperationCanceledException"/>).
    /// </summary>
    public RepeatStats TrainEpoch(int epoch, CancellationToken cancellation = default)
    {
        var random = new Random((int)(ActivationMask.Mix(_seed ^ (0xE90C0000UL + (ulong)epoch)) & int.MaxValue));
        random.Shuffle(_order);
        Trainer.ResetStats();
        Trainer.TrainEpoch(_order, cancellation);
        return Trainer.ReadStats();
    }

    /// <summary>
    /// Each repeat's loss and accuracy on the training images. Random-mode networks use each image's own fixed masks,
    /// so this is the accuracy at the subglobal minimum that Table 1 reports.
    /// </summary>
    public RepeatStats EvaluateTrain() => Trainer.Evaluate(0, _data.TrainCount);

    /// <summary>
    /// Each repeat's loss and accuracy on the test images; in random mode each test image has fixed masks of its own
    /// (keyed by its pool index), drawn like those of the training images.
    /// </summary>
    public RepeatStats EvaluateTest() => Trainer.Evaluate(_data.TrainCount, _data.TestCount);

    /// <summary>Releases the arena.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _ops.Dispose();
    }
}
