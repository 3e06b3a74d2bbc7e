using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lmev.Training.FastText;

/// <summary>
/// fastText's supervised model (src/model.cc, src/loss.cc): a title's vector is the mean of its
/// rows of the input table (words and hashed word n-grams), and one linear layer without bias maps
/// it to the classes' logits (softmax in the loss). The input table starts uniform in
/// ±1/<c>dim</c> and the output layer at zero, as fastText's <c>createRandomMatrix</c> and
/// <c>createTrainOutputMatrix</c>. Both are parameters (saved, moved with <c>to(device)</c>); their
/// gradients are computed by <see cref="FastTextTrainer"/>, not by autograd.
/// </summary>
public sealed class FastTextClassifier : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter input;    // [rows, dim]
    private readonly Parameter output;   // [classes, dim]

    /// <summary>Draws the input table from torch's generator: seed it first (torch.manual_seed).</summary>
    public FastTextClassifier(long rows, int dim, int classes) : this(rows, dim, classes, initialize: true)
    {
    }

    /// <summary>
    /// A model whose weights are about to be read from a run's <c>model.dat</c>: its input table is left as allocated, not
    /// drawn (2,000,000 × 100 uniform draws take longer than reading the file back).
    /// </summary>
    public static FastTextClassifier ForLoading(long rows, int dim, int classes) => new(rows, dim, classes, initialize: false);

    private FastTextClassifier(long rows, int dim, int classes, bool initialize) : base(nameof(FastTextClassifier))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        Rows = rows; Dim = dim; Classes = classes;
        using (no_grad())
        {
            input = new Parameter(initialize ? empty(rows, dim).uniform_(-1.0 / dim, 1.0 / dim) : empty(rows, dim), requires_grad: false);
            output = new Parameter(zeros(classes, dim), requires_grad: false);
        }
        RegisterComponents();
    }

    public long Rows { get; }
    public int Dim { get; }
    public int Classes { get; }

    /// <summary>[rows, dim]: the vocabulary's rows, then the hashed n-gram rows.</summary>
    public Tensor Input => input;

    /// <summary>[classes, dim]</summary>
    public Tensor Output => output;

    /// <summary>Mean of each title's rows (zeros for a title with none).</summary>
    /// <param name="ids">[tokens] int64, all titles' rows concatenated</param>
    /// <param name="titles">[tokens] int64, the title (0..batch-1) each row belongs to</param>
    /// <param name="counts">[batch] float32, rows per title, at least 1</param>
    /// <returns>[batch, dim]</returns>
    public Tensor Hidden(Tensor ids, Tensor titles, Tensor counts)
    {
        var sums = zeros(counts.shape[0], Dim, device: ids.device).index_add_(0, titles, input.index_select(0, ids), 1);   // [batch, dim]
        return sums / counts.unsqueeze(1);                                                                          // [batch, dim]
    }

    /// <param name="hidden">[batch, dim]</param>
    /// <returns>logits [batch, classes]</returns>
    public Tensor Logits(Tensor hidden) => hidden.mm(output.t());

    /// <summary>The module's contract in CSR form (ids and where each title starts).</summary>
    /// <param name="ids">[tokens] int64</param>
    /// <param name="offsets">[batch] int64</param>
    /// <returns>logits [batch, classes]</returns>
    public override Tensor forward(Tensor ids, Tensor offsets)
    {
        var ends = cat([offsets.narrow(0, 1, offsets.shape[0] - 1), tensor(new[] { ids.shape[0] }, device: offsets.device)]);  // [batch]
        var lengths = ends - offsets;                                                                                     // [batch]
        var titles = arange(offsets.shape[0], device: ids.device).repeat_interleave(lengths);                              // [tokens]
        return Logits(Hidden(ids, titles, lengths.clamp_min(1).to_type(ScalarType.Float32)));
    }
}
