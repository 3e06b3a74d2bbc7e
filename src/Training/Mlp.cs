using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lmev.Training;

/// <summary>
/// The study's classifier head: Dense(hidden) ReLU → Dropout → Dense(hidden) ReLU → Dropout →
/// Dense(classes). It returns logits; the softmax lives in the cross-entropy loss (and argmax
/// needs none). Weights start as Keras' Dense does (Glorot-uniform kernels, zero biases), not as
/// torch's Linear default.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear hidden1;
    private readonly ReLU relu1;
    private readonly Dropout dropout1;
    private readonly Linear hidden2;
    private readonly ReLU relu2;
    private readonly Dropout dropout2;
    private readonly Linear output;

    public Mlp(int inputDim, int classes, int hiddenSize = 512, double dropout = 0.25) : base(nameof(Mlp))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        if (dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout must be in [0, 1).");
        InputDim = inputDim; Classes = classes; HiddenSize = hiddenSize;
        hidden1 = nn.Linear(inputDim, hiddenSize);
        relu1 = nn.ReLU();
        dropout1 = nn.Dropout(dropout);
        hidden2 = nn.Linear(hiddenSize, hiddenSize);
        relu2 = nn.ReLU();
        dropout2 = nn.Dropout(dropout);
        output = nn.Linear(hiddenSize, classes);
        RegisterComponents();
        using (no_grad())
            foreach (var layer in new[] { hidden1, hidden2, output })
            {
                nn.init.xavier_uniform_(layer.weight);
                nn.init.zeros_(layer.bias);
            }
    }

    public int InputDim { get; }
    public int Classes { get; }
    public int HiddenSize { get; }

    /// <summary>Multiply-accumulates per sample in the three matmuls (dim·h + h·h + h·classes).</summary>
    public long MatmulParameters => (long)InputDim * HiddenSize + (long)HiddenSize * HiddenSize + (long)HiddenSize * Classes;

    /// <param name="x">[batch, inputDim]</param>
    /// <returns>logits [batch, classes]</returns>
    /// <remarks>
    /// The intermediates' handles are released on return: what backward needs, autograd holds itself (and frees
    /// node by node as backward runs); handles left in the caller's batch scope would hold every [batch, hidden]
    /// activation, and the pre-activations backward never reads, until the step ends.
    /// </remarks>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = dropout1.forward(relu1.forward(hidden1.forward(x)));   // [batch, hidden]
        h = dropout2.forward(relu2.forward(hidden2.forward(h)));        // [batch, hidden]
        return output.forward(h).MoveToOuterDisposeScope();             // [batch, classes]
    }
}
