using Engine.Core.Mlp;
using Engine.Core.Mnist;
using Engine.Kernels;
using ILGPU.Runtime;
using ILGPU;

namespace Engine.Mnist;

/// <summary>
/// The accelerator training path: the arena, the image pool and the labels live on the device, and every step of
/// <see cref="MlpTrainer"/> is one of the kernels in <c>kernels/</c>. Kernels are loaded once, here.
/// </summary>
internal sealed class KernelMlpOps : IMlpOps
{
    private readonly Accelerator _accelerator;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _arena;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> _pixels;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> _labels;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _samples;
    private readonly int _features;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<byte>, ArrayView<int>, int, int, int> _gather;
    private readonly Action<KernelConfig, ArrayView<float>, GemmShape> _tiled;
    private readonly Action<Index1D, ArrayView<float>, GemmShape> _direct;
    private readonly bool _cpu;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, HiddenLayer, int, int, int> _relu;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, HiddenLayer, int, int, int> _mask;
    private readonly Action<Index1D, ArrayView<float>, int, int, int> _backward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<byte>, SoftmaxCrossEntropyKernels.Shape, int, int, int> _softmax;
    private readonly Action<Index1D, ArrayView<float>, AdamStep, int, int> _adam;
    private bool _disposed;

    public KernelMlpOps(Accelerator accelerator, int arenaLength, int batch, MnistData data)
    {
        _accelerator = accelerator;
        _features = data.Features;
        _arena = accelerator.Allocate1D<float>(arenaLength);
        _arena.MemSetToZero();
        _pixels = accelerator.Allocate1D(data.Pixels);
        _labels = accelerator.Allocate1D(data.Labels);
        _samples = accelerator.Allocate1D<int>(batch);
        _gather = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<byte>, ArrayView<int>, int, int, int>(GatherKernels.Inputs);
        _tiled = accelerator.LoadStreamKernel<ArrayView<float>, GemmShape>(GemmKernels.Tiled);
        _direct = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, GemmShape>(GemmKernels.Direct);
        _cpu = accelerator.AcceleratorType == AcceleratorType.CPU;
        _relu = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, HiddenLayer, int, int, int>(MaskedForwardKernels.Forward<ReluGate>);
        _mask = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, HiddenLayer, int, int, int>(MaskedForwardKernels.Forward<FixedMaskGate>);
        _backward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, int, int>(MaskedForwardKernels.Backward);
        _softmax = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<byte>, SoftmaxCrossEntropyKernels.Shape, int, int, int>(SoftmaxCrossEntropyKernels.Row);
        _adam = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, AdamStep, int, int>(AdamKernels.Step);
    }

    public void Upload(int offset, ReadOnlySpan<float> values) => _arena.View.BaseView.SubView(offset, values.Length).CopyFromCPU(values);

    public void Download(int offset, Span<float> values)
    {
        _accelerator.Synchronize();
        _arena.View.BaseView.SubView(offset, values.Length).CopyToCPU(values);
    }

    public void Fill(int offset, int count, float value)
    {
        if (value == 0.0f)
        {
            _arena.View.BaseView.SubView(offset, count).MemSetToZero();
            return;
        }
        float[] values = new float[count];
        Array.Fill(values, value);
        Upload(offset, values);
    }

    public void Gather(ReadOnlySpan<int> indices, int xOffset)
    {
        _samples.View.BaseView.SubView(0, indices.Length).CopyFromCPU(indices);
        _gather(indices.Length * _features, _arena.View, _pixels.View, _samples.View, indices.Length, _features, xOffset);
    }

    public void Gemm(in GemmCall call)
    {
        if (call.M == 0 || call.N == 0) return;
        var shape = new GemmShape(call.TransA ? 1 : 0, call.TransB ? 1 : 0, call.M, call.N, call.K,
            call.A, call.Lda, call.B, call.Ldb, call.Beta, call.C, call.Ldc);
        // The CPU accelerator emulates barriers, so the tiled kernel is for GPUs only (see GemmKernels.Direct).
        if (_cpu) _direct(call.M * call.N, _arena.View, shape);
        else _tiled(GemmKernels.Launch(call.M, call.N, _accelerator.MaxNumThreadsPerGroup), _arena.View, shape);
    }

    public void MaskedForward<TGate>(in HiddenLayer layer, int z, int bias, int gate) where TGate : struct, IGate
    {
        var kernel = typeof(TGate) == typeof(ReluGate) ? _relu : _mask;
        kernel(layer.Count, _arena.View, _samples.View, layer, z, bias, gate);
    }

    public void MaskedBackward(int count, int grad, int gate) => _backward(count, _arena.View, count, grad, gate);

    public void SoftmaxCrossEntropy(int rows, int classes, int repeats, int logits, int bias, float scale, int rowStats) =>
        _softmax(rows * repeats, _arena.View, _samples.View, _labels.View, new SoftmaxCrossEntropyKernels.Shape(rows, classes, repeats, scale),
            logits, bias, rowStats);

    public void Adam(in AdamStep step, int weights, int count) => _adam(count, _arena.View, step, weights, count);

    public void Synchronize() => _accelerator.Synchronize();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _arena.Dispose();
        _pixels.Dispose();
        _labels.Dispose();
        _samples.Dispose();
    }
}
