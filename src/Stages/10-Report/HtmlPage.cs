using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Renderers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Lmev.Stages.Report;

/// <summary>
/// index.html: the README rendered with Markdig (pipe tables, GitHub-style heading anchors, raw HTML
/// disabled: the text from data is escaped as it is put in the Markdown, and Markdig shows any HTML left as text) into one
/// self-contained file: figures embedded as base64 data URIs, a small inline stylesheet that reads
/// on a phone and on a desktop (bounded width, images that shrink; text in table cells wraps, numbers do not, so that at
/// 1280 px no table needs to scroll sideways, and on a phone a table too wide still scrolls within itself).
/// </summary>
internal static class HtmlPage
{
    public static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseAutoIdentifiers(AutoIdentifierOptions.GitHub)
        .DisableHtml() // raw HTML in the Markdown (a category named <img onerror=…>) is shown as text, never run
        .Build();

    private const string Css = """
        :root { color-scheme: light; }
        body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1f2328;
               max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 4rem; }
        h1 { font-size: 1.7rem; line-height: 1.25; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
        img { max-width: 100%; height: auto; display: block; margin: 1rem auto .25rem; }
        table { border-collapse: collapse; display: block; overflow-x: auto; max-width: 100%; margin: 1rem 0; font-size: .86rem;
                line-height: 1.35; font-variant-numeric: tabular-nums; }
        th, td { border: 1px solid #d0d7de; padding: .3rem .45rem; vertical-align: top; overflow-wrap: break-word; }
        th { background: #f6f8fa; vertical-align: bottom; } tr:nth-child(even) td { background: #fbfbfc; }
        td[style*="right"] { white-space: nowrap; }
        code { font-size: .88em; background: #f6f8fa; padding: .1em .3em; border-radius: 4px; word-break: break-all; }
        pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; border-radius: 6px; }
        a { color: #0969da; }
        @media (max-width: 40rem) { body { font-size: 15px; padding: .75rem; } h1 { font-size: 1.35rem; } }
        """;

    // Only what HTML requires: WebUtility.HtmlEncode would also turn every accent into an entity.
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <param name="images">File name (as linked in the Markdown) → PNG bytes.</param>
    public static string Render(string markdown, string title, IReadOnlyDictionary<string, byte[]> images)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var image in document.Descendants<LinkInline>().Where(l => l.IsImage && l.Url is not null))
            if (images.TryGetValue(image.Url!, out var png))
                image.Url = "data:image/png;base64," + Convert.ToBase64String(png);

        using var body = new StringWriter();
        var renderer = new HtmlRenderer(body);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        body.Flush();
        return $"""
            <!DOCTYPE html>
            <html lang="es">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Escape(title)}</title>
            <style>
            {Css}
            </style>
            </head>
            <body>
            {body}
            </body>
            </html>

            """;
    }
}
