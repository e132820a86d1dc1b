using Engine.Core.Mlp;
using ILGPU;

namespace Engine.Kernels;

/// <summary>Where one softmax row of a kernel lies: its first class's arena index.</summary>
/// <param name="View">The arena.</param>
/// <param name="Offset">Index of the row's first element.</param>
public readonly record struct ViewRow(ArrayView<float> View, int Offset) : IFloatRow
{
    /// <inheritdoc/>
    public float this[int j]
    {
        get => View[Offset + j];
        set => View[Offset + j] = value;
    }
}

/// <summary>The softmax output layer with cross-entropy loss; the per-row math is <see cref="SoftmaxCrossEntropy"/>.</summary>
public static class SoftmaxCrossEntropyKernels
{
    /// <summary>Shape of the output layer: rows × (classes · repeats) logits, losses scaled by <c>Scale</c> (1/rows).</summary>
    /// <param name="Rows">Samples in the mini-batch.</param>
    /// <param name="Classes">Output classes.</param>
    /// <param name="Repeats">Networks side by side.</param>
    /// <param name="Scale">Factor of the gradient, 1/rows for the mean loss.</param>
    public readonly record struct Shape(int Rows, int Classes, int Repeats, float Scale);

    /// <summary>
    /// Row <paramref name="i"/> = (sample i / R, repeat i % R): logits → ∂L/∂logits in place; loss and correctness go to
    /// the rows × 2R matrix at <paramref name="rowStats"/>.
    /// </summary>
    public static void Row(Index1D i, ArrayView<float> arena, ArrayView<int> samples, ArrayView<byte> labels, Shape shape,
        int logits, int bias, int rowStats)
    {
        if (i >= shape.Rows * shape.Repeats) return;
        int sample = i / shape.Repeats;
        int r = i - sample * shape.Repeats;
        int row = sample * shape.Classes * shape.Repeats + r * shape.Classes;
        float loss = SoftmaxCrossEntropy.Row(new ViewRow(arena, logits + row), new ViewRow(arena, bias + r * shape.Classes),
            shape.Classes, labels[samples[sample]], shape.Scale, out float correct);
        arena[rowStats + sample * 2 * shape.Repeats + r] = loss;
        arena[rowStats + sample * 2 * shape.Repeats + shape.Repeats + r] = correct;
    }
}
