namespace Lmev.Stages.FilterSpanish;

/// <summary>How to read the source table and which rows to keep.</summary>
/// <param name="TitleColumn">Column holding the text to classify.</param>
/// <param name="CategoryColumn">Column holding the class label.</param>
/// <param name="LanguageColumn">Column naming each row's language; null: detect the language of the title.</param>
/// <param name="Language">Value of the language column to keep (MeLi: <c>spanish</c>); without a language column,
/// the language the detector must find, or <c>*</c> for a dataset already in one language (keep every row).</param>
public sealed record FilterParams(
    string TitleColumn = "title",
    string CategoryColumn = "category",
    string? LanguageColumn = "language",
    string Language = "spanish")
{
    public const string AnyLanguage = "*";
}
