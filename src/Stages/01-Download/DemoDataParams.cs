namespace Lmev.Stages.Download;

/// <summary>
/// Parameters of the generated demo dataset: MercadoLibre-shaped titles
/// (<c>title,label_quality,language,category</c>), Spanish and Portuguese, made from a seed.
/// </summary>
/// <param name="Rows">Rows to generate, both languages together.</param>
/// <param name="Categories">Number of categories (at least 100).</param>
/// <param name="SpanishFraction">Share of rows in Spanish; the rest are Portuguese.</param>
/// <param name="ReliableFraction">Share of rows marked <c>reliable</c>, which never carry label noise.</param>
/// <param name="UnreliableNoise">Share of <c>unreliable</c> rows whose category is replaced by a random one.</param>
/// <param name="Seed">Everything generated follows from this seed.</param>
public sealed record DemoDataParams(
    long Rows = 60_000,
    int Categories = 120,
    double SpanishFraction = 0.5,
    double ReliableFraction = 0.15,
    double UnreliableNoise = 0.08,
    ulong Seed = 2019);
