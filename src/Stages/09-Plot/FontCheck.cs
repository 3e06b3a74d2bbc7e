using Lmev.Pipeline;
using SkiaSharp;

namespace Lmev.Stages.Plot;

/// <summary>
/// ScottPlot draws no text at all, and raises no error, when the font it asks for resolves to no
/// typeface (a fresh container has no fonts). Checks before drawing that the family is installed
/// and has glyphs for the Spanish labels.
/// </summary>
public static class FontCheck
{
    public const string DefaultFamily = "DejaVu Sans";

    /// <summary>Letters the figures' Spanish labels use beyond ASCII.</summary>
    public const string SpanishSample = "ÉéáíóúñÑ¿¡ ±";

    public static void Require(string family)
    {
        var installed = SKFontManager.Default.FontFamilies.ToArray();
        var typeface = installed.Contains(family, StringComparer.OrdinalIgnoreCase) ? SKTypeface.FromFamilyName(family) : null;
        var hint = family == DefaultFamily
            ? "install it (Debian/Ubuntu: `apt-get install fonts-dejavu-core`)"
            : "install it, or set plot.font to an installed family (Debian/Ubuntu: `apt-get install fonts-dejavu-core` gives 'DejaVu Sans')";
        if (typeface is null)
            throw new LmevException($"plot.font: expected an installed font family '{family}', found {(installed.Length == 0 ? "no fonts at all" : $"only: {string.Join(", ", installed.Order().Take(12))}")}; " +
                $"without it the figures would have no text; {hint}");
        using (typeface)
        {
            if (!typeface.ContainsGlyphs(SpanishSample))
                throw new LmevException($"plot.font: font family '{family}' lacks glyphs for Spanish accents ({SpanishSample}); choose another family, e.g. '{DefaultFamily}' (Debian: fonts-dejavu-core)");
        }
    }
}
