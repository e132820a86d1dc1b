using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Opens a backend for a test: the CPU accelerator must exist; an absent GPU backend ignores the test and says why.</summary>
internal static class TestDevices
{
    public static ComputeDevice Open(Backend backend)
    {
        try
        {
            return ComputeDevice.Open(backend);
        }
        catch (EngineInputException e) when (backend != Backend.Cpu)
        {
            Assert.Ignore($"{backend.Name()} backend absent on this machine: {e.Message}");
            throw;
        }
    }
}
