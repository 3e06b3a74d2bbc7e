using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lmev.Workflows.Expressions;

/// <summary>
/// GitHub Actions' expression language (docs.github.com, "Evaluate expressions in workflows and actions"): literals, context
/// lookups (<c>inputs.experiment</c>, <c>needs.prepare.outputs.models</c>, <c>matrix['model']</c>), <c>! == != &lt; &lt;= &gt; &gt;= &amp;&amp; ||</c>
/// with GitHub's truthiness (<c>||</c> yields the first truthy operand), and the functions workflows use: contains, startsWith,
/// endsWith, format, join, toJSON, fromJSON, hashFiles, success, always, failure, cancelled. Values are JSON nodes (null is null).
/// Anything else is an error naming it, so that a workflow using more than this harness models fails loudly rather than oddly.
/// </summary>
public sealed class Expression
{
    private readonly List<Token> _tokens;
    private int _at;
    private readonly EvaluationContext _context;

    private Expression(string text, EvaluationContext context)
    {
        _tokens = Tokenize(text);
        _context = context;
    }

    /// <summary>The value of <paramref name="text"/> (what stands between <c>${{</c> and <c>}}</c>).</summary>
    public static JsonNode? Evaluate(string text, EvaluationContext context)
    {
        var e = new Expression(text, context);
        var value = e.Or();
        if (e._at < e._tokens.Count) throw new WorkflowException($"expression '{text}': unexpected '{e._tokens[e._at].Text}'");
        return value;
    }

    /// <summary>
    /// A YAML scalar with <c>${{ … }}</c> in it: a scalar that is one expression keeps its value's type (an array for
    /// <c>matrix.model: ${{ fromJSON(…) }}</c>); otherwise each expression is replaced by its value as a string.
    /// </summary>
    public static JsonNode? Interpolate(string text, EvaluationContext context)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("${{", StringComparison.Ordinal) && End(trimmed, 3) == trimmed.Length - 2)
            return Evaluate(trimmed[3..^2], context);
        return JsonValue.Create(InterpolateString(text, context));
    }

    /// <summary>Every <c>${{ … }}</c> in <paramref name="text"/> replaced by its value as a string.</summary>
    public static string InterpolateString(string text, EvaluationContext context)
    {
        var result = new StringBuilder();
        var at = 0;
        while (true)
        {
            var start = text.IndexOf("${{", at, StringComparison.Ordinal);
            if (start < 0) break;
            var end = End(text, start + 3);
            if (end < 0) throw new WorkflowException($"'{text}': '${{{{' without its '}}}}'");
            result.Append(text, at, start - at).Append(AsString(Evaluate(text[(start + 3)..end], context)));
            at = end + 2;
        }
        return result.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>Where the expression starting at <paramref name="from"/> ends: the first <c>}}</c> outside a 'string'; -1 if none.</summary>
    private static int End(string text, int from)
    {
        var quoted = false;
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '\'') quoted = !quoted; // '' inside a string toggles twice
            else if (!quoted && text[i] == '}' && i + 1 < text.Length && text[i + 1] == '}') return i;
        }
        return -1;
    }

    /// <summary>GitHub's string conversion: null is empty, booleans are true/false, numbers invariant, objects and arrays as JSON.</summary>
    public static string AsString(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue<double>(out var d) => d.ToString(CultureInfo.InvariantCulture),
        _ => value.ToJsonString(),
    };

    /// <summary>GitHub's truthiness: false, 0, -0, "", null and NaN are false; everything else (objects, arrays too) is true.</summary>
    public static bool IsTruthy(JsonNode? value) => value switch
    {
        null => false,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length > 0,
        JsonValue v when v.TryGetValue<double>(out var d) => d != 0 && !double.IsNaN(d),
        _ => true,
    };

    // ---- grammar: or := and ('||' and)*; and := cmp ('&&' cmp)*; cmp := unary (op unary)?; unary := '!' unary | postfix ----

    private JsonNode? Or()
    {
        var left = And();
        while (Accept("||")) { var right = And(); left = IsTruthy(left) ? left : right; }
        return left;
    }

    private JsonNode? And()
    {
        var left = Comparison();
        while (Accept("&&")) { var right = Comparison(); left = IsTruthy(left) ? right : left; }
        return left;
    }

    private JsonNode? Comparison()
    {
        var left = Unary();
        foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
        {
            if (!Accept(op)) continue;
            var right = Unary();
            var order = Compare(left, right);
            return JsonValue.Create(op switch
            {
                "==" => order == 0,
                "!=" => order != 0,
                "<" => order < 0,
                "<=" => order <= 0,
                ">" => order > 0,
                _ => order >= 0,
            });
        }
        return left;
    }

    private JsonNode? Unary() => Accept("!") ? JsonValue.Create(!IsTruthy(Unary())) : Postfix();

    private JsonNode? Postfix()
    {
        var value = Primary();
        while (true)
        {
            if (Accept("."))
                value = Member(value, Expect(TokenKind.Identifier).Text);
            else if (Accept("["))
            {
                var index = Or();
                Expect("]");
                value = value is JsonArray array && index is JsonValue n && n.TryGetValue<double>(out var i)
                    ? (i >= 0 && i < array.Count ? array[(int)i]?.DeepClone() : null)
                    : Member(value, AsString(index));
            }
            else return value;
        }
    }

    private JsonNode? Primary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.String: return JsonValue.Create(token.Text);
            case TokenKind.Number: return JsonValue.Create(double.Parse(token.Text, CultureInfo.InvariantCulture));
            case TokenKind.Punctuation when token.Text == "(":
                var inner = Or();
                Expect(")");
                return inner;
            case TokenKind.Identifier when token.Text is "true" or "false": return JsonValue.Create(token.Text == "true");
            case TokenKind.Identifier when token.Text == "null": return null;
            case TokenKind.Identifier when Peek("("):
                Next();
                var args = new List<JsonNode?>();
                if (!Accept(")"))
                {
                    do args.Add(Or()); while (Accept(","));
                    Expect(")");
                }
                return Functions.Call(token.Text, args, _context);
            case TokenKind.Identifier:
                return _context.Lookup(token.Text)?.DeepClone();
            default:
                throw new WorkflowException($"expression: unexpected '{token.Text}'");
        }
    }

    /// <summary><c>a.b</c> or <c>a['b']</c>: a case-insensitive property of an object; null on anything else, as GitHub does.</summary>
    private static JsonNode? Member(JsonNode? value, string name) =>
        value is JsonObject o ? o.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.DeepClone() : null;

    /// <summary>GitHub's loose comparison: strings case-insensitively, other mixes as numbers.</summary>
    private static int Compare(JsonNode? a, JsonNode? b)
    {
        if (a is JsonValue x && b is JsonValue y && x.TryGetValue<string>(out var s) && y.TryGetValue<string>(out var t))
            return string.Compare(s, t, StringComparison.OrdinalIgnoreCase);
        if (a is JsonObject or JsonArray || b is JsonObject or JsonArray) return ReferenceEquals(a, b) ? 0 : 1;
        return AsNumber(a).CompareTo(AsNumber(b));
    }

    private static double AsNumber(JsonNode? value) => value switch
    {
        null => 0,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? 1 : 0,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) =>
            s.Trim().Length == 0 ? 0 : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : double.NaN,
        _ => double.NaN,
    };

    // ---- tokens ----

    private enum TokenKind { Identifier, String, Number, Punctuation }

    private sealed record Token(TokenKind Kind, string Text);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '\'')
            {
                var s = new StringBuilder();
                for (i++; ; i++)
                {
                    if (i >= text.Length) throw new WorkflowException($"expression '{text}': a string without its closing quote");
                    if (text[i] == '\'' && i + 1 < text.Length && text[i + 1] == '\'') { s.Append('\''); i++; continue; }
                    if (text[i] == '\'') { i++; break; }
                    s.Append(text[i]);
                }
                tokens.Add(new(TokenKind.String, s.ToString()));
            }
            else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var start = i++;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] is '.' or 'e' or 'E')) i++;
                tokens.Add(new(TokenKind.Number, text[start..i]));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-')) i++;
                tokens.Add(new(TokenKind.Identifier, text[start..i]));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                if (two is "||" or "&&" or "==" or "!=" or "<=" or ">=") { tokens.Add(new(TokenKind.Punctuation, two)); i += 2; }
                else if ("!<>().[],".Contains(c)) { tokens.Add(new(TokenKind.Punctuation, c.ToString())); i++; }
                else throw new WorkflowException($"expression '{text}': unexpected character '{c}'");
            }
        }
        return tokens;
    }

    private Token Next() => _at < _tokens.Count ? _tokens[_at++] : throw new WorkflowException("expression: it ends too early");

    private bool Peek(string punctuation) => _at < _tokens.Count && _tokens[_at] is { Kind: TokenKind.Punctuation } t && t.Text == punctuation;

    private bool Accept(string punctuation)
    {
        if (!Peek(punctuation)) return false;
        _at++;
        return true;
    }

    private void Expect(string punctuation)
    {
        if (!Accept(punctuation)) throw new WorkflowException($"expression: expected '{punctuation}'{(_at < _tokens.Count ? $", found '{_tokens[_at].Text}'" : " at its end")}");
    }

    private Token Expect(TokenKind kind)
    {
        var token = Next();
        return token.Kind == kind ? token : throw new WorkflowException($"expression: expected a name, found '{token.Text}'");
    }

    /// <summary>Serialises a value as toJSON does (indented).</summary>
    internal static string ToJson(JsonNode? value) => value?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";
}
