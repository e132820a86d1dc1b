using Engine.Core.Data;
using Engine.Core.Geometry;
using Engine.Core.Regions;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Nonempty regions (Figure 1): arrangement cells, closed-form counts, and nonempty against exhaustive enumeration.</summary>
[Category("unit")]
public sealed class GeometryTests
{
    private static RegionEnumeration Exhaustive(Dataset data, int hidden, bool bias)
    {
        using ComputeDevice device = ComputeDevice.Open(Backend.Cpu);
        return new RegionEngine(device).Enumerate(new RegionRequest
        {
            Data = data, Hidden = hidden, Bias = bias, KeepRegions = true, Realizability = true, Path = RegionPath.Host, Bins = 9,
        });
    }

    private static NonemptyRegions Nonempty(Dataset data, int hidden, bool bias, bool unordered) =>
        RegionEngine.EnumerateNonempty(new RegionRequest
        {
            Data = data, Hidden = hidden, Bias = bias, KeepRegions = true, Realizability = true, Unordered = unordered, Bins = 9,
        });

    [Test]
    public void Figure1HasSixNonemptyRegionsOfEight()
    {
        Dataset data = DatasetCatalog.Load("paper-fig1");
        ArrangementCells cells = RegionEngine.Cells(data, bias: false);
        Assert.That(cells.Count, Is.EqualTo(6));
        RegionEnumeration all = Exhaustive(data, 1, false);
        Assert.That(all.Feasible!.Count(f => f), Is.EqualTo(6));
        // The two empty regions: only x1 and x2 active (no w has w·x3 < 0 < w·x1, w·x2) and only x3.
        Assert.That(Enumerable.Range(0, 8).Where(i => !all.Feasible![i]), Is.EquivalentTo(new[] { 3, 4 }));
        // The same answer column by column from the margin program alone, without the incremental construction.
        Assert.That(Enumerable.Range(0, 8).Where(c => !ColumnFeasibility.Feasible(data, false, [(ulong)c])), Is.EquivalentTo(new[] { 3, 4 }));
    }

    // Rows are numbered lexicographically: every tuple of cell indices (non-decreasing ones for multisets) in order,
    // listed here by counting in base C, against which Tuple's bisection must find each row.
    [TestCase(1, false)]
    [TestCase(2, false)]
    [TestCase(3, false)]
    [TestCase(1, true)]
    [TestCase(2, true)]
    [TestCase(3, true)]
    [TestCase(4, true)]
    public void RowsUnrankToTheirTuplesInLexicographicOrder(int hidden, bool unordered)
    {
        ArrangementCells cells = RegionEngine.Cells(DatasetCatalog.Load("random:5,2,3"), bias: true);
        NonemptyRegions layout = NonemptyRegions.Layout(cells, hidden, unordered);
        int c = cells.Count;
        var expected = new List<int[]>();
        for (long code = 0; code < (long)Math.Pow(c, hidden); code++)
        {
            int[] tuple = new int[hidden];
            long rest = code;
            for (int j = hidden - 1; j >= 0; j--, rest /= c) tuple[j] = (int)(rest % c);
            if (!unordered || tuple.Zip(tuple.Skip(1)).All(p => p.First <= p.Second)) expected.Add(tuple);
        }
        Assert.That(layout.Rows, Is.EqualTo(expected.Count));
        for (int r = 0; r < expected.Count; r++) Assert.That(layout.Tuple(r), Is.EqualTo(expected[r]), $"row {r}");
    }

    [TestCase("random:8,2,1", 1, false)]
    [TestCase("random:7,2,2", 2, false)]
    [TestCase("random:6,2,3", 2, true)]
    [TestCase("random:5,1,4", 3, true)]
    [TestCase("random:5,3,5", 2, true)]
    [TestCase("paper-fig3", 3, false)]
    public void NonemptyEnumerationEqualsExhaustiveFilteredByFeasibility(string dataset, int hidden, bool bias)
    {
        Dataset data = DatasetCatalog.Load(dataset);
        RegionEnumeration all = Exhaustive(data, hidden, bias);
        long[] feasible = Enumerable.Range(0, all.Losses!.Length).Where(i => all.Feasible![i]).Select(i => (long)i).ToArray();

        NonemptyRegions ordered = Nonempty(data, hidden, bias, unordered: false);
        Assert.That(ordered.Indices!.Order(), Is.EqualTo(feasible));
        for (long r = 0; r < ordered.Rows; r++)
        {
            long index = ordered.Indices![r];
            Assert.That(ordered.Losses![r], Is.EqualTo(all.Losses[index]).Within(Tolerances.PathLoss), $"region {index}");
            Assert.That(ordered.Realizable![r], Is.EqualTo(all.Realizable![index]), $"region {index}");
        }
        Assert.That(ordered.RealizableSummary!.Bins, Is.EqualTo(all.RealizableSummary!.Bins));
        var filtered = new LossSummary(9, all.DeadRegionLoss);
        foreach (long i in feasible) filtered.Add(i, new RegionLoss(all.Losses[i], all.Ranks![i]), all.Shape.Parameters);
        Assert.That(ordered.Summary.Bins, Is.EqualTo(filtered.Bins));
        Assert.That(ordered.Summary.Singular, Is.EqualTo(filtered.Singular));

        NonemptyRegions unordered = Nonempty(data, hidden, bias, unordered: true);
        Assert.That(unordered.Multiplicities!.Sum(), Is.EqualTo(feasible.Length));
        Assert.That(unordered.Summary.Count, Is.EqualTo(feasible.Length));
        Assert.That(unordered.Summary.Bins, Is.EqualTo(filtered.Bins));
        Assert.That(unordered.Summary.Min, Is.EqualTo(filtered.Min).Within(Tolerances.PathLoss));
        Assert.That(unordered.Summary.Mean, Is.EqualTo(filtered.Mean).Within(Tolerances.PathLoss));
        Assert.That(unordered.RealizableSummary!.Bins, Is.EqualTo(all.RealizableSummary.Bins));
        for (long r = 0; r < unordered.Rows; r++)
        {
            long index = unordered.Indices![r];
            Assert.That(all.Feasible![index], Is.True);
            Assert.That(unordered.Losses![r], Is.EqualTo(all.Losses[index]).Within(Tolerances.PathLoss));
        }
    }

    [TestCase(30, 2, false)]
    [TestCase(30, 2, true)]
    [TestCase(12, 3, true)]
    [TestCase(40, 1, true)]
    public void GaussianPointsGiveTheGeneralPositionCount(int points, int inputs, bool bias)
    {
        Dataset data = DatasetCatalog.Load($"random:{points},{inputs},11");
        ArrangementCells cells = RegionEngine.Cells(data, bias);
        Assert.That(cells.Count, Is.EqualTo(ArrangementCells.GeneralPositionCount(points, inputs + (bias ? 1 : 0))));
        // Every cell is a distinct column, and its witness realizes it strictly.
        Assert.That(cells.Columns.Select(c => string.Join(',', c)).Distinct().Count(), Is.EqualTo(cells.Count));
        for (int c = 0; c < cells.Count; c++)
        {
            for (int i = 0; i < points; i++)
            {
                double u = 0;
                for (int k = 0; k < inputs; k++) u += cells.Witnesses[c][k] * data.Point(i)[k];
                if (bias) u += cells.Witnesses[c][inputs];
                Assert.That(u > 0, Is.EqualTo(ColumnFeasibility.Active(cells.Columns[c], i)));
                Assert.That(u, Is.Not.EqualTo(0.0));
            }
        }
    }

    [TestCase(9, 2, false, 3)]
    [TestCase(40, 2, false, 4)]
    [TestCase(12, 2, true, 5)]
    [TestCase(10, 3, true, 6)]
    public void FacetsImplyEveryRowOfTheirCell(int points, int inputs, bool bias, int seed)
    {
        Dataset data = DatasetCatalog.Load($"random:{points},{inputs},{seed}");
        ArrangementCells cells = RegionEngine.Cells(data, bias);
        int d = inputs + (bias ? 1 : 0);
        var rng = new Random(seed);
        for (int c = 0; c < cells.Count; c++)
        {
            int[] facets = cells.Facets(c);
            // Without bias, points in general position in the plane bound every cell (a wedge) by exactly two rays.
            if (d == 2) Assert.That(facets, Has.Length.EqualTo(2), $"cell {c}");
            // Every direction on the positive side of the facets is on the positive side of every point: sampled around
            // the cell's own witness at distances from 1e-4 to 1 of its size, so that samples land inside even thin cells.
            double[] w = cells.Witnesses[c];
            double scale = w.Max(Math.Abs);
            int inside = 0;
            for (int sample = 0; sample < 400; sample++)
            {
                double radius = scale * Math.Pow(10.0, -4.0 * rng.NextDouble());
                double[] u = w.Select(e => e + radius * (rng.NextDouble() - 0.5)).ToArray();
                if (!facets.All(i => Side(data, bias, u, i) == (ColumnFeasibility.Active(cells.Columns[c], i) ? 1 : -1))) continue;
                inside++;
                for (int i = 0; i < points; i++)
                    Assert.That(Side(data, bias, u, i), Is.EqualTo(ColumnFeasibility.Active(cells.Columns[c], i) ? 1 : -1), $"cell {c}, point {i}");
            }
            Assert.That(inside, Is.Positive, $"cell {c}: no sample inside");
        }
    }

    // Facets by their definition, as the reference for the lookup across hyperplanes: a split point is kept when the
    // other kept splits do not imply its row, max −s_i x̃_iᵀw/‖x̃_i‖∞ over their cone in the unit box above the margin
    // tolerance, one program per split. Duplicated and (without bias) opposite points share a hyperplane.
    [TestCase(30, 2, true, 1, false)]
    [TestCase(40, 2, false, 4, false)]
    [TestCase(10, 3, true, 6, false)]
    [TestCase(14, 1, true, 5, false)]
    [TestCase(12, 2, true, 8, true)]
    [TestCase(12, 2, false, 9, true)]
    public void FacetsAreTheSplitsThatTheOtherSplitsDoNotImply(int points, int inputs, bool bias, int seed, bool shared)
    {
        ArrangementCells cells = RegionEngine.Cells(FacetData(points, inputs, seed, shared), bias);
        int total = 0;
        for (int c = 0; c < cells.Count; c++)
        {
            int[] expected = ProgramFacets(cells.Normalized, cells.Columns[c], cells.Splits[c]);
            Assert.That(cells.Facets(c), Is.EquivalentTo(expected), $"cell {c}");
            total += expected.Length;
        }
        Assert.That(total, Is.GreaterThan(cells.Count), "some cell has several facets");
    }

    // Realizability decides a sign choice on the facet rows alone (Candidate.Inside): the minimizers p = p₀ + N c/τ of a
    // region meet a node's cell with the same largest margin whether every point's row or only its facets' rows bound
    // it, on rows of unit ∞-norm. Here p₀ and N are random (one or two free directions), and
    // both programs, max t with σ s_i x̃_iᵀ(τ p₀ + N c) ≥ t, t ≤ τ, |c_k| ≤ 1, 0 ≤ τ ≤ 1, are solved by GLOP.
    [TestCase(30, 2, true, 1, false)]
    [TestCase(10, 3, true, 6, false)]
    [TestCase(12, 2, true, 8, true)]
    [TestCase(12, 2, false, 9, true)]
    public void MarginOnTheFacetRowsIsTheMarginOnEveryRow(int points, int inputs, bool bias, int seed, bool shared)
    {
        ArrangementCells cells = RegionEngine.Cells(FacetData(points, inputs, seed, shared), bias);
        NormalizedData normalized = cells.Normalized;
        int d = inputs + (bias ? 1 : 0);
        var rng = new Random(seed);
        int positive = 0, other = 0;
        for (int c = 0; c < cells.Count; c++)
        {
            int free = 1 + c % 2;
            double[] origin = [.. Enumerable.Range(0, d).Select(_ => rng.NextDouble() - 0.5)];
            double[,] directions = new double[d, free];
            for (int k = 0; k < d; k++)
            {
                for (int f = 0; f < free; f++) directions[k, f] = rng.NextDouble() - 0.5;
            }
            int[] all = [.. Enumerable.Range(0, normalized.Data.Count)];
            double everyRow = Margin(normalized, cells.Columns[c], all, origin, directions);
            double facetRows = Margin(normalized, cells.Columns[c], cells.Facets(c), origin, directions);
            Assert.That(facetRows, Is.EqualTo(everyRow).Within(1e-9), $"cell {c}");
            if (everyRow > ColumnFeasibility.MarginTolerance) positive++;
            else other++;
        }
        Assert.That(positive, Is.Positive, "some cell meets its minimizers");
        Assert.That(other, Is.Positive, "some cell does not");
    }

    private static double Margin(NormalizedData normalized, ulong[] column, int[] points, double[] origin, double[,] directions)
    {
        bool bias = normalized.Bias;
        int d = origin.Length;
        int free = directions.GetLength(1);
        // Variables (c_1..c_free, τ, t).
        double[] lower = [.. Enumerable.Repeat(-1.0, free), 0.0, -(free + 2.0)];
        double[] upper = [.. Enumerable.Repeat(1.0, free + 2)];
        var program = new LinearProgram(lower, upper);
        foreach (int i in points)
        {
            double[] x = new double[d];
            if (ColumnFeasibility.Augmented(normalized.Data, bias, i, x) == 0.0) continue;
            double s = ColumnFeasibility.Active(column, i) ? 1.0 : -1.0;
            double[] row = new double[free + 2];
            for (int f = 0; f < free; f++) row[f] = s * Enumerable.Range(0, d).Sum(k => directions[k, f] * x[k]);
            row[free] = s * Enumerable.Range(0, d).Sum(k => origin[k] * x[k]);
            double size = row.Take(free + 1).Max(Math.Abs);
            // −row·(c, τ)/‖row‖∞ + t ≤ 0.
            program.AddLessOrEqual([.. row.Take(free + 1).Select(e => -e / size), 1.0], 0.0);
        }
        program.AddLessOrEqual([.. new double[free], -1.0, 1.0], 0.0);
        LinearProgramResult result = program.MaximizeTrusted([.. new double[free + 1], 1.0]);
        Assert.That(result.Status, Is.EqualTo(LinearProgramStatus.Optimal));
        return result.Objective;
    }

    // Random data; shared: with point 0 twice, point 1 at twice its distance (the same ray), and point 2 mirrored through
    // the origin, so that some hyperplanes are shared.
    private static Dataset FacetData(int points, int inputs, int seed, bool shared)
    {
        Dataset data = DatasetCatalog.Load($"random:{points},{inputs},{seed}");
        if (!shared) return data;
        double[] x = [.. data.X, .. data.Point(0), .. data.Point(1).ToArray().Select(e => 2.0 * e), .. data.Point(2).ToArray().Select(e => -e)];
        return new Dataset("shared", inputs, x, [.. data.Y, 0.5, -0.25, 1.5]);
    }

    private static int[] ProgramFacets(NormalizedData normalized, ulong[] column, int[] splits)
    {
        bool bias = normalized.Bias;
        int d = normalized.Data.Inputs + (bias ? 1 : 0);
        var rows = new List<double[]>();
        var kept = new List<int>();
        foreach (int i in splits)
        {
            double[] x = new double[d];
            double norm = ColumnFeasibility.Augmented(normalized.Data, bias, i, x);
            double sign = ColumnFeasibility.Active(column, i) ? -1.0 : 1.0;
            rows.Add([.. x.Select(e => sign * e / norm)]);
            kept.Add(i);
        }
        double[] lower = [.. Enumerable.Repeat(-1.0, d)];
        double[] upper = [.. Enumerable.Repeat(1.0, d)];
        bool[] keep = [.. rows.Select(_ => true)];
        for (int a = 0; a < rows.Count; a++)
        {
            var program = new LinearProgram(lower, upper);
            for (int b = 0; b < rows.Count; b++)
            {
                if (b != a && keep[b]) program.AddLessOrEqual(rows[b], 0.0);
            }
            LinearProgramResult result = program.MaximizeTrusted(rows[a]);
            Assert.That(result.Status, Is.EqualTo(LinearProgramStatus.Optimal));
            keep[a] = result.Objective > ColumnFeasibility.MarginTolerance;
        }
        return [.. kept.Where((_, k) => keep[k])];
    }

    // The sign of wᵀx_i (+ b), written out here.
    private static int Side(Dataset data, bool bias, double[] w, int i)
    {
        double u = bias ? w[data.Inputs] : 0.0;
        for (int k = 0; k < data.Inputs; k++) u += w[k] * data.Point(i)[k];
        return Math.Sign(u);
    }

    [Test]
    public void TwoHundredPointsTwoNodesGiveTheClosedFormCounts()
    {
        NonemptyRegions run = RegionEngine.EnumerateNonempty(new RegionRequest
        {
            Data = DatasetCatalog.Load("random:200,2,1"), Hidden = 2, Unordered = true,
        });
        Assert.That(run.Cells.Count, Is.EqualTo(400));
        Assert.That(ArrangementCells.GeneralPositionCount(200, 2), Is.EqualTo(400));
        Assert.That(run.Regions, Is.EqualTo(160_000));
        Assert.That(run.Rows, Is.EqualTo(400 * 401 / 2));
        Assert.That(run.Summary.Count, Is.EqualTo(160_000));
    }

    [Test]
    public void DuplicatePointsSplitNothing()
    {
        // x3 repeats x1: feasible columns must agree on them, so the cells are those of the first two points.
        Dataset data = DegenerateData.Duplicate;
        var single = new Dataset("single", 2, [1, 0, 0, 1], [1, 2]);
        ArrangementCells cells = RegionEngine.Cells(data, bias: false);
        Assert.That(cells.Count, Is.EqualTo(RegionEngine.Cells(single, bias: false).Count));
        Assert.That(cells.Columns.All(c => ColumnFeasibility.Active(c, 0) == ColumnFeasibility.Active(c, 2)));
        NonemptyRegionsAgree(data, 2, false);
    }

    [Test]
    public void PointAtTheOriginWithoutBiasIsNeverActive()
    {
        Dataset data = DegenerateData.Origin;
        ArrangementCells cells = RegionEngine.Cells(data, bias: false);
        // Two lines through the origin: four cells, and the origin's a_i1 is 0 in all of them.
        Assert.That(cells.Count, Is.EqualTo(4));
        Assert.That(cells.Columns.All(c => !ColumnFeasibility.Active(c, 0)));
        Assert.That(ColumnFeasibility.Feasible(data, false, [0b001UL]), Is.False);
        Assert.That(ColumnFeasibility.Feasible(data, false, [0b110UL]), Is.True);
        NonemptyRegionsAgree(data, 2, false);
        // With bias the origin is an ordinary point.
        Assert.That(RegionEngine.Cells(data, bias: true).Count, Is.EqualTo(ArrangementCells.GeneralPositionCount(3, 3)));
    }

    [Test]
    public void CollinearPointsGiveFewerCells()
    {
        // All on the line through the origin along (1, 2), on both sides: one hyperplane normal, so two cells without bias.
        Dataset data = DegenerateData.Collinear;
        Assert.That(RegionEngine.Cells(data, bias: false).Count, Is.EqualTo(2));
        // With bias they act as the distinct 1-D points t = 1, 2, −1, 3, in general position in ℝ²: 2·(1 + 3) = 8 cells.
        Assert.That(RegionEngine.Cells(data, bias: true).Count, Is.EqualTo(8));
        NonemptyRegionsAgree(data, 2, true);
    }

    private static void NonemptyRegionsAgree(Dataset data, int hidden, bool bias)
    {
        RegionEnumeration all = Exhaustive(data, hidden, bias);
        NonemptyRegions ordered = Nonempty(data, hidden, bias, unordered: false);
        long[] feasible = Enumerable.Range(0, all.Losses!.Length).Where(i => all.Feasible![i]).Select(i => (long)i).ToArray();
        Assert.That(ordered.Indices!.Order(), Is.EqualTo(feasible));
        for (long r = 0; r < ordered.Rows; r++)
            Assert.That(ordered.Losses![r], Is.EqualTo(all.Losses[ordered.Indices![r]]).Within(Tolerances.PathLoss));
    }
}
