using System.Text;
using Lmev.Models;
using Xunit;

namespace Lmev.Tests.Models;

public class FarmHashTests
{
    private static ulong Fingerprint(string text) => FarmHash.Fingerprint64(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Should_Match_TensorFlows_Documented_To_Hash_Bucket_Fast_Example()
    {
        // tf.strings.to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3) == [0, 2, 2] (TensorFlow API docs).
        Assert.Equal([0L, 2L, 2L], new[] { "Hello", "TensorFlow", "2.x" }.Select(t => FarmHash.Bucket(Encoding.UTF8.GetBytes(t), 3)));
    }

    // Published Fingerprint64 values of short strings (the "na" column of go-farm's table, generated with
    // the C++ reference), one or more per length class: 0, 1-3, 4-7, 8-16, 17-32, 33-64, 65-128, >128.
    [Theory]
    [InlineData("", 0x9ae16a3b2f90404fUL)]
    [InlineData("a", 0xb3454265b6df75e3UL)]
    [InlineData("ab", 0xaa8d6e5242ada51eUL)]
    [InlineData("abc", 0x24a5b3a074e7f369UL)]
    [InlineData("abcd", 0x1a5502de4a1f8101UL)]
    [InlineData("abcdefg", 0x3c40c92b1ccb7355UL)]
    [InlineData("abcdefgh", 0xfee9d22990c82909UL)]
    [InlineData("0123456789'01234", 0x4283d4ef43627f64UL)]
    [InlineData("0123456789=012345", 0x46a7416ed4861e3bUL)]
    [InlineData("0123456789%0123456789£", 0x4dbd128af51d77e8UL)]
    [InlineData("C is as portable as Stonehedge!!", 0xb944f8a16261e414UL)]
    [InlineData("Discard medicine more than two years old.", 0xe8f89ab6df9bdd25UL)]
    [InlineData("Free! Free!/A trip/to Mars/for 900/empty jars/Burma Shave", 0x5d14f96c18fe3d5eUL)]
    [InlineData("For every action there is an equal and opposite government program.", 0x55182f8859eca4ceUL)]
    [InlineData("There is no reason for any individual to have a computer in their home. -Ken Olsen, 1977", 0x7e85d7b050ed2967UL)]
    [InlineData("The fugacity of a constituent in a mixture of gases at a given temperature is proportional to its mole fraction.  Lewis-Randall Rule", 0x98eff6958c5e91aUL)]
    public void Should_Match_Published_Fingerprint64_Values(string text, ulong expected)
    {
        Assert.Equal(expected, Fingerprint(text));
    }

    // FarmHash's own self-test (farmhash.cc, farmhashnaTest): case i hashes i bytes at offset i*i of a
    // generated 1 MiB buffer; the expected value is farmhashna::Hash64 as (high 32 bits, low 32 bits).
    [Theory]
    [InlineData(0, 2598464059u, 797982799u)]
    [InlineData(1, 1410420968u, 2134990486u)]
    [InlineData(2, 255297188u, 2992121793u)]
    [InlineData(3, 4019337850u, 452431531u)]
    [InlineData(4, 299850021u, 2532580744u)]
    [InlineData(7, 458884671u, 3033004529u)]
    [InlineData(8, 2700149065u, 2699376854u)]
    [InlineData(15, 1145519619u, 3190844552u)]
    [InlineData(16, 65721842u, 489963606u)]
    [InlineData(17, 1790705123u, 2128624475u)]
    [InlineData(31, 1438494951u, 507436733u)]
    [InlineData(32, 126024219u, 146044391u)]
    [InlineData(33, 165589978u, 1578546616u)]
    [InlineData(48, 23075771u, 3252374102u)]
    [InlineData(63, 2834153464u, 1481069623u)]
    [InlineData(64, 3740748788u, 3388062747u)]
    [InlineData(65, 1020177209u, 734239551u)]
    [InlineData(66, 2610427744u, 49703572u)]
    [InlineData(80, 2483004780u, 1927385370u)]
    [InlineData(90, 3738454258u, 2554452696u)]
    public void Should_Match_FarmHashs_Own_Self_Test(int i, uint high, uint low)
    {
        var data = SelfTestData.Value;
        Assert.Equal(((ulong)high << 32) | low, FarmHash.Fingerprint64(data.AsSpan(i * i, i)));
    }

    [Fact]
    public void Should_Match_FarmHashs_Own_Self_Test_Over_The_Whole_Megabyte()
    {
        // The self-test's last case: all 2^20 bytes, thousands of 64-byte blocks.
        Assert.Equal((4166253320UL << 32) | 2747410691UL, FarmHash.Fingerprint64(SelfTestData.Value));
    }

    // farmhash.cc's Setup(): the self-test's pseudorandom buffer.
    private static readonly Lazy<byte[]> SelfTestData = new(() =>
    {
        const ulong k0 = 0xc3a5c85c97cb3127UL;
        var data = new byte[1 << 20];
        ulong a = 9, b = 777;
        for (var i = 0; i < data.Length; i++)
        {
            a += b;
            b += a;
            a = (a ^ (a >> 41)) * k0;
            b = (b ^ (b >> 41)) * k0 + (ulong)i;
            data[i] = (byte)(b >> 37);
        }
        return data;
    });
}
