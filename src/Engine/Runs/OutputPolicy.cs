using System.Runtime.InteropServices;

namespace Engine.Runs;

/// <summary>
/// The one rule every command and the server apply to the files they are asked to write, checked before any work:
/// an output may not be an input of the run, another output of the same run, a device, FIFO or socket, or anything
/// under /proc or /sys; its directory must exist and take a new file. A symlink is written through: the file it
/// points to is replaced atomically and the link stays (as <c>install</c> and <c>sponge</c> leave links to edited files).
/// Files are compared by device and inode, so a hard link or another spelling of a path is the same file.
/// </summary>
public static partial class OutputPolicy
{
    /// <summary>
    /// Throws <see cref="EngineInputException"/> with one line naming the option for the first output that breaks the
    /// rule (see the summary). <paramref name="outputs"/> are (option, path) pairs; <paramref name="inputs"/> the paths
    /// the run reads.
    /// </summary>
    public static void Check(IReadOnlyList<(string Option, string Path)> outputs, IReadOnlyList<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        var seen = new List<(string Option, string Target, (ulong, ulong)? Identity)>();
        foreach ((string option, string path) in outputs)
        {
            string target = Target(path);
            foreach (string forbidden in new[] { "/proc", "/sys" })
            {
                if (target == forbidden || target.StartsWith(forbidden + "/", StringComparison.Ordinal))
                    throw new EngineInputException($"{option} {path}: writing under {forbidden} is refused");
            }
            (ulong, ulong)? identity = null;
            if (Status(target) is { } status)
            {
                if (status.Kind != FileKind.Regular)
                    throw new EngineInputException($"{option} {path} is {Describe(status.Kind)}; outputs must be regular files");
                identity = (status.Device, status.Inode);
                foreach (string input in inputs)
                {
                    if (Status(input) is { } read && (read.Device, read.Inode) == identity)
                        throw new EngineInputException($"{option} {path} is an input of this run ({input}); refusing to overwrite it");
                }
            }
            foreach ((string other, string otherTarget, (ulong, ulong)? otherIdentity) in seen)
            {
                if (otherTarget == target || (identity is not null && identity == otherIdentity))
                    throw new EngineInputException($"{option} {path} is the same file as {other}; give each output its own file");
            }
            seen.Add((option, target, identity));
            AtomicFile.CheckWritable(target, option);
            AtomicFile.RemoveStale(target);
        }
    }

    /// <summary>
    /// Throws <see cref="EngineInputException"/> naming <paramref name="option"/> unless <paramref name="path"/> is a
    /// directory that exists or can be made (its parent exists), outside /proc and /sys.
    /// </summary>
    public static void CheckDirectory(string option, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        string resolved = Directory.Exists(full) ? RealPath(full) ?? full : full;
        foreach (string forbidden in new[] { "/proc", "/sys" })
        {
            if (resolved == forbidden || resolved.StartsWith(forbidden + "/", StringComparison.Ordinal))
                throw new EngineInputException($"{option} {path}: writing under {forbidden} is refused");
        }
        if (Status(full) is { } status && status.Kind != FileKind.Directory)
            throw new EngineInputException($"{option} {path} exists and is not a directory");
        string? parent = Path.GetDirectoryName(full);
        if (!Directory.Exists(full) && (parent is null || !Directory.Exists(parent)))
            throw new EngineInputException($"{option} {path}: directory {parent} does not exist");
    }

    /// <summary>
    /// Where a write to <paramref name="path"/> lands: the final target of a symlink (written through), else the full path;
    /// directories in the path are resolved, so two spellings of one file give the same target.
    /// </summary>
    public static string Target(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        if (File.Exists(full) && new FileInfo(full).LinkTarget is not null)
        {
            FileSystemInfo? final = File.ResolveLinkTarget(full, returnFinalTarget: true);
            if (final is not null) full = Path.GetFullPath(final.FullName);
        }
        string? directory = Path.GetDirectoryName(full);
        if (directory is not null && Directory.Exists(directory)) full = Path.Combine(RealPath(directory) ?? directory, Path.GetFileName(full));
        return full;
    }

    /// <summary>What kind of file a path names, following symlinks.</summary>
    internal enum FileKind
    {
        Regular,
        Directory,
        CharacterDevice,
        BlockDevice,
        Fifo,
        Socket,
        Other,
    }

    /// <summary>The kind, device and inode of an existing path (symlinks followed), or null when there is none.</summary>
    internal static (FileKind Kind, ulong Device, ulong Inode)? Status(string path)
    {
        // struct stat on Linux: st_dev at 0 and st_ino at 8 on both 64-bit ABIs; st_mode at 24 on x86-64 and 16 on arm64.
        Span<byte> buffer = stackalloc byte[256];
        if (!OperatingSystem.IsLinux() || Stat(path, ref MemoryMarshal.GetReference(buffer)) != 0) return File.Exists(path) ? (FileKind.Regular, 0, 0) : null;
        int modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 16 : 24;
        uint mode = MemoryMarshal.Read<uint>(buffer[modeOffset..]);
        FileKind kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
        return (kind, MemoryMarshal.Read<ulong>(buffer), MemoryMarshal.Read<ulong>(buffer[8..]));
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Directory => "a directory",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a FIFO",
        FileKind.Socket => "a socket",
        _ => "not a regular file",
    };

    private static string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return path;
        nint resolved = ResolvePath(path, 0);
        if (resolved == 0) return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ResolvePath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);
}
