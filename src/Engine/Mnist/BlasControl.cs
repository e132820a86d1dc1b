using Engine.Core.Blas;

namespace Engine.Mnist;

/// <summary>
/// The façade's policy for the host BLAS, like Math.NET's <c>LinearAlgebraControl</c> (Core only provides the providers): <see cref="UseBest"/> takes OpenBLAS when
/// <c>libopenblas.so.0</c> loads and the managed provider otherwise; <c>ENGINE_BLAS=openblas|managed</c> overrides.
/// </summary>
public static class BlasControl
{
    /// <summary>The environment variable that forces a provider.</summary>
    public const string Variable = "ENGINE_BLAS";

    /// <summary>The provider this process should use.</summary>
    public static IBlas UseBest()
    {
        string? forced = Environment.GetEnvironmentVariable(Variable);
        return forced?.ToLowerInvariant() switch
        {
            null or "" => OpenBlas.TryCreate() ?? (IBlas)new ManagedBlas(),
            "managed" => new ManagedBlas(),
            "openblas" => OpenBlas.TryCreate()
                ?? throw new EngineInputException($"{Variable}=openblas but libopenblas.so.0 does not load; install libopenblas0-pthread"),
            _ => throw new EngineInputException($"{Variable}='{forced}': expected openblas or managed"),
        };
    }
}
