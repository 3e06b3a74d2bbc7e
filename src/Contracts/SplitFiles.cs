namespace Lmev.Contracts;

/// <summary>The three parts a split publishes (<c>train.csv</c>, <c>val.csv</c>, <c>test.csv</c>), which Embed and Train read by name.</summary>
public static class SplitFiles
{
    public static readonly IReadOnlyList<string> Names = ["train", "val", "test"];
}
