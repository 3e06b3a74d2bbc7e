namespace Lmev.Models;

/// <summary>One named input tensor for <see cref="OnnxEmbedder.Run"/>: row-major data and its shape.</summary>
public sealed class OnnxInput
{
    private OnnxInput(string name, Array data, long[] shape)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != data.LongLength)
            throw new ArgumentException($"input '{name}' has {data.LongLength} values but shape [{string.Join(", ", shape)}] holds {count}");
        Name = name;
        Data = data;
        Shape = shape;
    }

    public string Name { get; }

    internal Array Data { get; }

    public long[] Shape { get; }

    public static OnnxInput Int64(string name, long[] data, params long[] shape) => new(name, data, shape);

    public static OnnxInput Float(string name, float[] data, params long[] shape) => new(name, data, shape);
}
