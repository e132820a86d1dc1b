using System.Globalization;

namespace Engine.Core.Data;

/// <summary>
/// Resolves a dataset by name: the paper's built-in examples, seeded Gaussian data, or a user CSV file.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>Names accepted besides a file path, for help texts.</summary>
    public const string Names = "paper-fig3, paper-fig2, paper-fig1, random:N,n,seed, or a CSV file (header x1..xn,y)";

    /// <summary>Loads <paramref name="name"/>, throwing <see cref="EngineInputException"/> when it is unknown or malformed.</summary>
    public static Dataset Load(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Generated(name) is { } data) return data;
        if (File.Exists(name))
            return CsvDataset.Read(name);
        throw new EngineInputException($"unknown dataset '{name}': expected {Names}");
    }

    /// <summary>
    /// Loads a built-in or generated dataset and never a file: the names a server may take from its clients. Throws
    /// <see cref="EngineInputException"/> for any other name.
    /// </summary>
    public static Dataset LoadGenerated(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Generated(name) ?? throw new EngineInputException($"unknown dataset '{name}': give a built-in name (paper-fig3, paper-fig2, paper-fig1) or random:N,n,seed; files are read only by the CLI");
    }

    private static Dataset? Generated(string name)
    {
        switch (name)
        {
            // Figure 3: x1=[-1,1], y1=1; x2=[2,1], y2=2; x3=[1,3], y3=3.
            case "paper-fig3":
                return new Dataset(name, 2, [-1, 1, 2, 1, 1, 3], [1, 2, 3]);
            // Figure 1 uses the same three inputs; its targets are not given, so Figure 3's are used.
            case "paper-fig1":
                return new Dataset(name, 2, [-1, 1, 2, 1, 1, 3], [1, 2, 3]);
            // Figure 2: x1=-2, y1=-3; x2=+2, y2=-1.
            case "paper-fig2":
                return new Dataset(name, 1, [-2, 2], [-3, -1]);
        }
        return name.StartsWith("random:", StringComparison.Ordinal) ? Random(name) : null;
    }

    private static Dataset Random(string name)
    {
        string[] parts = name["random:".Length..].Split(',');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int inputs)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int seed))
            throw new EngineInputException($"dataset '{name}': expected random:N,n,seed with non-negative integers");
        if (count < 1 || inputs < 1)
            throw new EngineInputException($"dataset '{name}': N and n must be at least 1");
        if ((long)count * (inputs + 1) > 100_000_000)
            throw new EngineInputException($"dataset '{name}': {count}×{inputs} is too large to generate");
        return GaussianData.Create(name, count, inputs, seed);
    }
}
