using System.Reflection;
using Engine.Core.Mlp;
using Engine.Kernels;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime;
using ILGPU;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// Every training kernel compiles to PTX with ILGPU's CUDA backend, with no GPU needed: this catches IL that the CPU
/// accelerator runs but a GPU cannot (managed calls, unsupported intrinsics, interface dispatch).
/// </summary>
[Category("kernel")]
public sealed class PtxCompileTests
{
    private static IEnumerable<TestCaseData> Kernels()
    {
        yield return Explicit(typeof(RegionSystemKernels), nameof(RegionSystemKernels.Eq7), typeof(SummaryOutput));
        yield return Explicit(typeof(RegionSystemKernels), nameof(RegionSystemKernels.Eq7), typeof(LossOutput));
        yield return Explicit(typeof(RegionSystemKernels), nameof(RegionSystemKernels.Eq7), typeof(SolutionOutput));
        yield return Explicit(typeof(LossReductionKernels), nameof(LossReductionKernels.Merge));
        yield return Implicit(typeof(GatherKernels), nameof(GatherKernels.Inputs));
        yield return Implicit(typeof(MaskedForwardKernels), nameof(MaskedForwardKernels.Forward), typeof(ReluGate));
        yield return Implicit(typeof(MaskedForwardKernels), nameof(MaskedForwardKernels.Forward), typeof(FixedMaskGate));
        yield return Implicit(typeof(MaskedForwardKernels), nameof(MaskedForwardKernels.Backward));
        yield return Implicit(typeof(SoftmaxCrossEntropyKernels), nameof(SoftmaxCrossEntropyKernels.Row));
        yield return Implicit(typeof(AdamKernels), nameof(AdamKernels.Step));
        yield return Implicit(typeof(GemmKernels), nameof(GemmKernels.Direct));
        yield return new TestCaseData(EntryPointDescription.FromExplicitlyGroupedKernel(typeof(GemmKernels).GetMethod(nameof(GemmKernels.Tiled))!))
            .SetName("Tiled GEMM");
    }

    private static TestCaseData Explicit(Type type, string name, Type? op = null) => Kernel(type, name, op, EntryPointDescription.FromExplicitlyGroupedKernel);

    private static TestCaseData Implicit(Type type, string name, Type? op = null) => Kernel(type, name, op, EntryPointDescription.FromImplicitlyGroupedKernel);

    private static TestCaseData Kernel(Type type, string name, Type? op, Func<MethodInfo, EntryPointDescription> entry)
    {
        MethodInfo method = type.GetMethod(name)!;
        if (op is not null) method = method.MakeGenericMethod(op);
        return new TestCaseData(entry(method)).SetName($"{type.Name}.{name}{(op is null ? "" : $"<{op.Name}>")}");
    }

    [TestCaseSource(nameof(Kernels))]
    public void CompilesToPtx(EntryPointDescription entry)
    {
        using Context context = Context.Create(b => b.EnableAlgorithms().Math(MathMode.Default).Optimize(OptimizationLevel.O1));
        using var backend = new PTXBackend(context, CudaArchitecture.SM_70, CudaInstructionSet.ISA_70, null!);
        var kernel = (PTXCompiledKernel)backend.Compile(entry, default(KernelSpecialization));
        Assert.That(kernel.PTXAssembly, Does.Contain(".entry"));
    }
}
