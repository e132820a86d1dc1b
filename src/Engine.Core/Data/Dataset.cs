namespace Engine.Core.Data;

/// <summary>
/// A regression dataset D = {(x_i, y_i)}: N points x_i ∈ ℝⁿ and targets y_i ∈ ℝ (paper §2.1).
/// </summary>
public sealed class Dataset
{
    private readonly double[] _x;
    private readonly double[] _y;

    /// <summary>Creates a dataset from row-major inputs (N×n) and targets (N), rejecting non-finite values.</summary>
    public Dataset(string name, int inputs, double[] x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (inputs <= 0)
            throw new EngineInputException($"dataset '{name}': input dimension must be positive, got {inputs}");
        if (y.Length == 0)
            throw new EngineInputException($"dataset '{name}' has no data points");
        if (x.Length != y.Length * inputs)
            throw new EngineInputException($"dataset '{name}': {x.Length} input values do not form {y.Length} rows of {inputs}");
        for (int k = 0; k < x.Length; k++)
        {
            if (!double.IsFinite(x[k]))
                throw new EngineInputException($"dataset '{name}': x[{k / inputs + 1}][{k % inputs + 1}] is {x[k]}; values must be finite");
        }
        for (int i = 0; i < y.Length; i++)
        {
            if (!double.IsFinite(y[i]))
                throw new EngineInputException($"dataset '{name}': y[{i + 1}] is {y[i]}; values must be finite");
        }
        Name = name;
        Inputs = inputs;
        _x = x;
        _y = y;
    }

    /// <summary>The name the dataset was loaded by.</summary>
    public string Name { get; }

    /// <summary>Number of data points N.</summary>
    public int Count => _y.Length;

    /// <summary>Input dimension n.</summary>
    public int Inputs { get; }

    /// <summary>Inputs, row-major N×n.</summary>
    public ReadOnlySpan<double> X => _x;

    /// <summary>Targets, length N.</summary>
    public ReadOnlySpan<double> Y => _y;

    /// <summary>Input x_i as a span of length n.</summary>
    public ReadOnlySpan<double> Point(int i) => _x.AsSpan(i * Inputs, Inputs);

    /// <summary>
    /// SHA-256 of the data (N, n, the inputs and the targets as little-endian doubles), lower-case hex: the same for
    /// equal data however it was loaded, so caches and run directories can recognise it. Computed once.
    /// </summary>
    public string Fingerprint => _fingerprint ??= ComputeFingerprint();

    private string? _fingerprint;

    private string ComputeFingerprint()
    {
        double[] values = [Count, Inputs, .. _x, .. _y];
        byte[] bytes = new byte[values.Length * sizeof(double)];
        for (int k = 0; k < values.Length; k++) System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(k * sizeof(double)), values[k]);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
    }

    /// <summary>Σ y_i², twice the loss of the all-zeros (dead) region.</summary>
    public double SumSquaredTargets
    {
        get
        {
            double s = 0.0;
            foreach (double v in _y) s += v * v;
            return s;
        }
    }
}
