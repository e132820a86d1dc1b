using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using ILGPU.Runtime;
using ILGPU;

namespace Engine;

/// <summary>
/// The one place that picks and owns an ILGPU accelerator. Every façade type runs its kernels on a
/// <see cref="ComputeDevice"/>; disposing it releases the context, and disposing twice is safe. The accelerator is
/// opened on first use unless a GPU backend is named: creating a context probes every driver and starts the CPU
/// accelerator's threads, a tenth of a second or more that runs on the host alone (nonempty enumeration) should not pay.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    private readonly Lazy<Opened> _opened;
    private bool _disposed;

    private ComputeDevice(Backend requested) => _opened = new Lazy<Opened>(() => Create(requested));

    /// <summary>The backend actually opened (never <see cref="Backend.Auto"/>).</summary>
    public Backend Backend => _opened.Value.Backend;

    /// <summary>The accelerator, for the façade's kernel launchers.</summary>
    internal Accelerator Accelerator => _opened.Value.Accelerator;

    /// <summary>A one-line description such as "cuda: NVIDIA H100 (132 multiprocessors, 81000 MiB)".</summary>
    public string Description => Backend == Backend.Cpu
        ? $"cpu: {Environment.ProcessorCount} cores"
        : $"{Backend.Name()}: {Accelerator.Name} ({Accelerator.NumMultiprocessors} multiprocessors, {Accelerator.MemorySize >> 20} MiB)";

    /// <summary>
    /// The accelerator for <paramref name="backend"/>: CUDA, else OpenCL, else CPU when it is <see cref="Backend.Auto"/>.
    /// A named CUDA or OpenCL backend is opened here, and <see cref="EngineInputException"/> says when it is absent;
    /// the others cannot be absent and open on first use.
    /// </summary>
    public static ComputeDevice Open(Backend backend)
    {
        var device = new ComputeDevice(backend);
        if (backend is Backend.Cuda or Backend.OpenCL) _ = device._opened.Value;
        return device;
    }

    private static Opened Create(Backend backend)
    {
        Context context = CreateContext();
        try
        {
            Device device = backend switch
            {
                Backend.Cuda => First<CudaDevice>(context) ?? throw Missing("cuda"),
                Backend.OpenCL => First<CLDevice>(context) ?? throw Missing("opencl"),
                Backend.Cpu => First<CPUDevice>(context)!,
                _ => First<CudaDevice>(context) ?? First<CLDevice>(context) ?? First<CPUDevice>(context)!,
            };
            Backend opened = device switch
            {
                CudaDevice => Backend.Cuda,
                CLDevice => Backend.OpenCL,
                _ => Backend.Cpu,
            };
            return new Opened(context, device.CreateAccelerator(context), opened);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Every accelerator ILGPU can see on this machine, one description each.</summary>
    public static IReadOnlyList<string> List()
    {
        using Context context = CreateContext();
        var lines = new List<string>();
        foreach (Device device in context)
        {
            string kind = device switch
            {
                CudaDevice => "cuda",
                CLDevice => "opencl",
                _ => "cpu",
            };
            lines.Add(device is CPUDevice
                ? $"{kind}: ILGPU CPU accelerator, {device.NumMultiprocessors} multiprocessors over {Environment.ProcessorCount} cores"
                : $"{kind}: {device.Name} ({device.NumMultiprocessors} multiprocessors, {device.MemorySize >> 20} MiB)");
        }
        return lines;
    }

    /// <summary>Releases the accelerator and the context.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_opened.IsValueCreated) return;
        _opened.Value.Accelerator.Dispose();
        _opened.Value.Context.Dispose();
    }

    // The CPU accelerator is configured as one multiprocessor per core so that its kernels use every core.
    private static Context CreateContext() => Context.Create(builder => builder
        .Cuda()
        .OpenCL()
        .CPU(new CPUDevice(
            numThreadsPerWarp: 4,
            numWarpsPerMultiprocessor: 4,
            numMultiprocessors: Environment.ProcessorCount))
        .EnableAlgorithms()
        .Math(MathMode.Default)
        .Optimize(OptimizationLevel.O1));

    private sealed record Opened(Context Context, Accelerator Accelerator, Backend Backend);

    private static Device? First<T>(Context context) where T : Device => context.Devices.OfType<T>().FirstOrDefault();

    private static EngineInputException Missing(string name) =>
        new($"no {name} device found; run 'engine devices' to see what this machine has");
}
