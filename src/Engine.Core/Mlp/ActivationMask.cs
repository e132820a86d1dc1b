namespace Engine.Core.Mlp;

/// <summary>
/// The fixed activation values a_i of Eq. 8, drawn with P(a = 1) = 0.5 independently per sample, layer and unit.
/// A counter-based hash (SplitMix64's finaliser) turns (seed, sample, layer, unit) into a bit, so no mask is stored
/// and the host and every accelerator produce the same masks.
/// </summary>
public static class ActivationMask
{
    /// <summary>SplitMix64's output function: a bijective 64-bit mix with full avalanche.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The seed of one repeat's masks: repeats of a run draw independent activation patterns.</summary>
    public static ulong RepeatSeed(ulong seed, int repeat) => Mix(seed ^ Mix(0x5EED0000UL + (ulong)(uint)repeat));

    /// <summary>
    /// a ∈ {0, 1} for <paramref name="sample"/>'s <paramref name="unit"/> (below 2²⁴) in hidden <paramref name="layer"/>
    /// (below 256): the top bit of output number (sample, layer, unit) of the SplitMix64 stream seeded by the repeat.
    /// </summary>
    public static float Bit(ulong repeatSeed, int sample, int layer, int unit)
    {
        ulong key = ((ulong)(uint)sample << 32) | ((ulong)(uint)layer << 24) | (uint)unit;
        // The top bit of a SplitMix output is the best-mixed one.
        return (Mix(repeatSeed + key * 0x9E3779B97F4A7C15UL) >> 63) == 1UL ? 1.0f : 0.0f;
    }
}
