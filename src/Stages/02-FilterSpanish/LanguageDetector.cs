using System.Text;
using Lingua;
using Lmev.Pipeline;

namespace Lmev.Stages.FilterSpanish;

/// <summary>
/// For datasets without a language column: Lingua restricted to Spanish and Portuguese (the two
/// languages of MercadoLibre's titles), which is both faster and more accurate on short titles than
/// a detector choosing among all languages.
/// </summary>
public sealed class LanguageDetector
{
    private readonly Lingua.LanguageDetector _detector;
    private readonly Language _wanted;

    public LanguageDetector(string language)
    {
        if (!Enum.TryParse(language, ignoreCase: true, out _wanted))
            throw new LmevException($"filter.language: expected a language name such as 'spanish', found '{language}'");
        var languages = new HashSet<Language> { Language.Spanish, Language.Portuguese, _wanted };
        _detector = LanguageDetectorBuilder.FromLanguages(languages.ToArray()).Build();
        Description = $"Lingua detector ({string.Join(", ", languages.Select(l => l.ToString()).Order())})";
    }

    public string Description { get; }

    public bool IsWanted(ReadOnlySpan<byte> utf8Title) => _detector.DetectLanguageOf(Encoding.UTF8.GetString(utf8Title)) == _wanted;
}
