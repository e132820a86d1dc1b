using System.Runtime.InteropServices;

namespace Engine.Runs;

/// <summary>
/// Files that appear whole or not at all: written under a temporary name beside the target, flushed to the disk,
/// renamed over the target, and the rename itself flushed by syncing the directory. A kill -9 or a power loss leaves
/// either the old file or the new one, never a truncated one; stray temporary files are ignored and cleaned up.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>The suffix of temporary files, which readers of a directory skip.</summary>
    public const string TemporarySuffix = ".partial";

    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>, atomically. A symlink is written through (its target
    /// is replaced, the link stays); anything but a regular file or nothing at the target is refused, never replaced.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = OutputPolicy.Target(path);
        if (OutputPolicy.Status(full) is { Kind: not OutputPolicy.FileKind.Regular })
            throw new EngineInputException($"{path} is not a regular file; refusing to replace it");
        string temporary = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}{TemporarySuffix}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        SyncDirectory(Path.GetDirectoryName(full)!);
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8, no byte-order mark) to <paramref name="path"/>, atomically.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>
    /// Throws <see cref="EngineInputException"/> with one line unless a file can be written at <paramref name="path"/>:
    /// its directory exists and takes a new file, and an existing file there is writable. Called before any work.
    /// </summary>
    public static void CheckWritable(string path, string what)
    {
        string full = OutputPolicy.Target(path);
        string? directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
            throw new EngineInputException($"{what} {path}: directory {directory} does not exist");
        if (Directory.Exists(full))
            throw new EngineInputException($"{what} {path} is a directory");
        // Opening a FIFO for writing would wait for a reader, and a device would be written: neither is an output.
        if (OutputPolicy.Status(full) is { Kind: not OutputPolicy.FileKind.Regular })
            throw new EngineInputException($"{what} {path} is not a regular file");
        string probe = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}{TemporarySuffix}";
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write)) { }
            File.Delete(probe);
            if (File.Exists(full))
            {
                using (new FileStream(full, FileMode.Open, FileAccess.Write)) { }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineInputException($"{what} {path} is not writable: {e.Message}");
        }
    }

    /// <summary>
    /// Removes temporary files that earlier writes of <paramref name="path"/> left behind when killed (kill -9, power
    /// loss): those whose writing process is gone. A write in progress in another live process is left alone.
    /// </summary>
    public static void RemoveStale(string path)
    {
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory)) return;
        string name = Path.GetFileName(full);
        foreach (string stale in Directory.EnumerateFiles(directory, name + ".*" + TemporarySuffix))
        {
            // name.PID.GUID.partial: the process id is the first part after the name.
            string[] parts = Path.GetFileName(stale)[(name.Length + 1)..].Split('.');
            if (parts.Length != 3 || !int.TryParse(parts[0], out int pid) || Running(pid)) continue;
            try
            {
                File.Delete(stale);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for a later run: a leftover that cannot be removed harms nothing, since readers skip the suffix.
            }
        }
    }

    private static bool Running(int pid) => !OperatingSystem.IsLinux() || Directory.Exists($"/proc/{pid}");

    // The rename is durable only once the directory entry is on the disk: open the directory and fsync it (POSIX).
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = Open(directory, 0);
        if (fd < 0) return;
        Fsync(fd);
        Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
