using Engine.Core.Mlp;
using ILGPU;

namespace Engine.Kernels;

/// <summary>
/// The hidden layers of §4.2: Eq. 8, h = diag(a)(W x + b), with a from fixed masks (random regions) or a = 𝟙(z &gt; 0)
/// (the real ReLU network, Eq. 2), and its backward pass. The per-element math is <see cref="MaskedForward"/>.
/// </summary>
public static class MaskedForwardKernels
{
    /// <summary>Eq. 8 forward, element <paramref name="e"/>: z ← a ⊙ (z + b) at <paramref name="z"/>, a written at <paramref name="gate"/>.</summary>
    public static void Forward<TGate>(Index1D e, ArrayView<float> arena, ArrayView<int> samples, HiddenLayer layer, int z, int bias, int gate)
        where TGate : struct, IGate
    {
        if (e >= layer.Count) return;
        int columns = layer.Units * layer.Repeats;
        int row = e / columns;
        int column = e - row * columns;
        int repeat = column / layer.Units;
        arena[z + e] = MaskedForward.Element<TGate>(layer.Layer, ActivationMask.RepeatSeed(layer.Seed, repeat), column - repeat * layer.Units,
            samples[row], arena[z + e], arena[bias + column], out float a);
        arena[gate + e] = a;
    }

    /// <summary>Backward through Eq. 8: ∂L/∂z = a ⊙ ∂L/∂h, element <paramref name="e"/>, in place at <paramref name="grad"/>.</summary>
    public static void Backward(Index1D e, ArrayView<float> arena, int count, int grad, int gate)
    {
        if (e >= count) return;
        arena[grad + e] *= arena[gate + e];
    }
}
