using Lmev.Pipeline;

namespace Lmev.Stages.Download;

/// <summary>
/// Writes one product title as a seller on MercadoLibre would: the product noun first, then some of
/// its qualifiers, a brand and model, family words, a unit, a colour and the usual sales words, in
/// 3–15 tokens, cut at 60 characters as the challenge's titles were. Casing, lost accents,
/// punctuation and double spaces follow the real titles. One instance reuses one buffer, so
/// <see cref="Compose"/> allocates nothing; the span it returns is valid until the next call.
/// </summary>
internal sealed class DemoTitleComposer
{
    public const int MinTokens = 3;
    public const int MaxTokens = 15;

    /// <summary>MercadoLibre's title limit: the 2019 challenge's titles are cut here.</summary>
    public const int MaxChars = 60;

    /// <summary>Tokens per title (3..15) in the proportions of the real Spanish titles.</summary>
    private static readonly int[] TokenWeights = [24, 39, 53, 66, 84, 101, 95, 67, 35, 15, 5, 2, 1];

    private static readonly int TokenWeightTotal = TokenWeights.Sum();

    private enum Casing { Title, AsWritten, Upper, Lower }

    private readonly char[] _title = new char[512];
    private readonly char[] _raw = new char[512];   // the same words as written in the vocabulary
    private readonly char[] _scratch = new char[64];
    private readonly string[] _used = new string[32];
    private SeededRandom _rng = null!;
    private int _length;
    private int _rawLength;
    private int _tokens;
    private int _limit;
    private Casing _casing;
    private bool _dropAccents;
    private bool _mayOverflow;
    private int _usedCount;
    private int _modelCodes;
    private bool _unit;

    public ReadOnlySpan<char> Compose(SeededRandom rng, DemoCategory category, DemoLanguage language)
    {
        _rng = rng;
        _length = 0;
        _rawLength = 0;
        _tokens = 0;
        _usedCount = 0;
        _modelCodes = 0;
        _unit = false;
        _limit = SampleTokenTarget();
        // Most sellers stop before the limit; the rest type on and are cut mid-word.
        _mayOverflow = Chance(0.3);
        var r = rng.NextDouble();
        _casing = r < 0.90 ? Casing.Title : r < 0.95 ? Casing.AsWritten : r < 0.98 ? Casing.Upper : Casing.Lower;
        _dropAccents = Chance(language == DemoLanguage.Spanish ? 0.3 : 0.15);

        var family = category.Family;
        var qualifiers = category.Qualifiers.In(language);

        var head = Pick(category.Nouns.In(language));
        _limit = Math.Max(_limit, Words(head));   // the product noun is never left out
        if (Chance(0.07))
        {
            var lead = Pick(DemoVocabulary.Lead.In(language));   // "Kit Cuchillos", not "Juego Juego De Comedor"
            if (Words(lead) + Words(head) <= _limit && !HoldsWord(head, lead)) Add(lead);
        }
        Emit(head);
        Remember(head);
        if (Chance(0.8)) EmitQualifier(Pick(qualifiers));
        var commaAt = Chance(0.05) ? _length : 0;   // "Mochila Maternal, Portamamadera"
        if (Chance(0.12)) EmitSibling(category, language);
        if (Chance(0.55)) EmitBrand(family);
        if (Chance(0.3)) EmitQualifier(Pick(qualifiers));
        if (Chance(0.45)) Add(Pick(family.Words.In(language)));
        if (family.Units != UnitKind.None && Chance(0.5)) EmitUnit(family.Units, language);
        if (family.Colours && Chance(0.3)) EmitQualifier(Pick(DemoVocabulary.Colours.In(language)));
        if (Chance(0.3)) EmitGeneric(language, dash: Chance(0.25));

        for (var attempt = 0; _tokens < _limit && attempt < 8; attempt++)
        {
            var slot = rng.NextDouble();
            if (slot < 0.35) EmitQualifier(Pick(qualifiers));
            else if (slot < 0.6) Add(Pick(family.Words.In(language)));
            else if (slot < 0.75) EmitGeneric(language, dash: false);
            else if (slot < 0.85 && _modelCodes < 2) EmitModelCode();
            else if (family.Units != UnitKind.None) EmitUnit(family.Units, language);
        }
        var filler = DemoVocabulary.Filler.In(language);
        for (var i = 0; _tokens < MinTokens && i < 2 * filler.Length; i++) Emit(filler[i % filler.Length]);

        if (commaAt > 0 && commaAt < _length) Insert(commaAt, ',');
        if (Chance(0.04)) Glue(_rng.NextInt(3) == 0 ? "!!!" : "!");
        if (Chance(0.08)) DoubleOneSpace();
        if (_length > MaxChars) Truncate();
        else if (_length < MaxChars && Chance(0.06)) _title[_length++] = ' ';   // as in ~8 % of the real titles
        return _title.AsSpan(0, _length);
    }

    private int SampleTokenTarget()
    {
        var x = _rng.NextInt(TokenWeightTotal);
        for (var i = 0; i < TokenWeights.Length; i++)
        {
            x -= TokenWeights[i];
            if (x < 0) return MinTokens + i;
        }
        return MaxTokens;
    }

    private bool Chance(double p) => _rng.NextDouble() < p;

    private T Pick<T>(T[] items) => items[_rng.NextInt(items.Length)];

    private static int Words(ReadOnlySpan<char> phrase) => phrase.Count(' ') + 1;

    /// <summary>Appends a phrase unless the title holds it already (real titles repeat words, but rarely).</summary>
    private bool Add(string phrase)
    {
        if (Holds(phrase) || !Emit(phrase)) return false;
        Remember(phrase);
        return true;
    }

    private void Remember(string phrase)
    {
        if (_usedCount < _used.Length) _used[_usedCount++] = phrase;
    }

    /// <summary>Whether the title already holds the phrase or one of its longer words ("Jaqueta Motociclista Motociclista").</summary>
    private bool Holds(string phrase)
    {
        for (var i = 0; i < _usedCount; i++)
            if (string.Equals(_used[i], phrase, StringComparison.Ordinal)) return true;
        var raw = _raw.AsSpan(0, _rawLength);
        foreach (var range in phrase.AsSpan().Split(' '))
        {
            var word = phrase.AsSpan(range);
            if (word.Length >= 4 && HoldsWord(raw, word)) return true;
        }
        return false;
    }

    private static bool HoldsWord(ReadOnlySpan<char> text, ReadOnlySpan<char> word)
    {
        for (var at = text.IndexOf(word); at >= 0; )
        {
            var end = at + word.Length;
            if ((at == 0 || text[at - 1] == ' ') && (end == text.Length || text[end] == ' ')) return true;
            var next = text[(at + 1)..].IndexOf(word);
            at = next < 0 ? -1 : at + 1 + next;
        }
        return false;
    }

    /// <summary>
    /// Appends a phrase as whole tokens, or nothing when it would pass the title's token target or,
    /// for most titles, the character limit.
    /// </summary>
    private bool Emit(ReadOnlySpan<char> phrase)
    {
        var words = Words(phrase);
        if (_tokens + words > _limit) return false;
        if (_length > 0 && _length + 1 + phrase.Length > MaxChars && !(_mayOverflow && _length < MaxChars)) return false;
        if (_length > 0)
        {
            _title[_length++] = ' ';
            _raw[_rawLength++] = ' ';
        }
        foreach (var c in phrase) Put(c);
        phrase.CopyTo(_raw.AsSpan(_rawLength));
        _rawLength += phrase.Length;
        _tokens += words;
        return true;
    }

    /// <summary>A qualifier, now and then in parentheses, "con X"/"com X" now and then shortened to "c/ X".</summary>
    private void EmitQualifier(string phrase)
    {
        if (Holds(phrase)) return;
        Remember(phrase);
        if (phrase.Length > 4 && phrase.Length <= _scratch.Length && (phrase.StartsWith("con ", StringComparison.Ordinal) || phrase.StartsWith("com ", StringComparison.Ordinal)) && Chance(0.15))
        {
            _scratch[0] = 'c';
            _scratch[1] = '/';
            phrase.AsSpan(3).CopyTo(_scratch.AsSpan(2));
            Emit(_scratch.AsSpan(0, phrase.Length - 1));
            return;
        }
        if (Chance(0.05) && phrase.Length + 2 <= _scratch.Length)
        {
            _scratch[0] = '(';
            phrase.CopyTo(_scratch.AsSpan(1));
            _scratch[phrase.Length + 1] = ')';
            Emit(_scratch.AsSpan(0, phrase.Length + 2));
            return;
        }
        if (Chance(0.01) && phrase.Length + 2 <= _scratch.Length)
        {
            _scratch[0] = '"';
            phrase.CopyTo(_scratch.AsSpan(1));
            _scratch[phrase.Length + 1] = '"';
            Emit(_scratch.AsSpan(0, phrase.Length + 2));
            return;
        }
        Emit(phrase);
    }

    /// <summary>A product of a related category bundled or mentioned: "Celular + Funda", "Capa Com Película".</summary>
    private void EmitSibling(DemoCategory category, DemoLanguage language)
    {
        var siblings = DemoVocabulary.Siblings[category];
        if (siblings.Length == 0) return;
        var noun = Pick(siblings[_rng.NextInt(siblings.Length)].Nouns.In(language));
        var joiner = Pick(DemoVocabulary.Joiners.In(language));
        if (Holds(noun)) return;
        var (length, rawLength, tokens) = (_length, _rawLength, _tokens);
        if (Emit(joiner) && Emit(noun)) return;
        (_length, _rawLength, _tokens) = (length, rawLength, tokens);   // never leave a dangling "+"
    }

    /// <summary>A sales word ("envío gratis", "frete grátis"), sometimes after a dash.</summary>
    private void EmitGeneric(DemoLanguage language, bool dash)
    {
        var phrase = Pick(DemoVocabulary.Generic.In(language));
        var (length, rawLength, tokens) = (_length, _rawLength, _tokens);
        if ((!dash || Emit("-")) && Add(phrase)) return;
        (_length, _rawLength, _tokens) = (length, rawLength, tokens);
    }

    private void EmitBrand(DemoFamily family)
    {
        var brand = Pick(family.Brands);
        var (length, rawLength, tokens) = (_length, _rawLength, _tokens);
        var forBrand = family.Compatible && Chance(0.2) && Emit("para");   // "Funda Para Samsung"
        if (!Add(brand))
        {
            if (forBrand) (_length, _rawLength, _tokens) = (length, rawLength, tokens);
            return;
        }
        if (Chance(0.4)) EmitModelCode();
    }

    /// <summary>A model reference such as "a10", "kd-250", "ld882", "mk5".</summary>
    private void EmitModelCode()
    {
        var n = 0;
        var letters = 1 + _rng.NextInt(3);
        for (var i = 0; i < letters; i++) _scratch[n++] = (char)('a' + _rng.NextInt(26));
        if (Chance(0.3)) _scratch[n++] = '-';
        var digits = 1 + _rng.NextInt(4);
        _scratch[n++] = (char)('1' + _rng.NextInt(9));
        for (var i = 1; i < digits; i++) _scratch[n++] = (char)('0' + _rng.NextInt(10));
        if (Chance(0.2)) _scratch[n++] = (char)('a' + _rng.NextInt(26));
        if (Emit(_scratch.AsSpan(0, n))) _modelCodes++;
    }

    /// <summary>A quantity in one of the family's units: "500 ml", "32gb", "1.5 kg", "x 2 unidades".</summary>
    private void EmitUnit(UnitKind kinds, DemoLanguage language)
    {
        if (_unit) return;
        // Pick one of the family's unit kinds, then one of its forms.
        var count = System.Numerics.BitOperations.PopCount((uint)kinds);
        var which = _rng.NextInt(count);
        var kind = UnitKind.None;
        for (var bit = 1; bit <= (int)UnitKind.Year; bit <<= 1)
        {
            if (((int)kinds & bit) == 0) continue;
            if (which-- == 0) { kind = (UnitKind)bit; break; }
        }
        var unit = Pick(DemoVocabulary.Units(kind, language));
        var n = 0;
        var previous = 0;
        for (var i = 0; i < unit.Parts.Length; i++)
        {
            if (i > 0)
            {
                // Several numbers ("40x60 cm", "2012 a 2017") are drawn in ascending order.
                previous += _rng.NextInt(unit.Numbers.Length - previous);
                var number = unit.Numbers[previous];
                number.CopyTo(_scratch.AsSpan(n));
                n += number.Length;
            }
            unit.Parts[i].CopyTo(_scratch.AsSpan(n));
            n += unit.Parts[i].Length;
        }
        _unit = Emit(_scratch.AsSpan(0, n));
    }

    /// <summary>Punctuation stuck to the previous token ("Cambiador,", "Oferta!!!").</summary>
    private void Glue(ReadOnlySpan<char> text)
    {
        if (_length == 0) return;
        foreach (var c in text) _title[_length++] = c;
    }

    private void Insert(int at, char c)
    {
        _title.AsSpan(at, _length - at).CopyTo(_title.AsSpan(at + 1));
        _title[at] = c;
        _length++;
    }

    /// <summary>About 8 % of real titles hold a double space, where a character was removed.</summary>
    private void DoubleOneSpace()
    {
        var spaces = _title.AsSpan(0, _length).Count(' ');
        if (spaces == 0) return;
        var target = _rng.NextInt(spaces);
        for (var i = 0; i < _length; i++)
        {
            if (_title[i] != ' ' || target-- != 0) continue;
            Insert(i, ' ');
            return;
        }
    }

    /// <summary>Cuts at <see cref="MaxChars"/>, mid-word or before a trailing space as the real titles are, keeping at least three tokens.</summary>
    private void Truncate()
    {
        var cut = _title.AsSpan(0, MaxChars);
        var tokens = 0;
        var inToken = false;
        foreach (var c in cut)
        {
            if (c == ' ') inToken = false;
            else if (!inToken) { inToken = true; tokens++; }
        }
        if (tokens >= MinTokens) _length = MaxChars;
    }

    private void Put(char c)
    {
        if (_dropAccents) c = WithoutAccent(c);
        var wordStart = _length == 0 || _title[_length - 1] == ' ';
        _title[_length++] = _casing switch
        {
            Casing.Title => wordStart ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c),
            Casing.Upper => char.ToUpperInvariant(c),
            Casing.Lower => char.ToLowerInvariant(c),
            _ => c,
        };
    }

    /// <summary>Sellers often type without accents ("Lampara", "Posicion"); ñ mostly survives.</summary>
    private static char WithoutAccent(char c) => c switch
    {
        'á' or 'à' or 'â' or 'ã' => 'a',
        'é' or 'ê' => 'e',
        'í' => 'i',
        'ó' or 'ô' or 'õ' => 'o',
        'ú' or 'ü' => 'u',
        'ç' => 'c',
        _ => c,
    };
}
