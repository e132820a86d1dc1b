using Engine.Core.Mlp;
using ILGPU;

namespace Engine.Kernels;

/// <summary>The Adam optimiser step; the per-parameter math is <see cref="Adam.Update"/>.</summary>
public static class AdamKernels
{
    /// <summary>Updates parameter <paramref name="e"/> of <paramref name="count"/> at <paramref name="weights"/>; gradient, m and v follow at strides of count.</summary>
    public static void Step(Index1D e, ArrayView<float> arena, AdamStep step, int weights, int count)
    {
        if (e >= count) return;
        Adam.Update(step, ref arena[weights + e], ref arena[weights + 2 * count + e], ref arena[weights + 3 * count + e], arena[weights + count + e]);
    }
}
