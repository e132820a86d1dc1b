namespace Engine;

/// <summary>
/// One unit of a sweep: one dataset (N, seed) at one width h. Counts of regions are ordered regions (each unordered
/// multiset counts its orderings). "Poor" and "spurious" are measured against the certified global minimum inf L_f,
/// within the level tolerance (1e-9 of the dead region's loss).
/// </summary>
/// <param name="Points">N.</param>
/// <param name="Seed">The dataset's seed.</param>
/// <param name="Hidden">h.</param>
/// <param name="Regions">Regions counted: the nonempty ones, or all 2^(N·h) patterns.</param>
/// <param name="PoorRegions">Of them, those whose subglobal minimum lies above inf L_f.</param>
/// <param name="RealizableMinima">Regions whose minimum is realizable: differentiable local minima of the network.</param>
/// <param name="RealizableLevels">Distinct loss levels among them.</param>
/// <param name="SpuriousMinima">Realizable minima above inf L_f: local minima that are not global.</param>
/// <param name="SpuriousLevels">Distinct levels among them, each relative to the dead region's loss (½Σy², centred with bias).</param>
/// <param name="GlobalMinimum">inf L_f, certified.</param>
/// <param name="AttainedAtBoundary">No realizable minimum reaches inf L_f: it lies only on region boundaries.</param>
/// <param name="LowestRealizable">The lowest realizable minimum; null when none is.</param>
/// <param name="LowestSubglobal">The lowest subglobal minimum over the regions counted.</param>
/// <param name="DeadRegionLoss">½Σy² (centred with bias): the scale the relative levels use.</param>
/// <param name="Undecided">Regions whose realizability is undecided; they count neither as realizable nor as not.</param>
/// <param name="Proven">Whether inf L_f is proven to the tolerance.</param>
/// <param name="Seconds">Wall time of the unit.</param>
public sealed record SweepUnit(int Points, int Seed, int Hidden, long Regions, long PoorRegions, long RealizableMinima, int RealizableLevels,
    long SpuriousMinima, IReadOnlyList<double> SpuriousLevels, double GlobalMinimum, bool AttainedAtBoundary, double? LowestRealizable,
    double LowestSubglobal, double DeadRegionLoss, long Undecided, bool Proven, double Seconds)
{
    /// <summary>Share of the regions whose subglobal minimum lies above inf L_f.</summary>
    public double PoorRegionShare => Regions == 0 ? 0.0 : (double)PoorRegions / Regions;

    /// <summary>The highest spurious level relative to the dead region's loss; null when there is none.</summary>
    public double? HighestSpurious => SpuriousLevels.Count == 0 ? null : SpuriousLevels.Max();
}

/// <summary>A mean or a fraction with its 95 % interval.</summary>
/// <param name="Value">The estimate.</param>
/// <param name="Low">The interval's lower end.</param>
/// <param name="High">The interval's upper end.</param>
public readonly record struct Estimate(double Value, double Low, double High);

/// <summary>
/// The units of one (N, h) of a sweep, summarised: means with Student-t intervals, fractions of datasets with Wilson score
/// intervals (both 95 %).
/// </summary>
/// <param name="Points">N.</param>
/// <param name="Hidden">h.</param>
/// <param name="Datasets">Units summarised: one per seed.</param>
/// <param name="PoorRegionShare">Mean share of regions whose subglobal minimum lies above inf L_f.</param>
/// <param name="WithSpuriousMinima">Fraction of datasets with at least one spurious differentiable local minimum.</param>
/// <param name="AttainedAtBoundary">Fraction of datasets whose global minimum lies only on a region boundary.</param>
/// <param name="SpuriousMinima">Mean number of spurious minima (ordered regions).</param>
public sealed record SweepAggregate(int Points, int Hidden, int Datasets, Estimate PoorRegionShare, Estimate WithSpuriousMinima, Estimate AttainedAtBoundary,
    Estimate SpuriousMinima)
{
    /// <summary>The aggregates of <paramref name="units"/> per (N, h), N then h ascending.</summary>
    public static IReadOnlyList<SweepAggregate> Of(IEnumerable<SweepUnit> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        return [.. units.GroupBy(u => (u.Points, u.Hidden)).OrderBy(g => g.Key.Points).ThenBy(g => g.Key.Hidden).Select(g =>
        {
            SweepUnit[] all = [.. g];
            return new SweepAggregate(g.Key.Points, g.Key.Hidden, all.Length, Mean([.. all.Select(u => u.PoorRegionShare)]),
                Fraction(all.Count(u => u.SpuriousMinima > 0), all.Length), Fraction(all.Count(u => u.AttainedAtBoundary), all.Length),
                Mean([.. all.Select(u => (double)u.SpuriousMinima)]));
        })];
    }

    /// <summary>The mean and its 95 % Student-t interval; a single value has an interval of itself.</summary>
    public static Estimate Mean(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int k = values.Count;
        double mean = values.Average();
        if (k < 2) return new Estimate(mean, mean, mean);
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (k - 1));
        double half = StudentT975(k - 1) * sd / Math.Sqrt(k);
        return new Estimate(mean, mean - half, mean + half);
    }

    /// <summary>A fraction and its 95 % Wilson score interval, which stays inside [0, 1] and is sound near 0 and 1.</summary>
    public static Estimate Fraction(int successes, int trials)
    {
        if (trials == 0) return new Estimate(0.0, 0.0, 1.0);
        const double z = 1.959963984540054;
        double p = (double)successes / trials;
        double denominator = 1.0 + z * z / trials;
        double centre = (p + z * z / (2.0 * trials)) / denominator;
        double half = z * Math.Sqrt(p * (1.0 - p) / trials + z * z / (4.0 * trials * trials)) / denominator;
        return new Estimate(p, Math.Max(0.0, centre - half), Math.Min(1.0, centre + half));
    }

    // The 97.5 % quantile of Student's t with ν degrees of freedom: exact table values up to 30, then the Cornish–Fisher
    // expansion about the normal quantile, which is within 1e-4 there.
    private static double StudentT975(int nu)
    {
        double[] table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
            2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042];
        if (nu <= table.Length) return table[nu - 1];
        const double z = 1.959963984540054;
        double z3 = z * z * z, z5 = z3 * z * z;
        return z + (z3 + z) / (4.0 * nu) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * nu * nu);
    }
}

/// <summary>A sweep's outcome: every unit and the aggregates, or, for a part of a run directory, what is still missing.</summary>
/// <param name="Request">What was asked.</param>
/// <param name="Units">Every unit in order; empty while parts are missing.</param>
/// <param name="Aggregates">Per (N, h); empty while parts are missing.</param>
/// <param name="Missing">Units not finished (interrupted, or other parts').</param>
/// <param name="Seconds">Wall time of this call.</param>
public sealed record SweepOutcome(SweepRequest Request, IReadOnlyList<SweepUnit> Units, IReadOnlyList<SweepAggregate> Aggregates, IReadOnlyList<long> Missing, double Seconds)
{
    /// <summary>Whether every unit is in.</summary>
    public bool Complete => Missing.Count == 0;
}
