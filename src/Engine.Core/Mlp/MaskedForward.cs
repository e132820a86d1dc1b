namespace Engine.Core.Mlp;

/// <summary>
/// How a hidden unit's activation value a is chosen. Both modes of Table 1 compute h = a ⊙ (W x + b):
/// a real ReLU network picks a = 𝟙(W x + b &gt; 0) (Eq. 2), a random-region network uses fixed masks (Eq. 8).
/// </summary>
public interface IGate
{
    /// <summary>The activation value a ∈ {0, 1} for one unit of one sample.</summary>
    static abstract float Value(float preActivation, ulong repeatSeed, int sample, int layer, int unit);
}

/// <summary>a = 𝟙(z &gt; 0): the rectified linear unit of a real ("rich") network.</summary>
public readonly struct ReluGate : IGate
{
    /// <inheritdoc/>
    public static float Value(float preActivation, ulong repeatSeed, int sample, int layer, int unit) =>
        preActivation > 0.0f ? 1.0f : 0.0f;
}

/// <summary>a fixed per (sample, layer, unit) by <see cref="ActivationMask"/>: the "random subglobal minima" of Eq. 8.</summary>
public readonly struct FixedMaskGate : IGate
{
    /// <inheritdoc/>
    public static float Value(float preActivation, ulong repeatSeed, int sample, int layer, int unit) =>
        ActivationMask.Bit(repeatSeed, sample, layer, unit);
}

/// <summary>
/// A hidden layer of R stacked networks in a mini-batch: a Rows × (Units·Repeats) row-major matrix whose column
/// c belongs to repeat c / Units, unit c % Units.
/// </summary>
/// <param name="Rows">Samples in the mini-batch.</param>
/// <param name="Units">Units of one network's layer.</param>
/// <param name="Repeats">Networks trained side by side.</param>
/// <param name="Layer">Hidden layer index (0 or 1), part of the mask key.</param>
/// <param name="Seed">Run seed; each repeat's mask seed derives from it.</param>
public readonly record struct HiddenLayer(int Rows, int Units, int Repeats, int Layer, ulong Seed)
{
    /// <summary>Number of elements, Rows · Units · Repeats.</summary>
    public int Count => Rows * Units * Repeats;
}

/// <summary>Eq. 8's hidden layer, h = diag(a)(W x + b), element by element; the host loop and the kernel both call it.</summary>
public static class MaskedForward
{
    /// <summary>
    /// One unit of one sample: given its product z = (W x)ᵤ, its bias, the sample's pool index and the mask seed of its
    /// repeat (<see cref="ActivationMask.RepeatSeed"/>), returns h and writes the activation value a, which the
    /// backward pass multiplies in again.
    /// </summary>
    public static float Element<TGate>(int layer, ulong repeatSeed, int unit, int sample, float z, float bias, out float gate)
        where TGate : struct, IGate
    {
        float pre = z + bias;
        gate = TGate.Value(pre, repeatSeed, sample, layer, unit);
        return gate * pre;
    }
}
