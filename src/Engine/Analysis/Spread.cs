namespace Engine;

/// <summary>Mean and sample standard deviation of repeated measurements, as Table 1 reports them (mean ± std).</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Std">The sample standard deviation (n − 1); zero for a single value.</param>
public readonly record struct Spread(double Mean, double Std)
{
    /// <summary>The spread of <paramref name="values"/>, which must not be empty.</summary>
    public static Spread Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        double mean = values.Average();
        double squares = values.Sum(v => (v - mean) * (v - mean));
        return new Spread(mean, values.Count > 1 ? Math.Sqrt(squares / (values.Count - 1)) : 0.0);
    }
}
