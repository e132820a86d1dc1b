using Engine.Core.Data;
using Engine.Core.Geometry;
using Engine.Core.Network;
using Engine.Core.Regions;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// Realizable subglobal minima against hand-worked regions of paper-fig3 and an independent check: plain gradient
/// descent on the real ReLU network (Eq. 1 and 3, written out here, not the engine's code).
/// </summary>
[Category("unit")]
public sealed class RealizabilityTests
{
    [Test]
    public void PaperFigure3WithOneNodeHasFourRealizableMinima()
    {
        Dataset data = DatasetCatalog.Load("paper-fig3");
        NonemptyRegions run = RegionEngine.EnumerateNonempty(new RegionRequest { Data = data, Hidden = 1, KeepRegions = true, Realizability = true });
        double[] realizable = run.Losses!.Where((_, r) => run.Realizable![r]).Order().ToArray();
        Assert.That(realizable, Is.EqualTo(new[] { 0.16, 5, 6.5, 7 }).Within(Tolerances.PaperLoss));
    }

    [Test]
    public void HandWorkedRegionsOfPaperFigure3()
    {
        Dataset data = DatasetCatalog.Load("paper-fig3");
        RegionShape shape = RegionShape.ForColumns(3, 2, 1, false);
        var system = new ColumnSystem(data, shape);
        // Only x2 = [2, 1] active (loss ½(1² + 3²) = 5): the minimizers form the line pᵀx2 = 2. The minimum-norm one,
        // p = (0.8, 0.4), has pᵀx3 = 2 > 0 and would switch x3 on, but p = (2, −2) keeps x1 and x3 strictly off: the
        // minimum is realizable only because the whole optimal set is searched.
        RealizedMinimum? onlyX2 = Decide(system, [false, true, false], out double lossX2);
        Assert.That(lossX2, Is.EqualTo(5).Within(Tolerances.PaperLoss));
        Assert.That(onlyX2!.Signs, Is.EqualTo(new[] { 1 }));
        double[] p = onlyX2.Parameters;
        Assert.That(2 * p[0] + p[1], Is.EqualTo(2).Within(Tolerances.PathLoss));
        Assert.That(-p[0] + p[1], Is.LessThan(0));
        Assert.That(p[0] + 3 * p[1], Is.LessThan(0));
        // x2 and x3 active (region 6, loss 0.5): the unique minimizer solves p·x2 = 2, p·x3 = 3, so p = (0.6, 0.8);
        // pᵀx1 = 0.2 > 0 with v > 0 makes x1 active, and v < 0 makes x2, x3 inactive: not realizable.
        Assert.That(Decide(system, [false, true, true], out double loss6), Is.Null);
        Assert.That(loss6, Is.EqualTo(0.5).Within(Tolerances.PaperLoss));
        // All active: linear regression without intercept, realizable with v > 0 (every fitted value is positive).
        RealizedMinimum? linear = Decide(system, [true, true, true], out double lossLinear);
        Assert.That(lossLinear, Is.EqualTo(0.16).Within(Tolerances.PaperLoss));
        Assert.That(linear!.Signs, Is.EqualTo(new[] { 1 }));
        // All zeros: the dead region, realizable with v = 0 (or any w with w·x_i < 0).
        Assert.That(Decide(system, [false, false, false], out double dead), Is.Not.Null);
        Assert.That(dead, Is.EqualTo(7).Within(Tolerances.PaperLoss));
    }

    private static RealizedMinimum? Decide(ColumnSystem system, bool[] active, out double loss)
    {
        ulong[] column = [0];
        for (int i = 0; i < active.Length; i++)
        {
            if (active[i]) ColumnFeasibility.SetActive(column, i);
        }
        loss = system.Solve([column]).Loss;
        ArrangementCells cells = RegionEngine.Cells(system.Data, bias: false);
        double[] witness = cells.Witnesses[Enumerable.Range(0, cells.Count).Single(c => cells.Columns[c][0] == column[0])];
        return Realizability.Decide(system, [column], loss, [witness], new DecisionCounts(), out _);
    }

    // Realizability reads reduced regions' losses from a memo each workspace keeps (ColumnSystem.ReducedLoss). Each must
    // be the reduced design's loss and rank by the SVD reference, computed or kept (the second pass), and must leave the
    // factor of the region last solved, which the minimum-norm solution is read from, as it was.
    [Test]
    public void ReducedLossesAreTheReducedRegionsAndLeaveTheFactorAlone()
    {
        const int hidden = 3;
        Dataset data = DatasetCatalog.Load("random:9,2,3");
        NonemptyRegions run = RegionEngine.EnumerateNonempty(new RegionRequest { Data = data, Hidden = hidden, Bias = true, Unordered = true });
        var system = new ColumnSystem(data, run.Shape);
        double lossScale = 0.5 * data.Y.ToArray().Sum(y => y * y);
        int compared = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            for (long r = 0; r < run.Rows; r += 7)
            {
                ulong[][] columns = run.Columns(r);
                system.Solve(columns);
                double[] minimizer = system.MinimumNorm();
                for (int zeroed = 1; zeroed < 1 << hidden; zeroed++)
                {
                    RegionLoss reduced = system.ReducedLoss(columns, zeroed);
                    double[,] z = ReferenceLeastSquares.Design(data, hidden, true, (i, j) => ((zeroed >> j) & 1) == 0 && ColumnFeasibility.Active(columns[j], i));
                    ReferenceLeastSquares.Solution expected = ReferenceLeastSquares.Solve(z, data.Y.ToArray());
                    double tolerance = Tolerances.RegionLoss(Backend.Cpu, expected.Condition, lossScale);
                    if (!expected.RankAmbiguous) Assert.That(reduced.Rank, Is.EqualTo(expected.Rank), $"row {r}, zeroed {zeroed}");
                    if (double.IsNaN(tolerance)) continue;
                    Assert.That(reduced.Loss, Is.EqualTo(expected.Loss).Within(tolerance), $"row {r}, zeroed {zeroed}");
                    compared++;
                }
                Assert.That(system.MinimumNorm(), Is.EqualTo(minimizer), $"row {r}");
            }
        }
        Assert.That(compared, Is.GreaterThan(100), "too few losses compared with the reference to say anything");
    }

    [TestCase("random:14,2,3", 2, true)]
    [TestCase("random:24,2,4", 3, false)]
    [TestCase("collinear", 2, true)]
    public void FacetProgramsDecideAsTheFullPrograms(string dataset, int hidden, bool bias)
    {
        // A no sought first on the rows of the cells' facets must be the no of the program over every point, row by row.
        Dataset data = DegenerateData.Load(dataset);
        NonemptyRegions run = RegionEngine.EnumerateNonempty(new RegionRequest { Data = data, Hidden = hidden, Bias = bias, KeepRegions = true, Unordered = true });
        var system = new ColumnSystem(data, run.Shape);
        int realizable = 0;
        for (long r = 0; r < run.Rows; r++)
        {
            ulong[][] columns = run.Columns(r);
            int[] tuple = run.Tuple(r);
            double[][] witnesses = tuple.Select(c => run.Cells.Witnesses[c]).ToArray();
            double loss = system.Solve(columns).Loss;
            bool full = Realizability.Decide(system, columns, loss, witnesses, new DecisionCounts(), out _) is not null;
            bool facets = Realizability.Decide(system, columns, loss, witnesses, new DecisionCounts(), out _, j => run.Cells.Facets(tuple[j])) is not null;
            Assert.That(facets, Is.EqualTo(full), $"row {r}");
            realizable += full ? 1 : 0;
        }
        Assert.That(realizable, Is.Positive.And.LessThan(run.Rows));
    }

    [TestCase("paper-fig3", 1, false)]
    [TestCase("paper-fig3", 2, false)]
    [TestCase("random:6,2,3", 2, true)]
    [TestCase("random:5,1,2", 2, true)]
    [TestCase("duplicate", 2, false)]
    [TestCase("origin", 2, false)]
    [TestCase("collinear", 2, true)]
    public void GradientDescentConfirmsRealizability(string dataset, int hidden, bool bias)
    {
        Dataset data = DegenerateData.Load(dataset);
        NonemptyRegions run = RegionEngine.EnumerateNonempty(new RegionRequest { Data = data, Hidden = hidden, Bias = bias, KeepRegions = true, Realizability = true });
        var system = new ColumnSystem(data, run.Shape);
        var rng = new Random(5);
        int checkedRealizable = 0, checkedOther = 0, onBoundary = 0;
        for (long r = 0; r < run.Rows; r++)
        {
            ulong[][] columns = run.Columns(r);
            int[] tuple = run.Tuple(r);
            double loss = run.Losses![r];
            if (run.Realizable![r])
            {
                double[][] witnesses = tuple.Select(c => run.Cells.Witnesses[c]).ToArray();
                RealizedMinimum minimum = Realizability.Decide(system, columns, loss, witnesses, new DecisionCounts(), out _)!;
                double[] theta = FromEq4(minimum, run.Cells, tuple, data.Inputs, hidden, bias);
                // A kick well inside the region's margin, so that the flat directions of the minimizer set cannot carry
                // the descent out by themselves: it must find its way back to the minimum from inside.
                double kick = 1e-2 * Margin(data, hidden, bias, theta);
                for (int k = 0; k < theta.Length; k++) theta[k] += kick * (rng.NextDouble() - 0.5);
                Assert.That(Pattern(data, hidden, bias, theta), Is.EqualTo(Pattern(columns, data.Count)), "start inside the region");
                (double final, bool left) = Descend(data, hidden, bias, theta, Pattern(columns, data.Count));
                Assert.That(left, Is.False, $"row {r}: descent left the region of a realizable minimum");
                Assert.That(final, Is.EqualTo(loss).Within(Tolerances.DescentLoss), $"row {r}");
                checkedRealizable++;
            }
            else
            {
                // Start inside the region from the cells' interior points, with output weights ±1.
                double[] theta = new double[ReluNetwork.Parameters(data.Inputs, hidden, bias)];
                for (int j = 0; j < hidden; j++)
                {
                    double[] w = run.Cells.Witnesses[tuple[j]];
                    for (int k = 0; k < data.Inputs; k++) theta[j * data.Inputs + k] = w[k];
                    theta[hidden * data.Inputs + j] = rng.Next(2) == 0 ? 1.0 : -1.0;
                    if (bias) theta[hidden * data.Inputs + hidden + j] = w[data.Inputs];
                }
                (double final, bool left) = Descend(data, hidden, bias, theta, Pattern(columns, data.Count));
                // A third outcome happens where the minimizers touch the region only on its boundary (collinear data: a
                // node's fitted values are forced to vanish at some point): the descent reaches the minimum only by
                // running into that boundary, a non-differentiable point.
                bool boundary = Margin(data, hidden, bias, theta) < Tolerances.DescentBoundary;
                Assert.That(left || final > loss + Tolerances.DescentStall || boundary, Is.True,
                    $"row {r}: descent stayed strictly inside a non-realizable region and reached its minimum {loss} (ended at {final})");
                checkedOther++;
                if (boundary && !left && !(final > loss + Tolerances.DescentStall)) onBoundary++;
            }
        }
        Assert.That(checkedRealizable, Is.GreaterThan(0));
        Assert.That(checkedRealizable + checkedOther, Is.EqualTo(run.Rows));
        TestContext.Out.WriteLine($"{checkedRealizable} realizable, {checkedOther} not ({onBoundary} of them ending on the boundary)");
    }

    // θ = [vec(W), v, b, c] from a realizable (p, q, c): |v_j| = √‖(p_j, q_j)‖ balances the layers; v_j = 0 nodes take the cell's interior point.
    private static double[] FromEq4(RealizedMinimum minimum, ArrangementCells cells, int[] tuple, int n, int hidden, bool bias)
    {
        int d = n + (bias ? 1 : 0);
        double[] theta = new double[ReluNetwork.Parameters(n, hidden, bias)];
        for (int j = 0; j < hidden; j++)
        {
            double[] node = minimum.Parameters[(j * d)..((j + 1) * d)];
            double v = minimum.Signs[j] * Math.Sqrt(Math.Sqrt(node.Sum(e => e * e)));
            double[] w = minimum.Signs[j] == 0 ? cells.Witnesses[tuple[j]] : node.Select(e => e / v).ToArray();
            for (int k = 0; k < n; k++) theta[j * n + k] = w[k];
            theta[hidden * n + j] = v;
            if (bias) theta[hidden * n + hidden + j] = w[n];
        }
        if (bias) theta[^1] = minimum.Parameters[^1];
        return theta;
    }

    // Plain gradient descent on ½Σ(f(x_i) − y_i)², stopping early if the activation pattern changes.
    private static (double Loss, bool Left) Descend(Dataset data, int hidden, bool bias, double[] theta, string pattern)
    {
        int n = data.Inputs;
        // Step below 1/λ_max of the Gauss–Newton matrix Σ_i ∇f_i∇f_iᵀ, bounded by its trace at the start.
        double trace = 1;
        for (int i = 0; i < data.Count; i++)
        {
            double xx = data.Point(i).ToArray().Sum(x => x * x) + (bias ? 1 : 0);
            for (int j = 0; j < hidden; j++)
            {
                double u = U(data, hidden, bias, theta, i, j);
                double v = theta[hidden * n + j];
                if (u > 0) trace += u * u + v * v * xx;
            }
            if (bias) trace += 1;
        }
        double step = 0.5 / trace;
        double[] grad = new double[theta.Length];
        for (int iteration = 0; iteration < 200_000; iteration++)
        {
            Array.Clear(grad);
            for (int i = 0; i < data.Count; i++)
            {
                double[] x = data.Point(i).ToArray();
                double f = bias ? theta[^1] : 0;
                double[] u = new double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    u[j] = U(data, hidden, bias, theta, i, j);
                    if (u[j] > 0) f += theta[hidden * n + j] * u[j];
                }
                double residual = f - data.Y[i];
                for (int j = 0; j < hidden; j++)
                {
                    if (u[j] <= 0) continue;
                    double v = theta[hidden * n + j];
                    for (int k = 0; k < n; k++) grad[j * n + k] += residual * v * x[k];
                    grad[hidden * n + j] += residual * u[j];
                    if (bias) grad[hidden * n + hidden + j] += residual * v;
                }
                if (bias) grad[^1] += residual;
            }
            for (int k = 0; k < theta.Length; k++) theta[k] -= step * grad[k];
            if (Pattern(data, hidden, bias, theta) != pattern) return (Loss(data, hidden, bias, theta), true);
            if (grad.Sum(g => g * g) < Tolerances.DescentGradient * Tolerances.DescentGradient) break;
        }
        return (Loss(data, hidden, bias, theta), false);
    }

    // w_jᵀx_i + b_j.
    private static double U(Dataset data, int hidden, bool bias, double[] theta, int i, int j)
    {
        int n = data.Inputs;
        double u = bias ? theta[hidden * n + hidden + j] : 0;
        for (int k = 0; k < n; k++) u += theta[j * n + k] * data.Point(i)[k];
        return u;
    }

    // Smallest |w_jᵀx_i + b_j| / ‖x̃_i‖∞: how far θ is from the region's boundary.
    private static double Margin(Dataset data, int hidden, bool bias, double[] theta)
    {
        double margin = double.PositiveInfinity;
        for (int i = 0; i < data.Count; i++)
        {
            double scale = Math.Max(bias ? 1 : 0, data.Point(i).ToArray().Max(Math.Abs));
            if (scale == 0) continue;
            for (int j = 0; j < hidden; j++)
            {
                double u = U(data, hidden, bias, theta, i, j);
                margin = Math.Min(margin, Math.Abs(u) / scale);
            }
        }
        return margin;
    }

    private static double Loss(Dataset data, int hidden, bool bias, double[] theta)
    {
        int n = data.Inputs;
        double loss = 0;
        for (int i = 0; i < data.Count; i++)
        {
            double f = bias ? theta[^1] : 0;
            for (int j = 0; j < hidden; j++)
            {
                double u = U(data, hidden, bias, theta, i, j);
                f += theta[hidden * n + j] * Math.Max(u, 0);
            }
            loss += (f - data.Y[i]) * (f - data.Y[i]);
        }
        return 0.5 * loss;
    }

    // "1"/"0"/"z" per (i, j): active, inactive, or exactly on the boundary. A point at the origin without bias has
    // u = 0 for every θ but contributes nothing, so it counts as inactive (Definition 2.1), not as a boundary.
    private static string Pattern(Dataset data, int hidden, bool bias, double[] theta)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < data.Count; i++)
        {
            bool origin = !bias && data.Point(i).ToArray().All(x => x == 0);
            for (int j = 0; j < hidden; j++)
            {
                double u = U(data, hidden, bias, theta, i, j);
                text.Append(u > 0 ? '1' : u < 0 || origin ? '0' : 'z');
            }
        }
        return text.ToString();
    }

    private static string Pattern(ulong[][] columns, int points)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < points; i++)
        {
            foreach (ulong[] column in columns) text.Append(ColumnFeasibility.Active(column, i) ? '1' : '0');
        }
        return text.ToString();
    }
}
