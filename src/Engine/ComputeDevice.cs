using Engine.Core;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Engine;

/// <summary>
/// The one place that picks and owns an ILGPU accelerator. Every façade type runs its kernels on a
/// <see cref="ComputeDevice"/>; disposing it releases the context, and disposing twice is safe.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    private readonly Context _context;
    private bool _disposed;

    private ComputeDevice(Context context, Accelerator accelerator, Backend backend)
    {
        _context = context;
        Accelerator = accelerator;
        Backend = backend;
    }

    /// <summary>The backend actually opened (never <see cref="Backend.Auto"/>).</summary>
    public Backend Backend { get; }

    /// <summary>The accelerator, for the façade's kernel launchers.</summary>
    internal Accelerator Accelerator { get; }

    /// <summary>A one-line description such as "cuda: NVIDIA H100 (132 multiprocessors, 81000 MiB)".</summary>
    public string Description => Backend == Backend.Cpu
        ? $"cpu: {Environment.ProcessorCount} cores"
        : $"{Backend.Name()}: {Accelerator.Name} ({Accelerator.NumMultiprocessors} multiprocessors, {Accelerator.MemorySize >> 20} MiB)";

    /// <summary>
    /// Opens the accelerator for <paramref name="backend"/>: CUDA, else OpenCL, else CPU when it is
    /// <see cref="Backend.Auto"/>. Throws <see cref="EngineInputException"/> when the named one is absent.
    /// </summary>
    public static ComputeDevice Open(Backend backend)
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
            return new ComputeDevice(context, device.CreateAccelerator(context), opened);
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
        Accelerator.Dispose();
        _context.Dispose();
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

    private static Device? First<T>(Context context) where T : Device => context.Devices.OfType<T>().FirstOrDefault();

    private static EngineInputException Missing(string name) =>
        new($"no {name} device found; run 'engine devices' to see what this machine has");
}
