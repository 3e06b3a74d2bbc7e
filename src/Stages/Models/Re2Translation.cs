using System.Text;
using System.Text.RegularExpressions;

namespace Lmev.Models;

/// <summary>
/// Turns the RE2 pattern and rewrite of a graph's <c>RegexReplace</c> into a .NET regex that matches the same text, or
/// says why it cannot. Only constructs whose meaning is the same in both engines pass, after rewriting the ones RE2
/// defines as ASCII (<c>\d \s \w</c>, github.com/google/re2/wiki/Syntax) into explicit classes; anything else (word
/// boundaries, scripts, POSIX classes, flags, look-arounds RE2 lacks) is refused rather than guessed.
/// </summary>
/// <remarks>.NET matches UTF-16 code units where RE2 matches code points: a class or <c>.</c> meets a character
/// outside the BMP as two units. <see cref="TextRewrite.IsPunctuationDeletion"/> (the NNLM modules' only regex) is
/// applied by code point instead.</remarks>
public static class Re2Translation
{
    public static Regex Pattern(string re2)
    {
        var net = new StringBuilder();
        var inClass = false;
        for (var i = 0; i < re2.Length; i++)
        {
            var c = re2[i];
            if (c == '\\')
            {
                if (i + 1 >= re2.Length) throw Refuse(re2, "it ends with a lone backslash");
                var e = re2[++i];
                switch (e)
                {
                    case 'd': net.Append(inClass ? "0-9" : "[0-9]"); break;
                    case 's': net.Append(inClass ? @"\t\n\f\r " : @"[\t\n\f\r ]"); break;
                    case 'w': net.Append(inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]"); break;
                    case 'D' or 'S' or 'W' when !inClass:
                        net.Append(e switch { 'D' => "[^0-9]", 'S' => @"[^\t\n\f\r ]", _ => "[^0-9A-Za-z_]" });
                        break;
                    case 'p' or 'P':
                        string category;
                        if (i + 1 < re2.Length && re2[i + 1] == '{')
                        {
                            var close = re2.IndexOf('}', i + 2);
                            if (close < 0) throw Refuse(re2, $"\\{e}{{ is not closed");
                            category = re2[(i + 2)..close];
                            i = close;
                        }
                        else if (i + 1 < re2.Length) category = re2[++i].ToString();
                        else throw Refuse(re2, $"\\{e} has no class name");
                        if (!IsGeneralCategory(category)) throw Refuse(re2, $"\\{e}{{{category}}} is not a Unicode general category (scripts are matched differently by .NET)");
                        net.Append('\\').Append(e).Append('{').Append(category).Append('}');
                        break;
                    case 'Q' or 'E':
                        throw Refuse(re2, @"\Q…\E quoting is not translated");
                    case >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' when !"tnfrvaxAz".Contains(e):
                        throw Refuse(re2, $"the escape \\{e} has no same meaning in .NET (or none in RE2)");
                    default:
                        net.Append('\\').Append(e); // \t \n \x.. and escaped punctuation mean the same in both
                        break;
                }
                continue;
            }
            if (inClass)
            {
                if (c == '[' && i + 1 < re2.Length && re2[i + 1] == ':') throw Refuse(re2, "POSIX classes ([:alpha:]) are not translated");
                if (c == ']') inClass = false;
                net.Append(c);
                continue;
            }
            switch (c)
            {
                case '[':
                    inClass = true;
                    net.Append(c);
                    if (i + 1 < re2.Length && re2[i + 1] == '^') net.Append(re2[++i]);
                    if (i + 1 < re2.Length && re2[i + 1] == ']') { net.Append(@"\]"); i++; } // a leading ] is literal in RE2
                    break;
                case '(' when i + 1 < re2.Length && re2[i + 1] == '?':
                    if (re2.AsSpan(i).StartsWith("(?:")) { net.Append("(?:"); i += 2; }
                    else if (re2.AsSpan(i).StartsWith("(?P<")) { net.Append("(?<"); i += 3; }
                    else throw Refuse(re2, "its (?…) group (flags or another form) is not translated");
                    break;
                default:
                    net.Append(c);
                    break;
            }
        }
        if (inClass) throw Refuse(re2, "a [ class is not closed");
        try { return new Regex(net.ToString(), RegexOptions.CultureInvariant); }
        catch (ArgumentException e) { throw Refuse(re2, $".NET does not parse its translation ({e.Message})"); }
    }

    /// <summary>RE2's rewrite (<c>\0</c>–<c>\9</c> groups, <c>\\</c> a backslash) as a .NET replacement string.</summary>
    public static string Rewrite(string re2, string pattern)
    {
        var net = new StringBuilder();
        for (var i = 0; i < re2.Length; i++)
        {
            var c = re2[i];
            if (c == '$') { net.Append("$$"); continue; }
            if (c != '\\') { net.Append(c); continue; }
            if (i + 1 >= re2.Length) throw new Pipeline.LmevException($"the RE2 rewrite {TextRewrite.Quote(re2)} (pattern {TextRewrite.Quote(pattern)}) ends with a lone backslash; RE2 refuses it too.");
            var e = re2[++i];
            if (e == '\\') net.Append('\\');
            else if (e is >= '0' and <= '9') net.Append("${").Append(e).Append('}');
            else throw new Pipeline.LmevException($"the RE2 rewrite {TextRewrite.Quote(re2)} (pattern {TextRewrite.Quote(pattern)}) has \\{e}; RE2 allows only \\0–\\9 and \\\\.");
        }
        return net.ToString();
    }

    private static bool IsGeneralCategory(string name) => name is "L" or "Lu" or "Ll" or "Lt" or "Lm" or "Lo" or "M" or "Mn" or "Mc" or "Me"
        or "N" or "Nd" or "Nl" or "No" or "P" or "Pc" or "Pd" or "Ps" or "Pe" or "Pi" or "Pf" or "Po" or "S" or "Sm" or "Sc" or "Sk" or "So"
        or "Z" or "Zs" or "Zl" or "Zp" or "C" or "Cc" or "Cf" or "Cs" or "Co";

    private static Pipeline.LmevException Refuse(string pattern, string why) =>
        new($"the RE2 pattern {TextRewrite.Quote(pattern)} cannot be applied exactly by lmev: {why}. " +
            "lmev applies a graph's regex only where .NET matches the same text; a model that needs this pattern is not supported.");
}
