using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Lmev.Pipeline.Npy;

/// <summary>Reads a little-endian float32 C-order 2-D <c>.npy</c> file (as <see cref="NpyWriter"/> writes it).</summary>
public static partial class NpyReader
{
    [GeneratedRegex(@"'descr':\s*'(?<descr>[^']+)'.*'fortran_order':\s*(?<fortran>True|False).*'shape':\s*\((?<rows>\d+),\s*(?<cols>\d+)\)", RegexOptions.Singleline)]
    private static partial Regex HeaderPattern();

    public static (long Rows, int Columns) Shape(string path)
    {
        using var file = File.OpenRead(path);
        return ReadHeader(file, path).Shape;
    }

    /// <summary>The whole matrix, row-major.</summary>
    public static (float[] Values, long Rows, int Columns) Read(string path)
    {
        using var file = File.OpenRead(path);
        var ((rows, columns), _) = ReadHeader(file, path);
        var count = checked(rows * columns);
        if (count > Array.MaxLength) throw new LmevException($"{path}: {rows} × {columns} values do not fit in one array");
        var values = new float[count];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        var read = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read != bytes.Length || file.Position != file.Length)
            throw new LmevException($"{path}: header says {rows} × {columns} float32 values ({bytes.Length} bytes), the file holds {file.Length - file.Position + read} bytes of data");
        return (values, rows, columns);
    }

    private static ((long Rows, int Columns) Shape, int HeaderLength) ReadHeader(Stream file, string path)
    {
        Span<byte> prefix = stackalloc byte[10];
        if (file.ReadAtLeast(prefix, 10, throwOnEndOfStream: false) != 10 || prefix[0] != 0x93 || !prefix[1..6].SequenceEqual("NUMPY"u8))
            throw new LmevException($"{path}: not a .npy file (expected the magic bytes \\x93NUMPY)");
        if (prefix[6] != 1) throw new LmevException($"{path}: .npy format version {prefix[6]}.{prefix[7]}; expected 1.0");
        var length = BitConverter.ToUInt16(prefix[8..10]);
        var text = new byte[length];
        file.ReadExactly(text);
        var m = HeaderPattern().Match(Encoding.ASCII.GetString(text));
        if (!m.Success) throw new LmevException($"{path}: cannot read the .npy header '{Encoding.ASCII.GetString(text).Trim()}'");
        if (m.Groups["descr"].Value != "<f4" || m.Groups["fortran"].Value != "False")
            throw new LmevException($"{path}: expected little-endian float32 in C order ('<f4', fortran_order False), found '{m.Groups["descr"].Value}', fortran_order {m.Groups["fortran"].Value}");
        return ((long.Parse(m.Groups["rows"].Value), int.Parse(m.Groups["cols"].Value)), 10 + length);
    }
}
