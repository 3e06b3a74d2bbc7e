using System.Globalization;

namespace Lmev.Contracts.Results;

/// <summary>How the figures and the report (both in Spanish) name the study's groups and numbers.</summary>
public static class SpanishLabels
{
    public const string Bac = "Precisión balanceada";

    /// <summary>"Español", "Inglés", "Sin preentrenar" for a language code; the code itself otherwise.</summary>
    public static string Language(string code) => code switch
    {
        "es" => "Español",
        "en" => "Inglés",
        "pt" => "Portugués",
        "none" => "Sin preentrenar",
        _ => code,
    };

    public static string Normalization(string key) => key switch
    {
        "true" => "Con normalización",
        "false" => "Sin normalización",
        _ => key,
    };

    /// <summary>A score or loss with 4 decimals and a decimal point, as the study printed them.</summary>
    public static string Number(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    public static string Number(double? value, string absent = "—") => value is { } v ? Number(v) : absent;

    public static string Seconds(double value) => value.ToString(value >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture);
}
