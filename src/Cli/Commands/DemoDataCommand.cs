using System.CommandLine;
using System.IO.Compression;
using Lmev.Pipeline;
using Lmev.Stages.Download;

namespace Lmev.Cli.Commands;

/// <summary>`lmev demo-data`: writes generated MeLi-shaped titles to a file, for benchmarks and trying other tools.</summary>
internal static class DemoDataCommand
{
    public static Command Create()
    {
        var rows = new Option<long>("--rows") { Description = "Rows to generate", DefaultValueFactory = _ => 60_000 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 2019 };
        var output = new Option<FileInfo>("--output", "-o") { Description = "File to write (gzip-compressed when it ends in .gz)", Required = true };
        var command = new Command("demo-data", "Write generated MercadoLibre-shaped titles (title,label_quality,language,category) to a file") { rows, seed, output };
        Guarded.Action(command, p =>
        {
            var path = p.GetValue(output)!.FullName;
            if (p.GetValue(rows) < 1) throw new LmevException($"--rows: expected a positive number of rows, found {p.GetValue(rows)}");
            if (Directory.Exists(path)) throw new LmevException($"{path}: is a folder; give the file to write, e.g. {Path.Combine(path, "titles.csv.gz")}");
            var folder = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(folder)) throw new LmevException($"{path}: the folder {folder} does not exist; create it first or write elsewhere");
            var demo = new DemoDataParams(Rows: p.GetValue(rows), Seed: p.GetValue(seed));
            AtomicFile.Write(path, file =>
            {
                using var stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true) : null;
                using var progress = new ProgressBar("demo-data", demo.Rows, "rows");
                DemoTitles.Write(demo, stream ?? file, progress.Report);
            });
            Console.WriteLine($"wrote {demo.Rows:N0} rows to {path}");
            return 0;
        });
        return command;
    }
}
