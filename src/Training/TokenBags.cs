namespace Lmev.Training;

/// <summary>
/// Rows of token ids for a bag-of-embeddings model, in CSR form: row r holds
/// <c>Ids[Offsets[r] .. Offsets[r+1])</c>. <see cref="Offsets"/> has Rows + 1 entries, starts at 0,
/// never decreases, and ends at <c>Ids.Length</c>. A row may be empty (it embeds to zeros).
/// The ids are rows of the embedding table (vocabulary and OOV buckets, as the tokeniser made them).
/// </summary>
public sealed class TokenBags
{
    public TokenBags(long[] ids, long[] offsets)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(offsets);
        if (offsets.Length == 0 || offsets[0] != 0)
            throw new ArgumentException("Token bags: offsets must start with 0 and have one entry per row plus one.", nameof(offsets));
        for (int r = 1; r < offsets.Length; r++)
            if (offsets[r] < offsets[r - 1])
                throw new ArgumentException($"Token bags: offsets decrease at row {r - 1} ({offsets[r - 1]} then {offsets[r]}).", nameof(offsets));
        if (offsets[^1] != ids.LongLength)
            throw new ArgumentException($"Token bags: the last offset is {offsets[^1]} but there are {ids.LongLength} ids.", nameof(offsets));
        for (long i = 0; i < ids.LongLength; i++)
            if (ids[i] < 0)
                throw new ArgumentException($"Token bags: id {i} is {ids[i]}; ids must be >= 0.", nameof(ids));
        Ids = ids; Offsets = offsets;
    }

    public long[] Ids { get; }
    public long[] Offsets { get; }
    public int Rows => Offsets.Length - 1;
    public long MaxId => Ids.Length == 0 ? -1 : Ids.Max();
}
