using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lmev.Training;

/// <summary>
/// The fine-tune model: a trainable embedding table combined per row as TF-Hub's NNLM modules do
/// (<c>sqrtn</c>: the sum of the row's token vectors divided by the square root of its token
/// count; an empty row gives zeros), followed by the <see cref="Mlp"/>.
/// </summary>
public sealed class BagOfEmbeddingsClassifier : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly EmbeddingBag bag;
    private readonly Mlp mlp;

    /// <param name="table">[vocabulary rows, dim] initial table; copied, the copy is trained.</param>
    public BagOfEmbeddingsClassifier(FeatureMatrix table, int classes, int hiddenSize = 512, double dropout = 0.25)
        : base(nameof(BagOfEmbeddingsClassifier))
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Rows == 0) throw new ArgumentException("The embedding table has no rows.", nameof(table));
        TableRows = table.Rows; Dim = table.Dim;
        // clone(): torch.tensor may share the managed array, and training must not write into it.
        using (var initial = torch.tensor(table.Values, [table.Rows, table.Dim]))
            bag = nn.EmbeddingBag_from_pretrained(initial.clone(), freeze: false, mode: EmbeddingBagMode.Sum);
        mlp = new Mlp(table.Dim, classes, hiddenSize, dropout);
        RegisterComponents();
    }

    public int TableRows { get; }
    public int Dim { get; }
    public Mlp Head => mlp;

    /// <summary>sqrtn pooling.</summary>
    /// <param name="ids">[tokens] int64, all rows' ids concatenated</param>
    /// <param name="offsets">[batch] int64, where each row starts in <paramref name="ids"/></param>
    /// <returns>[batch, dim]</returns>
    public Tensor Pool(Tensor ids, Tensor offsets)
    {
        var sums = bag.forward(ids, offsets, null!);                                   // [batch, dim]
        var ends = torch.cat([offsets.narrow(0, 1, offsets.shape[0] - 1),                 // [batch]
                              torch.tensor(new[] { ids.shape[0] }, device: offsets.device)]);
        var counts = (ends - offsets).clamp_min(1).to_type(ScalarType.Float32);      // [batch]
        return sums / counts.sqrt().unsqueeze(1);                                     // [batch, dim]
    }

    /// <returns>logits [batch, classes]</returns>
    public override Tensor forward(Tensor ids, Tensor offsets) => mlp.forward(Pool(ids, offsets));
}
