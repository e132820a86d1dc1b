using Engine.Core.Data;

namespace Engine.Tests;

/// <summary>
/// Numerically hard datasets: ill-conditioned, unscaled, near-dependent, with huge or tiny values. The first three are
/// the cases an independent check found wrong answers on.
/// </summary>
public static class HardData
{
    /// <summary>x1 = (1, 0), x2 = (1, 1e-7), y = (0, 1): with h = 1 the all-active design is nonsingular, loss 0.</summary>
    public static Dataset IllConditioned { get; } = new("ill-conditioned", 2, [1, 0, 1, 1e-7], [0, 1]);

    /// <summary>x = 1e6, 2e6, 3e6, y = 1, 2, 4: with bias the all-active region is linear regression, loss 1/12.</summary>
    public static Dataset Unscaled { get; } = new("unscaled", 1, [1e6, 2e6, 3e6], [1, 2, 4]);

    /// <summary>
    /// Six points within 1e-6 of the line x₂ = 2x₁ + 1, with y = (x₂ − 2x₁ − 1)·1e6 exactly in the span of [x, 1]: with
    /// bias the all-active region fits y exactly through a direction of Z with σ ≈ 1e-7·σ_max.
    /// </summary>
    public static Dataset NearLine { get; } = Line();

    /// <summary>
    /// Seven points within 1e-5 of the line x₂ = 2x₁ through the origin, with y = (x₂ − 2x₁)·1e5 in the span of each
    /// node's inputs: without bias every node's design has σ_min ≈ 1e-6·σ_max, so a solve of the normal equations loses
    /// about κ² ≈ 1e11 of its accuracy, exactly along y.
    /// </summary>
    public static Dataset NearCollinear { get; } = Collinear();

    /// <summary>random:8,2,5 with its inputs scaled by 1e6 and 1e-5 and its targets by 1e7.</summary>
    public static Dataset Scaled { get; } = Rescaled(DatasetCatalog.Load("random:8,2,5"), [1e6, 1e-5], 1e7, "scaled");

    /// <summary>random:6,1,2 with targets of size 1e150: squares near the top of the double range.</summary>
    public static Dataset HugeTargets { get; } = Rescaled(DatasetCatalog.Load("random:6,1,2"), [1.0], 1e150, "huge-targets");

    /// <summary>random:6,2,4 with inputs of size 1e-100: squares that would underflow a naive sum.</summary>
    public static Dataset TinyInputs { get; } = Rescaled(DatasetCatalog.Load("random:6,2,4"), [1e-100, 3e-100], 1.0, "tiny-inputs");

    /// <summary>By name, for test cases; other names go to <see cref="DegenerateData"/> and the catalog.</summary>
    public static Dataset Load(string name) => name switch
    {
        "ill-conditioned" => IllConditioned,
        "unscaled" => Unscaled,
        "near-line" => NearLine,
        "near-collinear" => NearCollinear,
        "scaled" => Scaled,
        "huge-targets" => HugeTargets,
        "tiny-inputs" => TinyInputs,
        _ => DegenerateData.Load(name),
    };

    /// <summary><paramref name="data"/> with input column k multiplied by <paramref name="inputs"/>[k] and the targets by <paramref name="targets"/>.</summary>
    public static Dataset Rescaled(Dataset data, double[] inputs, double targets, string name)
    {
        double[] x = data.X.ToArray();
        for (int i = 0; i < x.Length; i++) x[i] *= inputs[i % data.Inputs];
        return new Dataset(name, data.Inputs, x, data.Y.ToArray().Select(v => v * targets).ToArray());
    }

    private static Dataset Collinear()
    {
        double[] offsets = [1, -1, 0.5, 1, -0.5, -1, 0.25];
        double[] t = [1, -2, 3, 0.5, -1.5, 2.5, -3];
        double[] x = new double[14];
        double[] y = new double[7];
        for (int i = 0; i < 7; i++)
        {
            x[2 * i] = t[i];
            x[2 * i + 1] = 2 * t[i] + 1e-5 * offsets[i];
            y[i] = (x[2 * i + 1] - 2 * x[2 * i]) * 1e5;
        }
        return new Dataset("near-collinear", 2, x, y);
    }

    private static Dataset Line()
    {
        double[] offsets = [1, -1, 0, 1, -1, 0];
        double[] x = new double[12];
        double[] y = new double[6];
        for (int i = 0; i < 6; i++)
        {
            x[2 * i] = i;
            x[2 * i + 1] = 2 * i + 1 + 1e-6 * offsets[i];
            y[i] = (x[2 * i + 1] - 2 * x[2 * i] - 1) * 1e6;
        }
        return new Dataset("near-line", 2, x, y);
    }
}
