using Engine.Core.Mnist;

namespace Engine.Tests.Mnist;

/// <summary>Seeded tiny pools for exact checks: a few "images" of a few pixels.</summary>
internal static class TinyNetworks
{
    public const int Features = 6;
    public const int K = 3;
    public const int Repeats = 2;
    public const int Batch = 4;

    /// <summary>10 images (8 training, 2 test) of <see cref="Features"/> random pixels with random labels.</summary>
    public static MnistData Pool(int seed = 3)
    {
        var random = new Random(seed);
        byte[] pixels = new byte[10 * Features];
        random.NextBytes(pixels);
        byte[] labels = [.. Enumerable.Range(0, 10).Select(_ => (byte)random.Next(10))];
        return MnistData.FromArrays(pixels, labels, Features, trainCount: 8);
    }
}
