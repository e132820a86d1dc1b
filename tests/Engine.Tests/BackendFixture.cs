using Engine.Core;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Opens the accelerator a fixture is parameterised by: the CPU accelerator must exist; others are ignored with the reason when absent.</summary>
public abstract class BackendFixture(Backend backend)
{
    protected Backend Backend { get; } = backend;

    protected ComputeDevice Device { get; private set; } = null!;

    [OneTimeSetUp]
    public void OpenDevice()
    {
        try
        {
            Device = ComputeDevice.Open(Backend);
        }
        catch (EngineInputException e) when (Backend != Backend.Cpu)
        {
            Assert.Ignore($"{Backend.Name()} is not available on this machine: {e.Message}");
        }
    }

    [OneTimeTearDown]
    public void CloseDevice() => Device?.Dispose();
}
