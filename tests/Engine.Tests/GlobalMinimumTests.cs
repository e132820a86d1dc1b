using System.Numerics;
using Engine.Core.Closure;
using Engine.Core.Data;
using Engine.Core.Geometry;
using Engine.Core.Regions;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// The certified global minimum inf L_f against references that share nothing with the engine: brute force over every
/// activation pattern and sign with an interior-point QP in the constraint form (<see cref="ReferenceClosure"/>), exact
/// rational vertex enumeration of the cells, gradient descent on the real network, and the scale invariances.
/// </summary>
[Category("unit")]
public sealed class GlobalMinimumTests
{
    // Tiny datasets for brute force over all 2^(N·h) patterns: random ones of every shape the issue names, the paper's,
    // and the degenerate ones (a duplicate point, a point at the origin, collinear points).
    private static IEnumerable<TestCaseData> TinyCases()
    {
        foreach (string name in new[] { "paper-fig3", "paper-fig2", "duplicate", "origin", "collinear" })
        {
            foreach (bool bias in new[] { false, true })
            {
                for (int h = 1; h <= 2; h++) yield return new TestCaseData(name, h, bias);
            }
        }
        yield return new TestCaseData("paper-fig3", 3, false);
        for (int seed = 1; seed <= 6; seed++)
        {
            yield return new TestCaseData($"random:5,1,{seed}", 2, seed % 2 == 0);
            yield return new TestCaseData($"random:5,2,{seed}", 2, seed % 2 == 1);
            yield return new TestCaseData($"random:4,3,{seed}", 2, seed % 3 == 0);
            yield return new TestCaseData($"random:6,2,{seed}", 1, true);
        }
    }

    [TestCaseSource(nameof(TinyCases))]
    public void BranchAndBoundEqualsBruteForceOverEveryPatternAndSign(string dataset, int hidden, bool bias)
    {
        Dataset data = DegenerateData.Load(dataset);
        GlobalSearchResult result = Search(data, hidden, bias);
        ReferenceClosure.Result reference = ReferenceClosure.BruteForceGlobal(data, hidden, bias);
        Assert.That(result.Certified, Is.True);
        Assert.That(result.GlobalMinimum, Is.EqualTo(reference.Value).Within(result.Tolerance + reference.Accuracy));
        Assert.That(result.LowerBound, Is.GreaterThanOrEqualTo(result.GlobalMinimum - result.Tolerance));
        AssertWitness(data, hidden, bias, result);
    }

    [Test]
    public void PaperFigure3HasTheKnownGlobalMinima()
    {
        Dataset data = DatasetCatalog.Load("paper-fig3");
        // The issue's figures: 0.16 with one node (linear regression, realizable), 0 from two nodes on.
        Assert.That(Search(data, 1, false).GlobalMinimum, Is.EqualTo(0.16).Within(Tolerances.PaperLoss));
        for (int h = 2; h <= 4; h++)
        {
            GlobalSearchResult result = Search(data, h, false);
            Assert.That(result.GlobalMinimum, Is.EqualTo(0.0).Within(Tolerances.PaperLoss), $"h={h}");
            Assert.That(result.AttainedAtBoundary, Is.False);
        }
    }

    // Larger data: the branch and bound against every unordered region's closure without pruning.
    [TestCase("random:9,2,3", 2, true)]
    [TestCase("random:10,1,4", 2, true)]
    [TestCase("random:8,3,5", 1, false)]
    [TestCase("random:8,3,6", 2, false)]
    [TestCase("random:7,2,7", 3, true)]
    public void BranchAndBoundEqualsEveryRegionWithoutPruning(string dataset, int hidden, bool bias)
    {
        Dataset data = DatasetCatalog.Load(dataset);
        ArrangementCells cells = ArrangementCells.Enumerate(data, bias);
        GlobalSearchResult result = GlobalSearch.Run(cells, hidden);
        var closures = new ClosedRegions(new CellRays(cells), hidden);
        var workspace = new ClosedRegions.Workspace();
        NonemptyRegions layout = NonemptyRegions.Layout(cells, hidden, unordered: true);
        double every = double.PositiveInfinity;
        for (long row = 0; row < layout.Rows; row++) every = Math.Min(every, GlobalSearch.Closure(closures, layout.Tuple(row), workspace).Loss);
        Assert.That(result.GlobalMinimum, Is.EqualTo(every).Within(result.Tolerance));
        Assert.That(result.RegionsSolved, Is.LessThan(layout.Rows), "the bound pruned nothing");
    }

    // Every nonempty region's closure, min over signs, against the interior-point reference on the same pattern.
    [TestCase("random:7,2,11", 2, true)]
    [TestCase("random:7,1,12", 2, false)]
    [TestCase("random:6,3,13", 1, true)]
    [TestCase("duplicate", 2, true)]
    [TestCase("origin", 2, false)]
    [TestCase("collinear", 2, false)]
    public void ClosedRegionMinimaAgreeWithTheInteriorPointReference(string dataset, int hidden, bool bias)
    {
        Dataset data = DegenerateData.Load(dataset);
        ArrangementCells cells = ArrangementCells.Enumerate(data, bias);
        var closures = new ClosedRegions(new CellRays(cells), hidden);
        var workspace = new ClosedRegions.Workspace();
        NonemptyRegions layout = NonemptyRegions.Layout(cells, hidden, unordered: false);
        double tolerance = LossLevels.Tolerance(cells.Normalized.DeadRegionLoss);
        for (long row = 0; row < layout.Rows; row++)
        {
            int[] tuple = layout.Tuple(row);
            double engine = GlobalSearch.Closure(closures, tuple, workspace).Loss;
            ulong[][] columns = [.. tuple.Select(c => cells.Columns[c])];
            ReferenceClosure.Result best = new(double.PositiveInfinity, 0.0);
            for (int choice = 0; choice < 1 << hidden; choice++)
            {
                int[] signs = [.. Enumerable.Range(0, hidden).Select(j => ((choice >> j) & 1) == 1 ? -1 : 1)];
                ReferenceClosure.Result r = ReferenceClosure.Solve(data, hidden, bias, (i, j) => ColumnFeasibility.Active(columns[j], i), signs);
                if (r.Value < best.Value) best = r;
            }
            Assert.That(engine, Is.EqualTo(best.Value).Within(tolerance + best.Accuracy), $"row {row}, cells {string.Join(",", tuple)}");
        }
    }

    // Minima on a boundary are common: found by running many datasets, not picked by hand. Each one is checked against
    // the brute-force reference where that is small enough, and its witness must sit on some hinge.
    [Test]
    public void MinimaOnRegionBoundariesAreFoundAndCertified()
    {
        int boundary = 0, runs = 0;
        for (int seed = 1; seed <= 40; seed++)
        {
            int n = 1 + seed % 3;
            bool bias = seed % 2 == 0;
            int hidden = 1 + seed % 2;
            Dataset data = DatasetCatalog.Load($"random:{6 + seed % 3},{n},{seed}");
            GlobalSearchResult result = Search(data, hidden, bias);
            runs++;
            Assert.That(result.Certified, Is.True, data.Name);
            AssertWitness(data, hidden, bias, result);
            if (!result.AttainedAtBoundary) continue;
            boundary++;
            Assert.That(result.Witness.Boundary, Is.Not.Empty, $"{data.Name}: a boundary minimum whose witness is on no hinge");
            if (result.LowestRealizable is { } low) Assert.That(low, Is.GreaterThan(result.GlobalMinimum + result.Tolerance));
        }
        TestContext.Out.WriteLine($"{boundary} of {runs} global minima lie on a region boundary");
        Assert.That(boundary, Is.GreaterThan(0), "no dataset had its global minimum on a boundary");
    }

    // Gradient descent on the real network never ends below the certified value. From many random starts it reaches it
    // where the minimum's region is easy to fall into; started next to the witness it converges back to the value, so the
    // witness is a local minimum of the real loss, on a boundary or not.
    [TestCase("random:8,2,4", 2, true, false)]
    [TestCase("random:6,1,3", 2, true, true)]
    [TestCase("random:8,3,2", 1, false, true)]
    [TestCase("paper-fig3", 1, false, true)]
    public void GradientDescentNeverEndsBelowTheCertifiedMinimum(string dataset, int hidden, bool bias, bool reachedFromRandomStarts)
    {
        Dataset data = DatasetCatalog.Load(dataset);
        GlobalSearchResult result = Search(data, hidden, bias);
        double reach = Tolerances.DescentReach * (1.0 + result.GlobalMinimum);
        var random = new Random(7);
        double best = double.PositiveInfinity;
        for (int start = 0; start < 300; start++)
        {
            double loss = RealNetworkDescent.Run(data, hidden, bias, RealNetworkDescent.RandomStart(data, hidden, bias, random), 4000);
            Assert.That(loss, Is.GreaterThanOrEqualTo(result.GlobalMinimum - result.Tolerance), $"start {start}");
            best = Math.Min(best, loss);
        }
        TestContext.Out.WriteLine($"{dataset}: certified {result.GlobalMinimum:R}, best descent {best:R}, boundary {result.AttainedAtBoundary}");
        if (reachedFromRandomStarts) Assert.That(best, Is.EqualTo(result.GlobalMinimum).Within(reach));
        double[] witness = Theta(result.Witness, bias);
        double nearest = double.PositiveInfinity;
        for (int start = 0; start < 20; start++)
        {
            // Descent onto a hinge zig-zags across it and may stall on the kink, so the best of the starts must reach it.
            double[] near = [.. witness.Select(v => v + 1e-3 * (random.NextDouble() - 0.5) * (1.0 + Math.Abs(v)))];
            double loss = RealNetworkDescent.Run(data, hidden, bias, near, 40000);
            Assert.That(loss, Is.GreaterThanOrEqualTo(result.GlobalMinimum - result.Tolerance), $"near start {start}");
            nearest = Math.Min(nearest, loss);
        }
        Assert.That(nearest, Is.EqualTo(result.GlobalMinimum).Within(reach));
    }

    private static double[] Theta(ClosedNetwork w, bool bias)
    {
        int h = w.V.Length;
        return [.. w.W.SelectMany(row => row), .. w.V, .. bias ? [.. w.B, w.C] : Array.Empty<double>()];
    }

    // Dividing targets or a column by a power of two is exact: the value scales exactly and nothing else changes.
    [TestCase("random:8,2,9", 2, true)]
    [TestCase("random:7,3,10", 1, false)]
    public void PowerOfTwoRescalingChangesOnlyUnits(string dataset, int hidden, bool bias)
    {
        Dataset data = DatasetCatalog.Load(dataset);
        GlobalSearchResult plain = Search(data, hidden, bias);
        double[] x = data.X.ToArray(), y = data.Y.ToArray();
        double[] scaledY = [.. y.Select(v => v * 1024.0)];
        double[] scaledX = [.. x.Select((v, k) => k % data.Inputs == 0 ? v / 64.0 : v)];
        GlobalSearchResult targets = Search(new Dataset("targets", data.Inputs, x, scaledY), hidden, bias);
        GlobalSearchResult column = Search(new Dataset("column", data.Inputs, scaledX, y), hidden, bias);
        Assert.That(targets.GlobalMinimum, Is.EqualTo(plain.GlobalMinimum * 1024.0 * 1024.0));
        Assert.That(column.GlobalMinimum, Is.EqualTo(plain.GlobalMinimum));
        foreach (GlobalSearchResult other in new[] { targets, column })
        {
            Assert.That(other.AttainedAtBoundary, Is.EqualTo(plain.AttainedAtBoundary));
            Assert.That(other.Region.Cells, Is.EqualTo(plain.Region.Cells));
            Assert.That(other.Region.Signs, Is.EqualTo(plain.Region.Signs));
            Assert.That(other.RegionsSolved, Is.EqualTo(plain.RegionsSolved));
        }
    }

    // Targets scaled by 1e±6 (not powers of two): the same minimum in the new units, to the certified accuracy.
    [TestCase(1e6)]
    [TestCase(1e-6)]
    public void TargetsScaledByAMillionGiveTheSameMinimumInTheirUnits(double factor)
    {
        Dataset data = DatasetCatalog.Load("random:8,2,14");
        GlobalSearchResult plain = Search(data, 2, true);
        GlobalSearchResult scaled = Search(new Dataset("scaled", 2, data.X.ToArray(), [.. data.Y.ToArray().Select(v => v * factor)]), 2, true);
        Assert.That(scaled.GlobalMinimum, Is.EqualTo(plain.GlobalMinimum * factor * factor).Within(scaled.Tolerance + plain.Tolerance * factor * factor));
        Assert.That(scaled.AttainedAtBoundary, Is.EqualTo(plain.AttainedAtBoundary));
    }

    // The cells' rays against exact vertex enumeration written here: every (d − 1)-subset of the points' hyperplanes,
    // its null vector in exact integers, kept when the cell's signs hold on every point.
    [TestCase("random:9,2,1", true)]
    [TestCase("random:8,3,2", false)]
    [TestCase("random:7,3,3", true)]
    [TestCase("duplicated", true)]
    [TestCase("origin", false)]
    [TestCase("paper-fig3", false)]
    public void CellRaysAreExactlyTheVerticesOfEachCell(string dataset, bool bias)
    {
        Dataset data = dataset == "duplicated" ? Duplicated : DegenerateData.Load(dataset);
        ArrangementCells cells = ArrangementCells.Enumerate(data, bias);
        var rays = new CellRays(cells);
        int d = cells.Dimension;
        Assume.That(rays.Rank, Is.EqualTo(d), "the reference enumerates pointed cells only");
        BigInteger[][] points = [.. Enumerable.Range(0, data.Count).Select(i => Integers(cells.Normalized.Data, bias, i))];
        for (int cell = 0; cell < cells.Count; cell++)
        {
            ulong[] column = cells.Columns[cell];
            var expected = new List<double[]>();
            foreach (int[] subset in Subsets(data.Count, d - 1))
            {
                BigInteger[] e = Cross([.. subset.Select(i => points[i])], d);
                if (e.All(v => v.IsZero)) continue;
                foreach (int sign in new[] { 1, -1 })
                {
                    bool inside = Enumerable.Range(0, data.Count).All(i => (Dot(points[i], e) * sign).Sign * (ColumnFeasibility.Active(column, i) ? 1 : -1) >= 0);
                    if (!inside) continue;
                    double[] unit = Unit(e, sign);
                    if (!expected.Any(r => Same(r, unit))) expected.Add(unit);
                }
            }
            CellGenerators found = rays.Of(cell);
            Assert.That(found.Count, Is.EqualTo(expected.Count), $"cell {cell}");
            for (int r = 0; r < found.Count; r++)
            {
                double[] ray = found.Rays.AsSpan(r * d, d).ToArray();
                Assert.That(expected.Any(e => Same(e, ray)), Is.True, $"cell {cell}: ray {string.Join(", ", ray)} is not a vertex");
            }
        }
    }

    // The exact fallback and the double-precision solver agree wherever the latter certifies.
    [TestCase("random:8,2,21", 2, true)]
    [TestCase("random:7,3,22", 2, false)]
    public void ExactFallbackAgreesWithTheCertifiedDoublePath(string dataset, int hidden, bool bias)
    {
        Dataset data = DatasetCatalog.Load(dataset);
        ArrangementCells cells = ArrangementCells.Enumerate(data, bias);
        var rays = new CellRays(cells);
        NonemptyRegions layout = NonemptyRegions.Layout(cells, hidden, unordered: true);
        var solver = new ConeLeastSquares();
        var random = new Random(5);
        int compared = 0;
        for (int trial = 0; trial < 60; trial++)
        {
            int[] tuple = layout.Tuple(random.NextInt64(layout.Rows));
            int[] signs = [.. Enumerable.Range(0, hidden).Select(_ => random.Next(2) == 0 ? 1 : -1)];
            var exact = new List<Engine.Core.Exact.Rational[]>();
            var flat = new List<double>();
            int n = data.Count;
            if (bias)
            {
                exact.Add([.. Enumerable.Repeat(Engine.Core.Exact.Rational.One, n)]);
                flat.AddRange(Enumerable.Repeat(1.0, n));
            }
            for (int j = 0; j < hidden; j++)
            {
                Engine.Core.Exact.Rational[] values = rays.ExactValues(tuple[j]);
                for (int r = 0; r < values.Length / n; r++)
                {
                    exact.Add([.. values.Skip(r * n).Take(n).Select(v => signs[j] > 0 ? v : -v)]);
                    flat.AddRange(exact[^1].Select(v => v.ToDouble()));
                }
            }
            double[] y = cells.Normalized.Data.Y.ToArray();
            var solved = ExactConeLeastSquares.Solve(exact, bias ? 1 : 0, [.. y.Select(Engine.Core.Exact.Rational.From)]);
            Assert.That(solved, Is.Not.Null);
            double[] x = new double[exact.Count];
            if (!solver.Solve(flat.ToArray(), n, exact.Count, bias ? 1 : 0, y, x, out double value)) continue;
            compared++;
            Assert.That(value, Is.EqualTo(solved!.Value.Value.ToDouble()).Within(ConeLeastSquares.GapTolerance * 0.5 * y.Sum(v => v * v) * 2));
        }
        Assert.That(compared, Is.GreaterThan(40));
    }

    // random:7,2,1 with its fourth point a copy of its first: two points on one hyperplane.
    private static Dataset Duplicated
    {
        get
        {
            Dataset source = DatasetCatalog.Load("random:7,2,1");
            double[] x = source.X.ToArray();
            x[6] = x[0];
            x[7] = x[1];
            return new Dataset("duplicated", 2, x, source.Y.ToArray());
        }
    }

    private static GlobalSearchResult Search(Dataset data, int hidden, bool bias) => GlobalSearch.Run(ArrangementCells.Enumerate(data, bias), hidden);

    // The witness is a network of the data's shape whose loss, evaluated here, is the value.
    private static void AssertWitness(Dataset data, int hidden, bool bias, GlobalSearchResult result)
    {
        ClosedNetwork w = result.Witness;
        Assert.That(w.V, Has.Length.EqualTo(hidden));
        double loss = 0.0;
        for (int i = 0; i < data.Count; i++)
        {
            double f = bias ? w.C : 0.0;
            for (int j = 0; j < hidden; j++)
            {
                double u = bias ? w.B[j] : 0.0;
                for (int k = 0; k < data.Inputs; k++) u += w.W[j][k] * data.X[i * data.Inputs + k];
                f += w.V[j] * Math.Max(u, 0.0);
            }
            loss += (f - data.Y[i]) * (f - data.Y[i]);
        }
        Assert.That(0.5 * loss, Is.EqualTo(result.GlobalMinimum).Within(2 * result.Tolerance));
    }

    private static BigInteger[] Integers(Dataset normalized, bool bias, int i)
    {
        double[] x = [.. normalized.Point(i).ToArray(), .. bias ? new[] { 1.0 } : []];
        Rational[] r = [.. x.Select(Rational.From)];
        BigInteger den = r.Aggregate(BigInteger.One, (a, v) => BigInteger.Max(a, v.Denominator));
        return [.. r.Select(v => v.Numerator * (den / v.Denominator))];
    }

    // The generalized cross product of d − 1 rows: e_k = (−1)^k det(rows without column k), by Laplace expansion.
    private static BigInteger[] Cross(BigInteger[][] rows, int d) =>
        [.. Enumerable.Range(0, d).Select(k => (k % 2 == 0 ? 1 : -1) * Determinant([.. rows.Select(r => r.Where((_, c) => c != k).ToArray())]))];

    private static BigInteger Determinant(BigInteger[][] a)
    {
        if (a.Length == 0) return BigInteger.One;
        BigInteger det = BigInteger.Zero;
        for (int c = 0; c < a.Length; c++)
        {
            BigInteger[][] minor = [.. a.Skip(1).Select(r => r.Where((_, k) => k != c).ToArray())];
            det += (c % 2 == 0 ? 1 : -1) * a[0][c] * Determinant(minor);
        }
        return det;
    }

    private static BigInteger Dot(BigInteger[] a, BigInteger[] b) => a.Zip(b, (p, q) => p * q).Aggregate(BigInteger.Zero, (s, t) => s + t);

    private static double[] Unit(BigInteger[] e, int sign)
    {
        BigInteger largest = e.Select(BigInteger.Abs).Max();
        return [.. e.Select(v => sign * (double)v / (double)largest)];
    }

    private static bool Same(double[] a, double[] b) => a.Zip(b).All(p => Math.Abs(p.First - p.Second) <= 1e-12);

    private static IEnumerable<int[]> Subsets(int n, int k)
    {
        if (k == 0)
        {
            yield return [];
            yield break;
        }
        for (int first = 0; first < n; first++)
        {
            foreach (int[] rest in Subsets(n - first - 1, k - 1)) yield return [first, .. rest.Select(r => r + first + 1)];
        }
    }
}

/// <summary>
/// Gradient descent with backtracking on the real network's loss ½Σ(f(x_i) − y_i)² (Eq. 1 and 3, written out here), from
/// a random start: the subgradient with a_ij = 1 where w_jᵀx_i + b_j > 0, as a training run uses.
/// </summary>
public static class RealNetworkDescent
{
    /// <summary>θ = [vec(W), v, b, c] with entries uniform in [−2, 2].</summary>
    public static double[] RandomStart(Dataset data, int hidden, bool bias, Random random) =>
        [.. Enumerable.Range(0, hidden * data.Inputs + hidden + (bias ? hidden + 1 : 0)).Select(_ => random.NextDouble() * 4 - 2)];

    /// <summary>The loss after descending from <paramref name="start"/> (not changed) for at most <paramref name="iterations"/> steps.</summary>
    public static double Run(Dataset data, int hidden, bool bias, double[] start, int iterations)
    {
        int m = start.Length;
        double[] theta = (double[])start.Clone();
        double[] grad = new double[m];
        double step = 1.0;
        double loss = Loss(data, hidden, bias, theta, null);
        for (int t = 0; t < iterations; t++)
        {
            Loss(data, hidden, bias, theta, grad);
            double norm = grad.Sum(g => g * g);
            if (norm < 1e-30) break;
            double[] next = new double[m];
            // Armijo backtracking: halve the step until the loss falls by a tenth of what the gradient promises.
            for (int tries = 0; tries < 60; tries++)
            {
                for (int k = 0; k < m; k++) next[k] = theta[k] - step * grad[k];
                double trial = Loss(data, hidden, bias, next, null);
                if (trial <= loss - 0.1 * step * norm)
                {
                    theta = next;
                    loss = trial;
                    step *= 2.0;
                    break;
                }
                step *= 0.5;
            }
        }
        return loss;
    }

    private static double Loss(Dataset data, int hidden, bool bias, double[] theta, double[]? grad)
    {
        int n = data.Inputs;
        if (grad is not null) Array.Clear(grad);
        double loss = 0.0;
        double[] u = new double[hidden];
        for (int i = 0; i < data.Count; i++)
        {
            double f = bias ? theta[^1] : 0.0;
            for (int j = 0; j < hidden; j++)
            {
                u[j] = bias ? theta[hidden * n + hidden + j] : 0.0;
                for (int k = 0; k < n; k++) u[j] += theta[j * n + k] * data.X[i * n + k];
                if (u[j] > 0.0) f += theta[hidden * n + j] * u[j];
            }
            double r = f - data.Y[i];
            loss += 0.5 * r * r;
            if (grad is null) continue;
            for (int j = 0; j < hidden; j++)
            {
                if (u[j] <= 0.0) continue;
                double v = theta[hidden * n + j];
                for (int k = 0; k < n; k++) grad[j * n + k] += r * v * data.X[i * n + k];
                grad[hidden * n + j] += r * u[j];
                if (bias) grad[hidden * n + hidden + j] += r * v;
            }
            if (bias) grad[^1] += r;
        }
        return loss;
    }
}
