using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lmev.Training;

/// <summary>
/// The fine-tune model: a trainable embedding table combined per row as the model's graph does
/// (TF-Hub's NNLM modules: <c>sqrtn</c>, the sum of the row's token vectors divided by the square root of its token
/// count; also <c>mean</c> and <c>sum</c>; an empty row gives zeros), followed by the <see cref="Mlp"/>.
/// </summary>
public sealed class BagOfEmbeddingsClassifier : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly EmbeddingBag bag;
    private readonly Mlp mlp;
    private readonly BagCombiner combiner;

    /// <param name="table">[vocabulary rows, dim] initial table; copied, the copy is trained.</param>
    public BagOfEmbeddingsClassifier(FeatureMatrix table, int classes, int hiddenSize = 512, double dropout = 0.25, BagCombiner combiner = BagCombiner.SqrtN)
        : base(nameof(BagOfEmbeddingsClassifier))
    {
        this.combiner = combiner;
        ArgumentNullException.ThrowIfNull(table);
        if (table.Rows == 0) throw new ArgumentException("The embedding table has no rows.", nameof(table));
        TableRows = table.Rows; Dim = table.Dim;
        // Not nn.EmbeddingBag_from_pretrained: in TorchSharp 0.107 it registers a fresh random table as
        // the module's parameter and puts the given one only in the member that forward reads
        // (THSNN_EmbeddingBag_from_pretrained), so parameters(), state_dict() and to(device) saw a random
        // table that nothing read, and the given one was never trained. Instead a 1-row EmbeddingBag
        // (its own table is not used: forward reads the weight member, and indices are checked against
        // that) gets the table through its weight property, whose setter sets both.
        // sparse: the table's gradient holds the rows a batch touched, not a table-sized tensor
        // (AdamUpdate still applies dense Adam to every row).
        bag = nn.EmbeddingBag(1, table.Dim, mode: EmbeddingBagMode.Sum, sparse: true);
        // from_array shares the managed array (torch.tensor would first copy it into a second managed
        // array); clone() makes the one native copy, which training writes and the caller's array is not.
        using (var shared = torch.from_array(table.Values))
        using (var initial = shared.view(table.Rows, table.Dim))
            bag.weight = new Parameter(initial.clone(), requires_grad: true);
        mlp = new Mlp(table.Dim, classes, hiddenSize, dropout);
        RegisterComponents();
    }

    public int TableRows { get; }
    public int Dim { get; }
    public Mlp Head => mlp;

    /// <summary>Pooling by the model's combiner (sqrtn unless told otherwise).</summary>
    /// <param name="ids">[tokens] int64, all rows' ids concatenated</param>
    /// <param name="offsets">[batch] int64, where each row starts in <paramref name="ids"/></param>
    /// <returns>[batch, dim]</returns>
    public Tensor Pool(Tensor ids, Tensor offsets)
    {
        var sums = bag.forward(ids, offsets, null!);                                   // [batch, dim]
        if (combiner == BagCombiner.Sum) return sums;
        var ends = torch.cat([offsets.narrow(0, 1, offsets.shape[0] - 1),                 // [batch]
                              torch.tensor(new[] { ids.shape[0] }, device: offsets.device)]);
        var counts = (ends - offsets).clamp_min(1).to_type(ScalarType.Float32);      // [batch]
        return sums / (combiner == BagCombiner.Mean ? counts : counts.sqrt()).unsqueeze(1); // [batch, dim]
    }

    /// <returns>logits [batch, classes]</returns>
    /// <remarks>Pool's intermediates are released on return, as <see cref="Mlp.forward"/>'s are.</remarks>
    public override Tensor forward(Tensor ids, Tensor offsets)
    {
        using var scope = NewDisposeScope();
        return mlp.forward(Pool(ids, offsets)).MoveToOuterDisposeScope();
    }
}
