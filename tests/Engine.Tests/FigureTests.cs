using Engine.Core.Data;
using Engine.Core.Network;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Figure 2's loss slice: the real loss and the activation boundary it shows (the files are tested in <see cref="CliTests"/>).</summary>
[Category("unit")]
public sealed class FigureTests
{
    [Test]
    public void Figure2SliceHasTheLineW1EqualsZeroAndTheRealLoss()
    {
        Dataset data = DatasetCatalog.Load("paper-fig2");
        // f(x) = w2·σ(w1·x): θ = [w1, v1] in the engine's order.
        LossSlice slice = LossSlice.Compute(data, 1, false, [0, 0], 0, 1, -3, 3, -3, 3, 61);
        Assert.That(slice.Boundaries, Has.Count.EqualTo(1));
        (double a, double b, double c) = slice.Boundaries[0];
        Assert.That((a, Math.Abs(b), c), Is.EqualTo((0.0, 1.0, 0.0)));
        // On w1 = 0 the network is 0, so L_f = ½(9 + 1) = 5 whatever w2 is: the flat line of non-differentiable minima.
        int zero = Array.IndexOf(slice.Xs, 0.0);
        for (int r = 0; r < slice.Ys.Length; r++) Assert.That(slice.Loss[r, zero], Is.EqualTo(5.0));
        // (w1, w2) = (1, 1.5): only x2 = 2 is active, f(2) = 3, so L_f = ½(9 + 16) = 12.5.
        int w1 = Array.IndexOf(slice.Xs, 1.0);
        int w2 = Array.IndexOf(slice.Ys, 1.5);
        Assert.That(slice.Loss[w2, w1], Is.EqualTo(12.5).Within(Tolerances.PaperLoss));
    }
}
