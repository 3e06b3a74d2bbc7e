using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lmev.Tests.Support;
using Xunit.Abstractions;

namespace Lmev.Tests.Report;

/// <summary>
/// The report as a person sees it: headless Chromium (Debian's `chromium`, which .ci/run installs)
/// renders index.html, takes a screenshot left in the test output folder, and a small script
/// counts the tables and checks that every figure decoded (naturalWidth &gt; 0).
/// </summary>
public sealed partial class BrowserTests(ITestOutputHelper output)
{
    private static string? Chromium => new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    private static readonly string[] Flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--hide-scrollbars"];

    [GeneratedRegex("data-lmev-check=\"([^\"]*)\"")]
    private static partial Regex CheckAttribute();

    private static string RunChromium(TempDir profile, params string[] args)
    {
        var info = new ProcessStartInfo(Chromium!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var f in Flags.Append($"--user-data-dir={profile.Path}").Concat(args)) info.ArgumentList.Add(f);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(90))) { p.Kill(true); throw new TimeoutException("chromium did not finish"); }
        return stdout.Result;
    }

    [SkippableFact]
    public void The_html_report_shows_its_tables_and_every_figure_in_a_browser()
    {
        Skip.If(Chromium is null, "chromium is not installed (apt-get install chromium; .ci/run does)");
        using var dir = new TempDir();
        var html = ReportTests.WriteSmallReport(dir);

        // A copy with a script that records what the page holds once loaded.
        var probe = Path.Combine(dir.Path, "probe.html");
        File.WriteAllText(probe, File.ReadAllText(html).Replace("</body>", """
            <script>window.addEventListener('load', () => document.body.setAttribute('data-lmev-check', JSON.stringify({
              tables: document.querySelectorAll('table').length,
              images: Array.from(document.images).map(i => i.naturalWidth) })));</script></body>
            """));
        using var profile = new TempDir();
        var dom = RunChromium(profile, "--virtual-time-budget=10000", "--dump-dom", new Uri(probe).AbsoluteUri);
        var match = CheckAttribute().Match(dom);
        Assert.True(match.Success, "the page did not finish loading");
        var check = JsonDocument.Parse(System.Net.WebUtility.HtmlDecode(match.Groups[1].Value)).RootElement;
        var tables = check.GetProperty("tables").GetInt32();
        var widths = check.GetProperty("images").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        output.WriteLine($"tables {tables}, image widths {string.Join(", ", widths)}");
        Assert.True(tables >= 5, $"{tables} tables");
        Assert.Equal(Lmev.Stages.Plot.PlotStage.Figures.Count - 1, widths.Length); // all but published_vs_ours (no reference figures)
        Assert.All(widths, w => Assert.True(w > 0, "an image did not load"));

        foreach (var (name, size) in new[] { ("report-desktop.png", "1280,4000"), ("report-phone.png", "390,3000") })
        {
            var shot = Path.Combine(AppContext.BaseDirectory, "report", name);
            Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
            File.Delete(shot);
            using var p2 = new TempDir();
            RunChromium(p2, $"--window-size={size}", $"--screenshot={shot}", new Uri(html).AbsoluteUri);
            Assert.True(File.Exists(shot) && new FileInfo(shot).Length > 10_000, $"no screenshot at {shot}");
            output.WriteLine($"screenshot: {shot}");
        }
    }

    /// <summary>
    /// Loads <paramref name="html"/> at <paramref name="width"/> px and returns, for each table, the heading above it, its
    /// first header cells, its scrollWidth and clientWidth (it scrolls sideways when the first exceeds the second) and
    /// where its right edge lies; and the window's inner width.
    /// </summary>
    internal static (int Width, List<(string Heading, string Header, int Scroll, int Client, int Right)> Tables) TableWidths(string html, int width)
    {
        var probe = Path.Combine(Path.GetDirectoryName(html)!, $"probe-{width}.html");
        File.WriteAllText(probe, File.ReadAllText(html).Replace("</body>", """
            <script>window.addEventListener('load', () => document.body.setAttribute('data-lmev-check', JSON.stringify({
              width: window.innerWidth,
              tables: Array.from(document.querySelectorAll('table')).map(t => {
                let h = t.previousElementSibling;
                while (h && !/^H[1-6]$/.test(h.tagName)) h = h.previousElementSibling;
                return { heading: h ? h.textContent : '', header: Array.from(t.querySelectorAll('th')).slice(0, 3).map(c => c.textContent).join(' | '),
                         scroll: t.scrollWidth, client: t.clientWidth, right: Math.ceil(t.getBoundingClientRect().right) }; }) })));</script></body>
            """));
        using var profile = new TempDir();
        var dom = RunChromium(profile, $"--window-size={width},2000", "--virtual-time-budget=10000", "--dump-dom", new Uri(probe).AbsoluteUri);
        File.Delete(probe);
        var match = CheckAttribute().Match(dom);
        Assert.True(match.Success, "the page did not finish loading");
        var check = JsonDocument.Parse(System.Net.WebUtility.HtmlDecode(match.Groups[1].Value)).RootElement;
        return (check.GetProperty("width").GetInt32(), check.GetProperty("tables").EnumerateArray().Select(t => (t.GetProperty("heading").GetString()!, t.GetProperty("header").GetString()!,
            t.GetProperty("scroll").GetInt32(), t.GetProperty("client").GetInt32(), t.GetProperty("right").GetInt32())).ToList());
    }

    [SkippableFact]
    public void At_1280_px_no_table_of_the_report_scrolls_sideways()
    {
        Skip.If(Chromium is null, "chromium is not installed (apt-get install chromium; .ci/run does)");
        using var dir = new TempDir();
        var (demoRuns, models) = Runs.DemoShaped(dir);
        ReportTests.Report(dir, demoRuns, "demo-shaped", models: models);
        var demo = Path.Combine(AppContext.BaseDirectory, "report", "demo-shaped", Lmev.Stages.Report.ReportStage.Html);
        var small = ReportTests.WriteSmallReport(dir);
        var measured = new[] { demo, small }.Select(html =>
        {
            var (width, tables) = TableWidths(html, 1280);
            output.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(html))} at {width} px: {tables.Count} tables");
            foreach (var t in tables) output.WriteLine($"  {t.Heading} [{t.Header}]: scrollWidth {t.Scroll}, clientWidth {t.Client}, right edge at {t.Right} px");
            return (width, tables);
        }).ToList();

        // Screenshots of the demo-shaped report at 1280 px, each from one section on (headless Chromium does not scroll to
        // an anchor before it shoots, so a copy of the page drops what comes before): look at them.
        foreach (var (name, anchor) in new[] { ("report-1280-top.png", "datos"), ("report-1280-comparisons.png", "comparaciones-entre-modelos-comparables"),
                     ("report-1280-runs.png", "todas-las-ejecuciones") })
        {
            var shot = Path.Combine(AppContext.BaseDirectory, "report", name);
            File.Delete(shot);
            var from = Path.Combine(Path.GetDirectoryName(demo)!, $"from-{anchor}.html");
            File.WriteAllText(from, File.ReadAllText(demo).Replace("</body>", $$"""
                <script>const at = document.getElementById('{{anchor}}'); while (at.previousElementSibling) at.previousElementSibling.remove();</script></body>
                """));
            using var p2 = new TempDir();
            RunChromium(p2, "--window-size=1280,1400", $"--screenshot={shot}", new Uri(from).AbsoluteUri);
            File.Delete(from);
            Assert.True(File.Exists(shot) && new FileInfo(shot).Length > 10_000, $"no screenshot at {shot}");
            output.WriteLine($"screenshot: {shot}");
        }

        foreach (var (width, tables) in measured)
        {
            Assert.Equal(1280, width);
            Assert.True(tables.Count >= 5, $"{tables.Count} tables");
            Assert.All(tables, t => Assert.True(t.Scroll <= t.Client && t.Right <= width,
                $"table under '{t.Heading}' ({t.Header}) needs {t.Scroll} px and has {t.Client} (right edge at {t.Right} of {width})"));
        }
    }

    [SkippableFact]
    public void A_report_with_hostile_names_runs_no_script_and_shows_the_names_as_written()
    {
        Skip.If(Chromium is null, "chromium is not installed (apt-get install chromium; .ci/run does)");
        using var dir = new TempDir();
        var (_, html, _) = ReportTests.Report(dir, ReportTests.HostileRuns(dir), "hostile");
        var probe = Path.Combine(dir.Path, "probe.html");
        // The probe runs last: it records whether any script from the data ran (they set window.lmevPwned),
        // how many script and img elements the page holds, and whether each hostile name is in the text as written.
        var names = JsonSerializer.Serialize(ReportTests.Hostile.Concat(Runs.Categories).ToArray());
        File.WriteAllText(probe, html.Replace("</body>", $$"""
            <script>window.addEventListener('load', () => {
              const text = document.body.innerText;
              document.body.setAttribute('data-lmev-check', JSON.stringify({
                pwned: window.lmevPwned === undefined ? 0 : window.lmevPwned,
                scripts: document.querySelectorAll('script').length,
                images: Array.from(document.images).map(i => i.naturalWidth),
                shown: {{names}}.map(n => text.includes(n)) })); });</script></body>
            """));
        using var profile = new TempDir();
        var dom = RunChromium(profile, "--virtual-time-budget=10000", "--dump-dom", new Uri(probe).AbsoluteUri);
        var match = CheckAttribute().Match(dom);
        Assert.True(match.Success, "the page did not finish loading");
        var check = JsonDocument.Parse(System.Net.WebUtility.HtmlDecode(match.Groups[1].Value)).RootElement;
        output.WriteLine(check.ToString());
        Assert.Equal(0, check.GetProperty("pwned").GetInt32());
        Assert.Equal(1, check.GetProperty("scripts").GetInt32()); // the probe's own
        var widths = check.GetProperty("images").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(Lmev.Stages.Plot.PlotStage.Figures.Count - 1, widths.Length); // the figures, no <img> from the data
        Assert.All(widths, w => Assert.True(w > 0, "an image did not load"));
        Assert.All(check.GetProperty("shown").EnumerateArray(), (e, i) => Assert.True(e.GetBoolean(), $"'{ReportTests.Hostile.Concat(Runs.Categories).ElementAt(i)}' is not shown as written"));

        var shot = Path.Combine(AppContext.BaseDirectory, "report", "report-hostile.png");
        File.Delete(shot);
        using var p2 = new TempDir();
        RunChromium(p2, "--window-size=1280,6000", $"--screenshot={shot}", new Uri(Path.Combine(AppContext.BaseDirectory, "report", "hostile", Lmev.Stages.Report.ReportStage.Html)).AbsoluteUri);
        output.WriteLine($"screenshot: {shot}");
    }
}
