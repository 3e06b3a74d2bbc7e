namespace Lmev.Bench.Nnlm;

/// <summary>A mode's <c>--name value</c> options and <c>--flag</c> switches.</summary>
internal sealed class BenchArgs(string[] args)
{
    public int Int(string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        if (i + 1 >= args.Length || !int.TryParse(args[i + 1], out var value))
            throw new ArgumentException($"{name} expects an integer, found '{(i + 1 < args.Length ? args[i + 1] : "")}'.");
        return value;
    }

    public bool Flag(string name) => args.Contains(name);
}
