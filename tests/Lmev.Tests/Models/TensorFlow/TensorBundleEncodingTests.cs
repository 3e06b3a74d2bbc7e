using System.Text;
using Lmev.Models.TensorFlow;

namespace Lmev.Tests.Models.TensorFlow;

/// <summary>The byte-level encodings, checked against values worked out by hand from TensorFlow's sources.</summary>
public class TensorBundleEncodingTests
{
    [Fact]
    public void Should_Compute_The_Standard_Crc32C_Check_Value()
    {
        // CRC-32C of "123456789" is 0xE3069283 (RFC 3720, appendix B.4 check value).
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        var text = Encoding.ASCII.GetBytes("123456789 and a longer tail to cross 8-byte words");
        Assert.Equal(Crc32C.Compute(text), Crc32C.Extend(Crc32C.Compute(text.AsSpan(0, 13)), text.AsSpan(13)));
    }

    [Fact]
    public void Should_Unmask_What_It_Masks()
    {
        foreach (var crc in new[] { 0u, 1u, 0xE3069283u, uint.MaxValue }) Assert.Equal(crc, Crc32C.Unmask(Crc32C.Mask(crc)));
        // Mask(0) = rotate(0) + 0xa282ead8.
        Assert.Equal(0xa282ead8u, Crc32C.Mask(0));
    }

    [Fact]
    public void Should_Encode_Slice_Keys_As_EncodeTensorNameSlice_Does()
    {
        // "w", rank 2, rows [0, 2), columns full: NumIncreasing(0) = 00; String("w") = 77 00 01;
        // NumIncreasing(2) = 01 02; SignedNumIncreasing(0) = 80, (2) = 82, (0) = 80, (-1) = 7f.
        Assert.Equal(Convert.FromHexString("0077000101028082807F"), OrderedCode.EncodeTensorNameSlice("w", [0, 0], [2, -1]));
        // 500000 = 0x7A120 has 19 bits: 3 bytes 07 a1 20 with header 0xe0 on the first: e7 a1 20.
        // Name "": 00 01. 64 needs 7 bits: 2 bytes 00 40 with header 0xc0: c0 40. -65: ~(-65) = 64, two bytes ff bf ^ c0 00 = 3f bf.
        Assert.Equal(Convert.FromHexString("0000010102E7A120C040803FBF"), OrderedCode.EncodeTensorNameSlice("", [500_000, 0], [64, -65]));
    }

    [Fact]
    public void Should_Escape_Zero_And_Ff_Bytes_In_Names()
    {
        var bytes = new List<byte>();
        OrderedCode.WriteString(bytes, [0x61, 0x00, 0xff, 0x62]);
        Assert.Equal(Convert.FromHexString("6100FFFF00620001"), bytes.ToArray());
    }
}
