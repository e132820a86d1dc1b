namespace Engine.Core.Mlp;

/// <summary>
/// One Adam step's constants (Kingma &amp; Ba, 2015) in PyTorch's arrangement, so runs compare with its reference:
/// w ← w − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε).
/// </summary>
public readonly record struct AdamStep(float Beta1, float Beta2, float Epsilon, float StepSize, float SqrtBias2)
{
    /// <summary>The constants of step <paramref name="t"/> (1-based) for learning rate <paramref name="lr"/>.</summary>
    public static AdamStep At(int t, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) =>
        new((float)beta1, (float)beta2, (float)epsilon,
            (float)(lr / (1.0 - Math.Pow(beta1, t))), (float)Math.Sqrt(1.0 - Math.Pow(beta2, t)));
}

/// <summary>The Adam update of one parameter; the host loop and the kernel both call it.</summary>
public static class Adam
{
    /// <summary>Updates the moments m, v with gradient g and moves w.</summary>
    public static void Update(in AdamStep s, ref float w, ref float m, ref float v, float g)
    {
        m = s.Beta1 * m + (1.0f - s.Beta1) * g;
        v = s.Beta2 * v + (1.0f - s.Beta2) * g * g;
        w -= s.StepSize * m / (MathF.Sqrt(v) / s.SqrtBias2 + s.Epsilon);
    }
}
