using System.Diagnostics;

namespace Lmev.Pipeline;

/// <summary>
/// A progress line on standard error with rate and ETA. On a terminal it redraws in place a few
/// times a second; when the output is captured (Cake, CI logs) it prints a line every 10 seconds.
/// <see cref="Report"/> is cheap enough to call once per row.
/// Not Spectre.Console's: its progress display owns the console inside one callback (<c>Progress().Start(ctx => …)</c>),
/// while a stage reports from deep inside its own loops and logs between bars; this one already gives rate and ETA on a
/// terminal and plain lines, free of control characters, when the output is captured.
/// </summary>
public sealed class ProgressBar : IDisposable
{
    private static readonly bool Interactive = !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;
    private readonly string _label;
    private readonly string _unit;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _total;
    private long _done;
    private long _nextDrawTicks;
    private bool _drawn;

    public ProgressBar(string label, long total, string unit)
    {
        _label = label;
        _total = total;
        _unit = unit;
        _nextDrawTicks = Interval;
    }

    private static long Interval => Stopwatch.Frequency * (Interactive ? 1 : 40) / 4;

    /// <summary>Total is unknown (0) or changes, e.g. when a server tells the size.</summary>
    public long Total { get => _total; set => _total = value; }

    public long Done => _done;

    public void Report(long done)
    {
        _done = done;
        if (_clock.ElapsedTicks < _nextDrawTicks) return;
        _nextDrawTicks = _clock.ElapsedTicks + Interval;
        Draw(final: false);
    }

    public void Increment(long by = 1) => Report(_done + by);

    public void Dispose()
    {
        if (_drawn || _clock.Elapsed.TotalSeconds > 1) Draw(final: true);
    }

    private void Draw(bool final)
    {
        _drawn = true;
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        var rate = _done / seconds;
        var text = $"{_label}: {Format(_done)}";
        if (_total > 0)
        {
            var fraction = Math.Clamp((double)_done / _total, 0, 1);
            const int width = 24;
            var filled = (int)(fraction * width);
            text = $"{_label} [{new string('#', filled)}{new string('.', width - filled)}] {fraction,4:P0} {Format(_done)}/{Format(_total)}";
            if (!final && rate > 0) text += $" ETA {TimeSpan.FromSeconds((_total - _done) / rate):hh\\:mm\\:ss}";
        }
        text += $" {Format((long)rate)}/s" + (final ? $" in {seconds:F1} s" : "");
        if (Interactive) Console.Error.Write($"\r{text}\u001b[K" + (final ? "\n" : ""));
        else Console.Error.WriteLine(text);
    }

    private string Format(long n) => _unit == "B"
        ? n switch
        {
            >= 1L << 30 => $"{n / (double)(1L << 30):F2} GiB",
            >= 1L << 20 => $"{n / (double)(1L << 20):F1} MiB",
            >= 1L << 10 => $"{n / 1024.0:F0} KiB",
            _ => $"{n} B",
        }
        : $"{n:N0} {_unit}";
}
