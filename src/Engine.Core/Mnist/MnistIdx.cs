using System.Buffers.Binary;
using System.IO.Compression;

namespace Engine.Core.Mnist;

/// <summary>
/// Reads the IDX files MNIST is distributed in (LeCun's format), raw or gzip-compressed: a big-endian magic number
/// 0x0000_08_DD (unsigned bytes, DD dimensions), the DD dimension sizes, then the bytes.
/// </summary>
public static class MnistIdx
{
    /// <summary>Side of an MNIST image in pixels.</summary>
    public const int Side = 28;

    /// <summary>Pixels per image, the input dimension of the networks.</summary>
    public const int Pixels = Side * Side;

    /// <summary>Number of digit classes.</summary>
    public const int Classes = 10;

    /// <summary>A pixel scaled to [0, 1], the networks' input.</summary>
    public static float Scale(byte pixel) => pixel * (1.0f / 255.0f);

    /// <summary>Reads an image file (magic 0x00000803, N×28×28), returning N and the pixels row-major.</summary>
    public static (int Count, byte[] Pixels) ReadImages(string path)
    {
        (int[] dims, byte[] data) = Read(path, 3);
        if (dims[1] != Side || dims[2] != Side)
            throw new EngineInputException($"{path}: images are {dims[1]}×{dims[2]}, expected {Side}×{Side}");
        return (dims[0], data);
    }

    /// <summary>Reads a label file (magic 0x00000801, N labels), rejecting labels outside 0–9.</summary>
    public static byte[] ReadLabels(string path)
    {
        (_, byte[] data) = Read(path, 1);
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] >= Classes)
                throw new EngineInputException($"{path}: label {i} is {data[i]}, expected 0–9");
        }
        return data;
    }

    private static (int[] Dims, byte[] Data) Read(string path, int rank)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
            // gzip members start with 1f 8b; IDX files start with two zero bytes, so the two cannot be confused.
            if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) bytes = Gunzip(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new EngineInputException($"{path}: corrupt gzip data ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new EngineInputException($"{path}: cannot read ({e.Message})", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new EngineInputException($"{path}: cannot read ({e.Message})", e);
        }

        int header = 4 + 4 * rank;
        if (bytes.Length < header)
            throw new EngineInputException($"{path}: {bytes.Length} bytes is shorter than an IDX header; the file is truncated");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        uint expected = 0x0800u | (uint)rank;
        if (magic != expected)
            throw new EngineInputException($"{path}: magic number 0x{magic:x8}, expected 0x{expected:x8}; not an MNIST {(rank == 1 ? "label" : "image")} file");

        int[] dims = new int[rank];
        long length = 1;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (size == 0 || size > int.MaxValue)
                throw new EngineInputException($"{path}: dimension {d} is {size}; expected a positive size");
            dims[d] = (int)size;
            length *= size;
        }
        if (bytes.Length - header != length)
            throw new EngineInputException($"{path}: {bytes.Length - header} data bytes, the header promises {length}; the file is truncated or corrupt");
        return (dims, bytes[header..]);
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
