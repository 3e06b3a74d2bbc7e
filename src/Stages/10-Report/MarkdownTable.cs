namespace Lmev.Stages.Report;

/// <summary>A GitHub-flavoured pipe table (Markdig's pipe tables read the same form).</summary>
internal static class MarkdownTable
{
    /// <param name="align">One letter per column: 'l' left, 'r' right (numbers).</param>
    public static string Of(IReadOnlyList<string> header, string align, IEnumerable<IReadOnlyList<string>> rows)
    {
        var lines = new List<string>
        {
            Row(header),
            "|" + string.Concat(align.Select(a => a == 'r' ? " ---: |" : " --- |")),
        };
        lines.AddRange(rows.Select(Row));
        return string.Join('\n', lines) + "\n";
    }

    private static string Row(IReadOnlyList<string> cells) =>
        "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' '))) + " |";
}
