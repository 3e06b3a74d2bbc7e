using System.Runtime.InteropServices;
using System.Text;

namespace Lmev.Pipeline.Npy;

/// <summary>
/// Streams a float32 matrix [rows, columns] to a NumPy <c>.npy</c> file (format version 1.0,
/// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html), readable by
/// <c>numpy.load</c>. The row count need not be known in advance: the header is written with room
/// for any shape and rewritten on <see cref="Dispose"/>.
/// </summary>
public sealed class NpyWriter : IDisposable
{
    private const int HeaderBytes = 128; // magic (6) + version (2) + length (2) + dict, padded: a multiple of 64
    private readonly FileStream _file;
    private bool _disposed;

    public NpyWriter(string path, int columns)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("NpyWriter writes little-endian float32");
        Columns = columns;
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        _file.Write(Header(0, columns));
    }

    public int Columns { get; }

    public long Rows { get; private set; }

    /// <summary>Appends whole rows: <paramref name="values"/>.Length must be a multiple of the column count.</summary>
    public void Append(ReadOnlySpan<float> values)
    {
        if (values.Length % Columns != 0)
            throw new ArgumentException($"expected a multiple of {Columns} values, found {values.Length}", nameof(values));
        _file.Write(MemoryMarshal.AsBytes(values));
        Rows += values.Length / Columns;
    }

    internal static byte[] Header(long rows, int columns)
    {
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        var header = new byte[HeaderBytes];
        header[0] = 0x93;
        "NUMPY"u8.CopyTo(header.AsSpan(1));
        header[6] = 1;
        header[7] = 0;
        BitConverter.TryWriteBytes(header.AsSpan(8, 2), (ushort)(HeaderBytes - 10));
        var text = Encoding.ASCII.GetBytes(dict.PadRight(HeaderBytes - 10 - 1) + "\n");
        if (text.Length != HeaderBytes - 10) throw new InvalidOperationException("shape too large for the .npy header");
        text.CopyTo(header, 10);
        return header;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _file.Position = 0;
        _file.Write(Header(Rows, Columns));
        _file.Dispose();
    }
}
