using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Opens the accelerator a fixture is parameterised by: the CPU accelerator must exist; others are ignored with the reason when absent.</summary>
public abstract class BackendFixture(Backend backend)
{
    protected Backend Backend { get; } = backend;

    protected ComputeDevice Device { get; private set; } = null!;

    [OneTimeSetUp]
    public void OpenDevice() => Device = TestDevices.Open(Backend);

    [OneTimeTearDown]
    public void CloseDevice() => Device?.Dispose();
}
