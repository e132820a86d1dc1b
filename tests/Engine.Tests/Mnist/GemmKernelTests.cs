using Engine.Core.Blas;
using Engine.Kernels;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using ILGPU.Runtime;
using ILGPU;
using NUnit.Framework;
using static Engine.Tests.Tolerances;

namespace Engine.Tests.Mnist;

/// <summary>Both GEMM kernels and both host BLAS providers against a naive triple loop in double.</summary>
[Category("kernel")]
public sealed class GemmKernelTests
{
    // Sizes that are not multiples of any tile, with padded leading dimensions and an offset into the arena.
    private const int M = 7, N = 9, K = 13, Pad = 3, Offset = 5;

    [Test]
    public void KernelsMatchTripleLoop(
        [Values(Backend.Cpu, Backend.Cuda, Backend.OpenCL)] Backend backend,
        [Values] bool transA, [Values] bool transB, [Values(0.0f, 0.5f)] float beta)
    {
        using Context context = Context.Create(b => b.CPU(new CPUDevice(4, 4, 1)).Cuda().OpenCL());
        Device? device = backend switch
        {
            Backend.Cuda => context.Devices.OfType<CudaDevice>().FirstOrDefault(),
            Backend.OpenCL => context.Devices.OfType<CLDevice>().FirstOrDefault(),
            _ => context.Devices.OfType<CPUDevice>().First(),
        };
        if (device is null) Assert.Ignore($"no {backend} device on this machine");
        using Accelerator accelerator = device!.CreateAccelerator(context);

        (float[] arena, GemmShape shape) = Problem(transA, transB, beta, M, N, K);
        double[] expected = Naive(arena, shape);
        using MemoryBuffer1D<float, Stride1D.Dense> buffer = accelerator.Allocate1D(arena);
        var kernel = accelerator.LoadStreamKernel<ArrayView<float>, GemmShape>(GemmKernels.Tiled);
        kernel(GemmKernels.Launch(M, N, accelerator.MaxNumThreadsPerGroup), buffer.View, shape);
        AssertC(buffer.GetAsArray1D(), expected, shape, For(backend, Check.KernelVsReference));

        buffer.CopyFromCPU(arena);
        var direct = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, GemmShape>(GemmKernels.Direct);
        direct(M * N, buffer.View, shape);
        AssertC(buffer.GetAsArray1D(), expected, shape, For(backend, Check.KernelVsReference));
    }

    // The second size has a k longer than the managed provider's k-block and more rows than its chunks.
    [Test]
    public void HostProvidersMatchTripleLoop([Values("managed", "openblas")] string provider, [Values] bool transA, [Values] bool transB,
        [Values(K, 600)] int k)
    {
        IBlas? blas = provider == "managed" ? new ManagedBlas() : OpenBlas.TryCreate();
        // OpenBLAS is installed by the test command (tests/run); its absence is a broken machine, not a skip.
        Assert.That(blas, Is.Not.Null, "libopenblas.so.0 does not load");
        (float[] arena, GemmShape s) = Problem(transA, transB, 0.5f, k == K ? M : 37, k == K ? N : 70, k);
        double[] expected = Naive(arena, s);
        blas!.Sgemm(transA, transB, s.M, s.N, s.K, arena.AsSpan(s.A), s.Lda, arena.AsSpan(s.B), s.Ldb, s.Beta, arena.AsSpan(s.C), s.Ldc);
        AssertC(arena, expected, s, For(Backend.Cpu, Check.KernelVsReference));
    }

    private static (float[] Arena, GemmShape Shape) Problem(bool transA, bool transB, float beta, int m, int n, int k)
    {
        int lda = (transA ? m : k) + Pad, ldb = (transB ? k : n) + Pad, ldc = n + Pad;
        int a = Offset, b = a + (transA ? k : m) * lda, c = b + (transB ? n : k) * ldb;
        var random = new Random(17);
        float[] arena = new float[c + m * ldc + Offset];
        for (int i = 0; i < arena.Length; i++) arena[i] = (float)(2.0 * random.NextDouble() - 1.0);
        return (arena, new GemmShape(transA ? 1 : 0, transB ? 1 : 0, m, n, k, a, lda, b, ldb, beta, c, ldc));
    }

    // The whole arena after C ← op(A) op(B) + β C, computed in double with three loops.
    private static double[] Naive(float[] arena, GemmShape s)
    {
        double[] result = [.. arena.Select(v => (double)v)];
        for (int i = 0; i < s.M; i++)
        {
            for (int j = 0; j < s.N; j++)
            {
                double sum = 0.0;
                for (int p = 0; p < s.K; p++)
                {
                    double av = arena[s.A + (s.TransA != 0 ? p * s.Lda + i : i * s.Lda + p)];
                    double bv = arena[s.B + (s.TransB != 0 ? j * s.Ldb + p : p * s.Ldb + j)];
                    sum += av * bv;
                }
                int c = s.C + i * s.Ldc + j;
                result[c] = sum + (s.Beta == 0.0f ? 0.0 : s.Beta * arena[c]);
            }
        }
        return result;
    }

    // Every arena value must match: C inside, and everything outside C (padding included) untouched.
    private static void AssertC(float[] actual, double[] expected, GemmShape s, (double Abs, double Rel) tolerance)
    {
        for (int i = 0; i < actual.Length; i++)
            Assert.That(Close(actual[i], expected[i], tolerance), $"arena[{i}] is {actual[i]}, expected {expected[i]} (C starts at {s.C})");
    }
}
