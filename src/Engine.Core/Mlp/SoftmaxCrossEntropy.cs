namespace Engine.Core.Mlp;

/// <summary>Indexed access to a row of floats, so host arrays and accelerator views share one softmax routine.</summary>
public interface IFloatRow
{
    /// <summary>Element <paramref name="j"/> of the row.</summary>
    float this[int j] { get; set; }
}

/// <summary>A row of a host array at an offset.</summary>
/// <param name="Data">The array.</param>
/// <param name="Offset">Index of the row's first element.</param>
public readonly record struct ArrayRow(float[] Data, int Offset) : IFloatRow
{
    /// <inheritdoc/>
    public float this[int j]
    {
        get => Data[Offset + j];
        set => Data[Offset + j] = value;
    }
}

/// <summary>Softmax output with cross-entropy loss, one (sample, network) row at a time.</summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Turns a row of logits z (before the bias b) into ∂L/∂z = (softmax(z + b) − onehot(label)) · scale in place and
    /// returns the loss −log softmax(z + b)_label; <paramref name="correct"/> is 1 when the first arg-max is the label.
    /// The maximum is subtracted before exponentiating, so large logits cannot overflow.
    /// </summary>
    public static float Row<TRow>(TRow logits, TRow bias, int classes, int label, float scale, out float correct)
        where TRow : struct, IFloatRow
    {
        int best = 0;
        float max = logits[0] + bias[0];
        float target = 0.0f;
        for (int j = 0; j < classes; j++)
        {
            float z = logits[j] + bias[j];
            logits[j] = z;
            if (j == label) target = z;
            if (z > max)
            {
                max = z;
                best = j;
            }
        }
        float sum = 0.0f;
        for (int j = 0; j < classes; j++)
        {
            float p = MathF.Exp(logits[j] - max);
            logits[j] = p;
            sum += p;
        }
        float loss = MathF.Log(sum) - (target - max);
        for (int j = 0; j < classes; j++)
            logits[j] = (logits[j] / sum - (j == label ? 1.0f : 0.0f)) * scale;
        correct = best == label ? 1.0f : 0.0f;
        return loss;
    }
}
