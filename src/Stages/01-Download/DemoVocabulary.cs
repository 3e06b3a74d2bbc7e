using System.Text.Json;

namespace Lmev.Stages.Download;

/// <summary>
/// The word lists the demo titles are made of, read once from <c>DemoVocabulary.json</c> (beside this file, embedded in the
/// assembly): product families, categories named as MercadoLibre names them, units, colours and the words every seller uses.
/// <see cref="DemoTitleComposer"/> applies casing and accent loss. Editing a list changes every generated dataset: bump the
/// Download stage's version.
/// </summary>
internal static class DemoVocabulary
{
    private const string Resource = "Lmev.Stages.Download.DemoVocabulary.json";

    private static readonly JsonElement Data = Load();

    /// <summary>Words any seller uses, in any category.</summary>
    public static readonly Bilingual Generic = Pair(Data.GetProperty("generic"));

    /// <summary>Words that open a title before the product noun ("Kit Cuchillos ...").</summary>
    public static readonly Bilingual Lead = Pair(Data.GetProperty("lead"));

    /// <summary>Single words that always fit, used to reach the minimum of three tokens.</summary>
    public static readonly Bilingual Filler = Pair(Data.GetProperty("filler"));

    public static readonly Bilingual Colours = Pair(Data.GetProperty("colours"));

    /// <summary>Words that join an accessory or a second product: "+ Funda", "Con Tapa", "Com Capa".</summary>
    public static readonly Bilingual Joiners = Pair(Data.GetProperty("joiners"));

    /// <summary>Units, per kind and language: '#' is replaced by one of the numbers.</summary>
    private static readonly Dictionary<UnitKind, (DemoUnit[] Spanish, DemoUnit[] Portuguese)> UnitTable =
        Data.GetProperty("units").EnumerateObject().ToDictionary(u => Enum.Parse<UnitKind>(u.Name),
            u => (Units(u.Value.GetProperty("es")), Units(u.Value.GetProperty("pt"))));

    public static DemoUnit[] Units(UnitKind kind, DemoLanguage language) =>
        language == DemoLanguage.Spanish ? UnitTable[kind].Spanish : UnitTable[kind].Portuguese;

    /// <summary>Families: what related categories share.</summary>
    private static readonly Dictionary<string, DemoFamily> Families = Data.GetProperty("families").EnumerateObject().ToDictionary(f => f.Name,
        f => new DemoFamily(Split(f.Value.GetProperty("brands").GetString()!), new Bilingual(f.Value.GetProperty("es").GetString()!, f.Value.GetProperty("pt").GetString()!),
            Enum.Parse<UnitKind>(f.Value.GetProperty("units").GetString()!), f.Value.GetProperty("colours").GetBoolean(), f.Value.GetProperty("compatible").GetBoolean()));

    /// <summary>Every category the generator knows, in a fixed order; a seed picks which are used.</summary>
    public static readonly IReadOnlyList<DemoCategory> Catalogue = Data.GetProperty("categories").EnumerateArray()
        .Select(c => c.EnumerateArray().Select(x => x.GetString()!).ToArray())
        .Select(c => new DemoCategory(c[0], Families[c[1]], new Bilingual(c[2], c[3]), new Bilingual(c[4], c[5]))).ToList();

    /// <summary>For each category, the other categories of its family (whose nouns it sometimes mentions).</summary>
    public static readonly IReadOnlyDictionary<DemoCategory, DemoCategory[]> Siblings =
        Catalogue.ToDictionary(c => c, c => Catalogue.Where(o => o.Family == c.Family && o != c).ToArray());

    private static JsonElement Load()
    {
        using var stream = typeof(DemoVocabulary).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"the assembly has no resource {Resource} (src/Stages/01-Download/DemoVocabulary.json)");
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.Clone();
    }

    private static Bilingual Pair(JsonElement pair) => new(pair[0].GetString()!, pair[1].GetString()!);

    private static DemoUnit[] Units(JsonElement list) =>
        list.EnumerateArray().Select(u => new DemoUnit(u[0].GetString()!.Split('#'), Split(u[1].GetString()!))).ToArray();

    private static string[] Split(string list) => list.Length == 0 ? [""] : list.Split('|');
}

internal enum DemoLanguage { Spanish, Portuguese }

[Flags]
internal enum UnitKind
{
    None = 0, Storage = 1, Electric = 2, Volume = 4, Weight = 8, Length = 16, ScreenSize = 32,
    Pack = 64, ClothingSize = 128, ShoeSize = 256, Age = 512, Year = 1024,
}

/// <summary>A list of phrases in each language, given as <c>|</c>-separated strings.</summary>
internal sealed class Bilingual(string spanish, string portuguese)
{
    public string[] Spanish { get; } = spanish.Split('|');

    public string[] Portuguese { get; } = portuguese.Split('|');

    public string[] In(DemoLanguage language) => language == DemoLanguage.Spanish ? Spanish : Portuguese;
}

/// <summary>A unit written as fixed parts with a number between each pair: "x # unidades" → ["x ", " unidades"].</summary>
internal sealed record DemoUnit(string[] Parts, string[] Numbers);

/// <summary>
/// Related categories: they share brands, a few words, the units they are sold in, colours or not,
/// and whether parts and accessories are named by the brand they fit ("Funda Para Samsung").
/// </summary>
internal sealed record DemoFamily(string[] Brands, Bilingual Words, UnitKind Units, bool Colours, bool Compatible);

/// <summary>A category, its product nouns (the head of a title) and its qualifiers, in both languages.</summary>
internal sealed record DemoCategory(string Code, DemoFamily Family, Bilingual Nouns, Bilingual Qualifiers);
