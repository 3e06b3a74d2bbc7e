namespace Lmev.Contracts.Results;

/// <summary>
/// Two models that differ in one factor alone, compared: <see cref="Difference"/> = mean BAC of A −
/// mean BAC of B (A holds the factor's first level: es before en, with normalisation before without,
/// the smaller dimension, fine-tune before frozen), its 95 % interval, the test (<c>"welch"</c>: Welch's
/// t over independent runs; <c>"paired-bootstrap"</c>: a paired bootstrap over the shared test titles;
/// <c>"none"</c>: no test possible), its statistic, degrees of freedom and p-value, the p-value after
/// Holm's correction over every comparison of the report, and whether that is below 0.05.
/// </summary>
public sealed record PairComparison(
    string Factor,
    string ModelA,
    string ModelB,
    string LevelA,
    string LevelB,
    int NA,
    int NB,
    double MeanA,
    double MeanB,
    double Difference,
    double? Low,
    double? High,
    string Test,
    double? Statistic,
    double? Df,
    double? P,
    double? PHolm,
    bool Significant)
{
    public const string Welch = "welch";
    public const string PairedBootstrap = "paired-bootstrap";
    public const string NoTest = "none";
}
