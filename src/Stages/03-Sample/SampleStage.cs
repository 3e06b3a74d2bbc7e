using Lmev.Pipeline;
using Lmev.Pipeline.Csv;

namespace Lmev.Stages.Sample;

/// <summary>
/// Draws a uniform seeded sample of rows in one streaming pass (reservoir sampling), memory O(rows).
/// Rows keep their input order. Output: <c>sample.csv</c>, same columns as the input.
/// </summary>
public sealed class SampleStage(SampleParams p, Artifact rows, string unit = "") : IStage
{
    public const string Output = "sample.csv";

    public string Name => "sample";

    public int Version => 1;

    /// <summary>"" for the sample the runs share; <c>run-k</c> for run k's own (runs.resample).</summary>
    public string Unit => unit;

    public object Params => p;

    public IReadOnlyDictionary<string, Artifact> Inputs { get; } = new Dictionary<string, Artifact> { ["rows"] = rows };

    public void Run(StageContext context)
    {
        var path = context.Input("rows");
        var reservoir = new Reservoir<Row>((int)p.Rows, SeededRandom.For(p.Seed, "sample"));
        string[] header;
        using (var reader = CsvRowReader.Open(path))
        using (var progress = context.Progress("sample", new FileInfo(path).Length, "B"))
        {
            header = reader.Header;
            // Records, not fields: filter-spanish wrote and checked every row, and the file's bytes are verified (the cache
            // checks the SHA-256 this reader takes on the way), so a kept row is copied as it stands.
            while (reader.NextRecord())
            {
                if (reservoir.Next()) reservoir.Keep(Row.Copy(reader.Line, reservoir.Evicted.Buffer));
                if ((reservoir.Seen & 0xFFFF) == 0) progress.Report(reader.FilePosition);
            }
            progress.Report(reader.FilePosition);
        }

        var sampled = 0L;
        using (var writer = CsvWriter.Create(context.OutputPath(Output)))
        {
            writer.Row(header);
            foreach (var line in reservoir.InStreamOrder())
            {
                writer.RawRow(line.Bytes);
                sampled++;
            }
        }

        if (sampled < p.Rows)
            context.Log($"warning: asked for {p.Rows:N0} rows but the input has only {reservoir.Seen:N0}; kept them all");
        context.Log($"sampled {sampled:N0} of {reservoir.Seen:N0} rows (seed {p.Seed})");
        context.Report["rowsIn"] = reservoir.Seen;
        context.Report["rowsRequested"] = p.Rows;
        context.Report["rowsSampled"] = sampled;
    }

    /// <summary>
    /// A kept line in a buffer rounded up to 64 bytes, so the row it evicts can usually lend its
    /// buffer: the reservoir then makes almost no garbage, and memory stays flat however long the input.
    /// </summary>
    private readonly record struct Row(byte[] Buffer, int Length)
    {
        public ReadOnlySpan<byte> Bytes => Buffer.AsSpan(0, Length);

        public static Row Copy(ReadOnlySpan<byte> line, byte[]? reuse)
        {
            var buffer = reuse is not null && reuse.Length >= line.Length ? reuse : new byte[(line.Length + 63) & ~63];
            line.CopyTo(buffer);
            return new Row(buffer, line.Length);
        }
    }
}
