namespace Engine;

/// <summary>Which ILGPU accelerator runs the kernels.</summary>
public enum Backend
{
    /// <summary>CUDA if present, else OpenCL, else the CPU accelerator.</summary>
    Auto,
    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,
    /// <summary>An OpenCL 2.0+ device with the generic address space.</summary>
    OpenCL,
    /// <summary>ILGPU's CPU accelerator; host-twin code paths run beside it where they are faster.</summary>
    Cpu,
}

/// <summary>Parsing and naming of <see cref="Backend"/> values as users type them.</summary>
public static class BackendNames
{
    /// <summary>The accepted names, for help texts.</summary>
    public const string Names = "auto, cuda, opencl, cpu";

    /// <summary>Parses a user's device name, throwing <see cref="EngineInputException"/> when it is unknown.</summary>
    public static Backend Parse(string name) => name.ToLowerInvariant() switch
    {
        "auto" => Backend.Auto,
        "cuda" => Backend.Cuda,
        "opencl" => Backend.OpenCL,
        "cpu" => Backend.Cpu,
        _ => throw new EngineInputException($"unknown device '{name}': expected one of {Names}"),
    };

    /// <summary>The lower-case name of a backend.</summary>
    public static string Name(this Backend backend) => backend switch
    {
        Backend.Cuda => "cuda",
        Backend.OpenCL => "opencl",
        Backend.Cpu => "cpu",
        _ => "auto",
    };
}
