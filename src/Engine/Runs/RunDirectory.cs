using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engine.Runs;

/// <summary>
/// A directory that holds one long run: the request it was started with (<c>request.json</c>), its finished units of
/// work (<c>units/NNNNNN.unit</c>, each written atomically), files worth keeping between attempts (such as the
/// arrangement cells), and, when the run is split, how many parts it has. Running the same request again computes only
/// the missing units, so an interruption of any kind costs at most the units in flight; a different request is
/// refused. Several processes (shards, or a shard run twice) may share the directory on a shared filesystem: units
/// are deterministic, so two writers of one unit write the same bytes and the last rename wins harmlessly.
/// </summary>
public sealed class RunDirectory
{
    private const string RequestFile = "request.json";
    private const string PartsFile = "parts";
    private readonly string _units;

    private RunDirectory(string path)
    {
        Path = path;
        _units = System.IO.Path.Combine(path, "units");
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens <paramref name="path"/> for the request <paramref name="request"/>, written in its canonical text: indented
    /// JSON with a final newline, so that equal requests are equal bytes.
    /// </summary>
    public static RunDirectory Open(string path, JsonObject request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Open(path, request.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>
    /// Opens <paramref name="path"/> for the request whose canonical text is <paramref name="request"/>, creating it if
    /// needed. Throws <see cref="EngineInputException"/> (one line) when the directory holds a different request or
    /// cannot be written.
    /// </summary>
    public static RunDirectory Open(string path, string request)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(request);
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full);
            Directory.CreateDirectory(System.IO.Path.Combine(full, "units"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineInputException($"run directory {path}: cannot create it ({e.Message})");
        }
        string file = System.IO.Path.Combine(full, RequestFile);
        if (File.Exists(file))
        {
            string existing = File.ReadAllText(file);
            if (existing != request)
                throw new EngineInputException($"run directory {path} holds a different request ({Difference(existing, request)}); use another directory, or the request it was started with");
        }
        else
        {
            AtomicFile.WriteText(file, request);
        }
        AtomicFile.CheckWritable(System.IO.Path.Combine(full, "units", "probe"), "run directory");
        return new RunDirectory(full);
    }

    /// <summary>
    /// Records that the run is split into <paramref name="count"/> parts, or checks that it already is: parts of one
    /// run must agree on how it is split, or some units would belong to no part.
    /// </summary>
    public void SetParts(int count)
    {
        string file = System.IO.Path.Combine(Path, PartsFile);
        string text = count.ToString(CultureInfo.InvariantCulture);
        if (File.Exists(file))
        {
            string existing = File.ReadAllText(file).Trim();
            if (existing != text)
                throw new EngineInputException($"run directory {Path} is split into {existing} parts, not {count}");
            return;
        }
        AtomicFile.WriteText(file, text);
    }

    /// <summary>How many parts the run was split into, or null when no part was started.</summary>
    public int? Parts
    {
        get
        {
            string file = System.IO.Path.Combine(Path, PartsFile);
            return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int parts) ? parts : null;
        }
    }

    /// <summary>Whether unit <paramref name="unit"/> has finished.</summary>
    public bool Has(int unit) => File.Exists(UnitPath(unit));

    /// <summary>The units of a run of <paramref name="units"/> units not yet finished, in order.</summary>
    public IReadOnlyList<int> Missing(int units) => [.. Enumerable.Range(0, units).Where(u => !Has(u))];

    /// <summary>Stores unit <paramref name="unit"/> atomically.</summary>
    public void Write(int unit, Action<BinaryWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        AtomicFile.Write(UnitPath(unit), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            write(writer);
        });
    }

    /// <summary>Reads unit <paramref name="unit"/>, throwing <see cref="EngineInputException"/> when it is damaged.</summary>
    public T Read<T>(int unit, Func<BinaryReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return ReadFile(UnitPath(unit), read);
    }

    /// <summary>Stores a named file of the run (such as cached cells) atomically.</summary>
    public void Save(string name, Action<BinaryWriter> write) =>
        AtomicFile.Write(System.IO.Path.Combine(Path, name), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            write(writer);
        });

    /// <summary>Reads a named file of the run, or returns the default when it is absent.</summary>
    public T? Load<T>(string name, Func<BinaryReader, T> read) where T : class
    {
        string file = System.IO.Path.Combine(Path, name);
        return File.Exists(file) ? ReadFile(file, read) : null;
    }

    /// <summary>Removes a named file of the run, if present.</summary>
    public void Delete(string name) => File.Delete(System.IO.Path.Combine(Path, name));

    /// <summary>Removes temporary files left by processes that were killed while writing.</summary>
    public void RemoveStrays()
    {
        foreach (string folder in new[] { Path, _units })
        {
            foreach (string file in Directory.EnumerateFiles(folder, "*" + AtomicFile.TemporarySuffix))
            {
                // Another live process may be writing it: only files untouched for a minute are strays.
                if (File.GetLastWriteTimeUtc(file) < DateTime.UtcNow.AddMinutes(-1)) File.Delete(file);
            }
        }
    }

    private string UnitPath(int unit) => System.IO.Path.Combine(_units, unit.ToString("D6", CultureInfo.InvariantCulture) + ".unit");

    private static T ReadFile<T>(string file, Func<BinaryReader, T> read)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var reader = new BinaryReader(stream);
            return read(reader);
        }
        catch (EndOfStreamException)
        {
            throw new EngineInputException($"{file} is damaged (truncated); delete it and run again to recompute it");
        }
    }

    // The first differing line of two requests, so the refusal says what changed.
    private static string Difference(string existing, string request)
    {
        string[] a = existing.Split('\n'), b = request.Split('\n');
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i]) return $"it has {a[i].Trim().TrimEnd(',')}, this one {b[i].Trim().TrimEnd(',')}";
        }
        return "their lengths differ";
    }
}
