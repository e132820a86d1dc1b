using Engine.Core.Mlp;
using NUnit.Framework;

namespace Engine.Tests.Mnist;

[Category("unit")]
public sealed class ActivationMaskTests
{
    [Test]
    public void BitsAreFairAndIndependentOfNeighbours()
    {
        // 2¹⁷ draws: a fair bit's frequency lies within ±0.5% of 1/2 with overwhelming probability (σ ≈ 0.14%).
        const int Samples = 1024, Units = 128;
        ulong seed = ActivationMask.RepeatSeed(42UL, 0);
        double ones = 0.0, agree = 0.0;
        for (int i = 0; i < Samples; i++)
        {
            for (int j = 0; j < Units; j++)
            {
                float a = ActivationMask.Bit(seed, i, 0, j);
                ones += a;
                agree += a == ActivationMask.Bit(seed, i, 0, (j + 1) % Units) ? 1.0 : 0.0;
            }
        }
        Assert.That(ones / (Samples * Units), Is.EqualTo(0.5).Within(0.005));
        Assert.That(agree / (Samples * Units), Is.EqualTo(0.5).Within(0.005));
    }

    [Test]
    public void EveryKeyPartChangesTheMask()
    {
        ulong seed = ActivationMask.RepeatSeed(1UL, 0);
        float[] Pattern(Func<int, float> bit) => [.. Enumerable.Range(0, 64).Select(bit)];
        float[] reference = Pattern(j => ActivationMask.Bit(seed, 3, 0, j));
        Assert.That(Pattern(j => ActivationMask.Bit(seed, 3, 0, j)), Is.EqualTo(reference));
        Assert.That(Pattern(j => ActivationMask.Bit(seed, 4, 0, j)), Is.Not.EqualTo(reference));
        Assert.That(Pattern(j => ActivationMask.Bit(seed, 3, 1, j)), Is.Not.EqualTo(reference));
        Assert.That(Pattern(j => ActivationMask.Bit(ActivationMask.RepeatSeed(1UL, 1), 3, 0, j)), Is.Not.EqualTo(reference));
    }
}
