namespace Engine.Core.Data;

/// <summary>
/// The copy of a dataset that the region math runs on. Every input column is divided by a power of two and so
/// are the targets, which with bias are first centred (c absorbs their mean, so no loss changes). Dividing by a
/// power of two is exact in binary floating point, so nothing is lost. The largest magnitude of each column lands
/// in [0.5, 1): squares and sums cannot overflow, absolute tolerances become relative ones, and every result is
/// the same when a column or the targets of the original data are rescaled.
/// </summary>
public sealed class NormalizedData
{
    /// <summary>
    /// Largest ratio accepted between a column's largest magnitude and any of its nonzero ones. It is measured, not
    /// derived from overflow: on generated columns spanning exactly 10^s (SpanTests: six 1-D and four or five 2-D points
    /// with bias, 4 to 40 seeds per decade), every cell count and every loss agrees with exact arithmetic for s ≤ 6; at
    /// s = 7 the first losses leave the solve's 1e-9·½Σy² contract, and from s = 10 cells go missing (docs/numerics.md).
    /// </summary>
    public const double MaxColumnSpan = 1e6;

    /// <summary>
    /// Smallest nonzero dead-region loss (½Σy², centred with bias) accepted: 1e-9 of it, the level tolerance, stays
    /// 2^53 times above the smallest normal double, so every loss comparison keeps its full precision.
    /// </summary>
    public const double MinDeadRegionLoss = 1e-275;

    private readonly double[] _inputScales;

    private NormalizedData(Dataset source, bool bias, Dataset data, double[] inputScales, double targetScale, double targetOffset)
    {
        Source = source;
        Bias = bias;
        Data = data;
        _inputScales = inputScales;
        TargetScale = targetScale;
        TargetOffset = targetOffset;
        SumSquaredTargets = data.SumSquaredTargets;
    }

    /// <summary>The dataset as given.</summary>
    public Dataset Source { get; }

    /// <summary>Whether the targets were centred for a network with biases.</summary>
    public bool Bias { get; }

    /// <summary>The normalised copy: x_ik / σ_k and (y_i − μ) / s.</summary>
    public Dataset Data { get; }

    /// <summary>σ_k: normalised input k is the original divided by this power of two.</summary>
    public ReadOnlySpan<double> InputScales => _inputScales;

    /// <summary>s: normalised targets are (y − μ) / s, s a power of two.</summary>
    public double TargetScale { get; }

    /// <summary>μ: the targets' mean with bias, 0 without.</summary>
    public double TargetOffset { get; }

    /// <summary>s², exact: a loss of the normalised data times this is the loss of the original.</summary>
    public double LossScale => TargetScale * TargetScale;

    /// <summary>Σ ỹ_i² of the normalised targets.</summary>
    public double SumSquaredTargets { get; }

    /// <summary>
    /// Loss of the all-zeros region in the original units: ½Σy² without bias, ½Σ(y − ȳ)² with it (c fits the mean).
    /// Every region's feature span contains the dead region's, so it bounds every subglobal minimum from above.
    /// </summary>
    public double DeadRegionLoss => 0.5 * SumSquaredTargets * LossScale;

    /// <summary>
    /// Normalises <paramref name="source"/> for a network with or without biases, throwing
    /// <see cref="EngineInputException"/> when its values span more than double precision can hold.
    /// </summary>
    public static NormalizedData Create(Dataset source, bool bias)
    {
        ArgumentNullException.ThrowIfNull(source);
        int n = source.Inputs;
        int count = source.Count;
        double[] scales = new double[n];
        double[] x = new double[count * n];
        for (int k = 0; k < n; k++)
        {
            double largest = 0.0;
            for (int i = 0; i < count; i++) largest = Math.Max(largest, Math.Abs(source.X[i * n + k]));
            scales[k] = PowerOfTwoAbove(largest);
            for (int i = 0; i < count; i++)
            {
                double v = source.X[i * n + k];
                if (v != 0.0 && Math.Abs(v) * MaxColumnSpan < largest)
                    throw new EngineInputException($"dataset '{source.Name}': x[{i + 1}][{k + 1}] = {v:G3} is below 1e-6 times its column's largest value {largest:G3}; beyond that span within a column the engine's answers were measured to disagree with exact arithmetic (docs/numerics.md): set it to 0 or rescale the column's outliers");
                x[i * n + k] = v / scales[k];
            }
        }

        // The mean is taken of pre-scaled targets so that no sum overflows, and centring happens in those units.
        double preScale = PowerOfTwoAbove(MaxAbs(source.Y));
        double mean = 0.0;
        if (bias)
        {
            foreach (double v in source.Y) mean += v / preScale;
            mean /= count;
        }
        double[] centred = new double[count];
        for (int i = 0; i < count; i++) centred[i] = source.Y[i] / preScale - mean;
        double rescale = PowerOfTwoAbove(MaxAbs(centred));
        double[] y = new double[count];
        for (int i = 0; i < count; i++) y[i] = centred[i] / rescale;

        var data = new Dataset(source.Name, n, x, y);
        var normalized = new NormalizedData(source, bias, data, scales, preScale * rescale, mean * preScale);
        // Every loss lies between 0 and the dead region's, so this one check keeps every loss finite.
        if (!double.IsFinite(normalized.DeadRegionLoss))
            throw new EngineInputException($"dataset '{source.Name}': targets up to {MaxAbs(source.Y):G3} give losses beyond the double-precision range (about 1.8E+308); rescale the targets");
        // Losses are reported and compared in the data's units, to LossLevels' 1e-9 of the dead region's loss: below this
        // that tolerance falls among the subnormal numbers, whose lost digits made flags differ from the same data scaled
        // by a power of two. Such targets are refused rather than decided with fewer digits.
        if (normalized.DeadRegionLoss > 0.0 && normalized.DeadRegionLoss < MinDeadRegionLoss)
            throw new EngineInputException($"dataset '{source.Name}': targets as small as {MaxAbs(source.Y):G3} give losses near {normalized.DeadRegionLoss:G3}, where double precision loses digits (below {MinDeadRegionLoss:G0}); rescale the targets");
        return normalized;
    }

    /// <summary>Original input k of a normalised weight: w_k / σ_k, so that wᵀx is unchanged.</summary>
    public double InputWeight(double normalized, int k) => normalized / _inputScales[k];

    private static double MaxAbs(ReadOnlySpan<double> values)
    {
        double largest = 0.0;
        foreach (double v in values) largest = Math.Max(largest, Math.Abs(v));
        return largest;
    }

    // The power of two 2^e with largest / 2^e in [0.5, 1), or 1 for an all-zero column.
    private static double PowerOfTwoAbove(double largest) => largest == 0.0 ? 1.0 : Math.ScaleB(1.0, Math.ILogB(largest) + 1);
}
