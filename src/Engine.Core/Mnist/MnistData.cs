namespace Engine.Core.Mnist;

/// <summary>
/// MNIST as the trainer sees it: one pool of images, the training set first and the test set after it, so a sample's
/// pool index identifies it uniquely (it keys the fixed activation masks of Eq. 8).
/// </summary>
public sealed class MnistData
{
    private MnistData(byte[] pixels, byte[] labels, int features, int trainCount)
    {
        Features = features;
        Pixels = pixels;
        Labels = labels;
        TrainCount = trainCount;
    }

    /// <summary>Pixels per image: 784 for MNIST, fewer for tiny test pools.</summary>
    public int Features { get; }

    /// <summary>Pixels of every pool image, row-major, <see cref="Features"/> bytes each (0–255; scaled to [0,1] on use).</summary>
    public byte[] Pixels { get; }

    /// <summary>Labels 0–9 of every pool image.</summary>
    public byte[] Labels { get; }

    /// <summary>Number of training images, pool indices [0, TrainCount).</summary>
    public int TrainCount { get; }

    /// <summary>Number of test images, pool indices [TrainCount, TrainCount + TestCount).</summary>
    public int TestCount => Labels.Length - TrainCount;

    /// <summary>
    /// Loads the four files from <paramref name="directory"/>, keeping the first <paramref name="trainLimit"/> training
    /// and <paramref name="testLimit"/> test images when given (a slice for quick runs).
    /// </summary>
    public static MnistData Load(string directory, int? trainLimit = null, int? testLimit = null)
    {
        MnistFiles.RequirePresent(directory);
        (byte[] trainX, byte[] trainY) = Pair(directory, MnistFiles.TrainImages, MnistFiles.TrainLabels, trainLimit);
        (byte[] testX, byte[] testY) = Pair(directory, MnistFiles.TestImages, MnistFiles.TestLabels, testLimit);
        return new MnistData([.. trainX, .. testX], [.. trainY, .. testY], MnistIdx.Pixels, trainY.Length);
    }

    /// <summary>
    /// Wraps in-memory images of <paramref name="features"/> pixels and their labels (tests, synthetic data); the first
    /// <paramref name="trainCount"/> are training images.
    /// </summary>
    public static MnistData FromArrays(byte[] pixels, byte[] labels, int features, int trainCount)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (features <= 0 || pixels.Length != labels.Length * features || trainCount < 0 || trainCount > labels.Length)
            throw new ArgumentException("pixels must hold features bytes per label and trainCount must not exceed the labels");
        return new MnistData(pixels, labels, features, trainCount);
    }

    private static (byte[] Pixels, byte[] Labels) Pair(string directory, string imagesName, string labelsName, int? limit)
    {
        string imagesPath = Path.Combine(directory, imagesName);
        string labelsPath = Path.Combine(directory, labelsName);
        (int count, byte[] pixels) = MnistIdx.ReadImages(imagesPath);
        byte[] labels = MnistIdx.ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new EngineInputException($"{labelsPath}: {labels.Length} labels for {count} images in {imagesName}");
        int keep = Math.Min(count, limit ?? count);
        return (pixels[..(keep * MnistIdx.Pixels)], labels[..keep]);
    }
}
