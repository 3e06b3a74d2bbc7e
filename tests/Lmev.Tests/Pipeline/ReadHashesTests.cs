using System.IO.Compression;
using Lmev.Pipeline;
using Lmev.Pipeline.Csv;
using Lmev.Tests.Support;

namespace Lmev.Tests.Pipeline;

/// <summary>A CSV input is hashed as the stage reads it, so that verifying it against its manifest needs no second pass.</summary>
public sealed class ReadHashesTests
{
    private static string Write(TempDir dir, string name, bool gzip, int rows = 5000)
    {
        var path = Path.Combine(dir.Path, name);
        using var file = File.Create(path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        using var writer = new StreamWriter(stream);
        writer.WriteLine("title,category");
        for (var i = 0; i < rows; i++) writer.WriteLine(i % 7 == 0 ? $"\"monitor 27\"\" n.{i}\",CAT{i % 13}" : $"título {i},CAT{i % 13}");
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_file_read_whole_has_the_sha256_of_its_bytes_on_disk(bool gzip)
    {
        using var dir = new TempDir();
        var path = Write(dir, gzip ? "rows.csv.gz" : "rows.csv", gzip);
        ReadHashes.Forget([path]);
        var records = 0;
        using (var reader = CsvRowReader.Open(path))
            while (reader.NextRecord()) records++;

        Assert.Equal(5000, records);
        Assert.True(ReadHashes.Holds(path));
        Assert.Equal(Hashing.Sha256OfFile(path), ReadHashes.Sha256(path));
    }

    [Fact]
    public void A_file_read_in_part_has_none_and_a_file_changed_since_it_was_read_is_hashed_again()
    {
        using var dir = new TempDir();
        var path = Write(dir, "rows.csv", gzip: false, rows: 2_000_000); // ~40 MB: more than the reader reads ahead (4 buffers of 1 MiB)
        ReadHashes.Forget([path]);
        using (var reader = CsvRowReader.Open(path))
            Assert.True(reader.NextRecord()); // the first buffers only
        Assert.False(ReadHashes.Holds(path));

        using (var reader = CsvRowReader.Open(path))
            while (reader.NextRecord()) { }
        Assert.True(ReadHashes.Holds(path));
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1)); // a new time, even on a filesystem with coarse times
        Assert.Equal(Hashing.Sha256OfFile(path), ReadHashes.Sha256(path));
    }
}
