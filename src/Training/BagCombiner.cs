namespace Lmev.Training;

/// <summary>How a bag of token rows becomes one vector, as TensorFlow's <c>embedding_lookup_sparse</c> combiners.</summary>
public enum BagCombiner
{
    /// <summary>The sum divided by the square root of the token count (the NNLM modules').</summary>
    SqrtN,

    /// <summary>The sum divided by the token count.</summary>
    Mean,

    /// <summary>The sum.</summary>
    Sum,
}
