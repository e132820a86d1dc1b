using Engine.Core.Data;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Values the paper and the issue give, and the closed forms of the linear and dead regions.</summary>
[Category("unit")]
public sealed class PaperValueTests
{
    private static RegionEnumeration Run(string dataset, int hidden, bool bias = false)
    {
        using ComputeDevice device = ComputeDevice.Open(Backend.Cpu);
        return new RegionEngine(device).Enumerate(new RegionRequest
        {
            Data = DatasetCatalog.Load(dataset), Hidden = hidden, Bias = bias, KeepRegions = true,
        });
    }

    [Test]
    public void Figure3WithOneNodeHasTheEightKnownLosses()
    {
        double[] losses = Run("paper-fig3", 1).Losses!;
        Assert.That(losses.Order().ToArray(), Is.EqualTo(new[] { 0.16, 0.5, 2, 2.5, 4.5, 5, 6.5, 7 }).Within(1e-12));
    }

    [TestCase("paper-fig3", 3, false)]
    [TestCase("random:6,2,3", 2, false)]
    [TestCase("random:6,2,3", 2, true)]
    public void AllOnesRegionIsLinearRegressionAndAllZerosIsTheDeadLoss(string dataset, int hidden, bool bias)
    {
        RegionEnumeration run = Run(dataset, hidden, bias);
        Dataset d = run.Request.Data;
        // Linear regression of y on x (and 1 with bias) by the 2×2/3×3 normal equations solved with Cramer's rule.
        double linear = LinearRegressionLoss(d, bias);
        double dead = bias ? 0.5 * d.Y.ToArray().Sum(y => (y - d.Y.ToArray().Average()) * (y - d.Y.ToArray().Average())) : 0.5 * d.Y.ToArray().Sum(y => y * y);
        Assert.That(run.Losses![^1], Is.EqualTo(linear).Within(1e-9));
        Assert.That(run.Losses![0], Is.EqualTo(dead).Within(1e-9));
        Assert.That(run.Summary.Max, Is.EqualTo(dead).Within(1e-9));
        Assert.That(run.Summary.Min, Is.LessThanOrEqualTo(linear + 1e-9));
    }

    private static double LinearRegressionLoss(Dataset d, bool bias)
    {
        int k = d.Inputs + (bias ? 1 : 0);
        var a = new double[k, k + 1];
        for (int i = 0; i < d.Count; i++)
        {
            double[] z = [.. d.Point(i).ToArray(), .. (bias ? new[] { 1.0 } : [])];
            for (int r = 0; r < k; r++)
            {
                for (int c = 0; c < k; c++) a[r, c] += z[r] * z[c];
                a[r, k] += z[r] * d.Y[i];
            }
        }
        // Gauss–Jordan with partial pivoting: these small systems are full rank.
        for (int col = 0; col < k; col++)
        {
            int pivot = Enumerable.Range(col, k - col).MaxBy(r => Math.Abs(a[r, col]));
            for (int c = 0; c <= k; c++) (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            for (int r = 0; r < k; r++)
            {
                if (r == col) continue;
                double f = a[r, col] / a[col, col];
                for (int c = 0; c <= k; c++) a[r, c] -= f * a[col, c];
            }
        }
        double loss = 0;
        for (int i = 0; i < d.Count; i++)
        {
            double[] z = [.. d.Point(i).ToArray(), .. (bias ? new[] { 1.0 } : [])];
            double f = 0;
            for (int r = 0; r < k; r++) f += z[r] * a[r, k] / a[r, r];
            loss += (f - d.Y[i]) * (f - d.Y[i]);
        }
        return 0.5 * loss;
    }
}
