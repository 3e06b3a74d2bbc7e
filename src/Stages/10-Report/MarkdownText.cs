namespace Lmev.Stages.Report;

/// <summary>
/// Text from data (category names and titles from a downloaded dataset, model names from experiment
/// files and metrics.json) put into the Markdown report as text: every character Markdown or HTML
/// could read as syntax is backslash-escaped (CommonMark lets any ASCII punctuation be escaped), line
/// breaks become spaces. <c>|</c> is left to <see cref="MarkdownTable"/>, which escapes it in cells.
/// </summary>
public static class MarkdownText
{
    private const string Special = "\\`*_[]<>~!#&{}()";

    public static string Escape(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '\r' or '\n') { sb.Append(' '); continue; }
            if (Special.Contains(c)) sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
