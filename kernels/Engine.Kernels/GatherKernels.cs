using Engine.Core.Mnist;
using ILGPU;

namespace Engine.Kernels;

/// <summary>Builds a mini-batch's input matrix on the accelerator from the pool of images kept there as bytes.</summary>
public static class GatherKernels
{
    /// <summary>Element <paramref name="i"/> of the rows × features input at <paramref name="x"/>: pixel of sample samples[row], scaled to [0,1].</summary>
    public static void Inputs(Index1D i, ArrayView<float> arena, ArrayView<byte> pixels, ArrayView<int> samples, int rows, int features, int x)
    {
        if (i >= rows * features) return;
        int row = i / features;
        arena[x + i] = MnistIdx.Scale(pixels[(long)samples[row] * features + (i - row * features)]);
    }
}
