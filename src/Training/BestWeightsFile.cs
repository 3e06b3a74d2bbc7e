using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Lmev.Training;

/// <summary>
/// Early stopping's best weights in a file (<see cref="TrainerOptions.SnapshotPath"/>), written each time validation
/// improves and read back once at the end. Every tensor of the model's state is written whole, except a fine-tuned
/// table whose changed rows the optimiser knows (<see cref="AdamUpdate.ChangedRows"/>): of it only those rows. The
/// others still hold the values they had when training began, and at the end they still do (rows only ever become
/// changed, and each epoch's batches touch every training row, so the rows changed at the end are those changed at
/// any epoch's end); <see cref="Restore"/> checks that and leaves them as they are. An NNLM table (976,640 rows, 500 MB)
/// of which a training set touches 9 % then costs 45 MB a write instead of 500 MB. The restored weights are the bits a
/// whole-model save gives (FineTuneTests compare them with the in-memory copy).
/// <para>
/// A model with a tensor off the host is saved whole by TorchSharp (<c>Module.save</c>) as before.
/// </para>
/// </summary>
internal static unsafe class BestWeightsFile
{
    private const string Magic = "lmev best weights 1";
    private const int Whole = 0, ChangedRowsOnly = 1;

    /// <param name="changedRows">a parameter's rows that may differ from their values at the start (one bit a row), or null: all</param>
    public static void Save(nn.Module model, string path, Func<Tensor, ulong[]?> changedRows)
    {
        var state = model.state_dict();
        if (!OnHost(state)) { model.save(path); return; }
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new BinaryWriter(file, Encoding.UTF8);
        writer.Write(Magic);
        writer.Write(state.Count);
        foreach (var (name, tensor) in state)
        {
            writer.Write(name);
            writer.Write((int)tensor.dtype);
            writer.Write(tensor.shape.Length);
            foreach (long size in tensor.shape) writer.Write(size);
            var changed = tensor.dim() == 2 ? changedRows(tensor) : null;
            writer.Write(changed is null ? Whole : ChangedRowsOnly);
            writer.Flush();
            byte* data = Address(tensor);
            if (changed is null)
            {
                Write(file, data, tensor.numel() * tensor.element_size());
                continue;
            }
            writer.Write(changed.Length);
            foreach (ulong word in changed) writer.Write(word);
            writer.Flush();
            long rowBytes = tensor.shape[1] * tensor.element_size();
            foreach (var (first, end) in Runs(changed, tensor.shape[0]))
                Write(file, data + first * rowBytes, (end - first) * rowBytes);
        }
    }

    /// <summary>Puts the saved weights back into <paramref name="model"/> (the one <see cref="Save"/> saved).</summary>
    public static void Restore(nn.Module model, string path, Func<Tensor, ulong[]?> changedRows)
    {
        var state = model.state_dict();
        if (!OnHost(state)) { model.load(path); return; }
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var reader = new BinaryReader(file, Encoding.UTF8);
        string magic = reader.ReadString();
        if (magic != Magic) throw new InvalidDataException($"{path}: expected best weights ('{Magic}'), found '{magic}'.");
        int count = reader.ReadInt32();
        if (count != state.Count) throw new InvalidDataException($"{path}: holds {count} tensors; the model has {state.Count}.");
        for (int t = 0; t < count; t++)
        {
            string name = reader.ReadString();
            if (!state.TryGetValue(name, out var tensor)) throw new InvalidDataException($"{path}: holds '{name}', which the model does not have.");
            var dtype = (ScalarType)reader.ReadInt32();
            var shape = new long[reader.ReadInt32()];
            for (int i = 0; i < shape.Length; i++) shape[i] = reader.ReadInt64();
            if (dtype != tensor.dtype || !shape.SequenceEqual(tensor.shape))
                throw new InvalidDataException($"{path}: '{name}' is {dtype} [{string.Join(", ", shape)}]; the model's is {tensor.dtype} [{string.Join(", ", tensor.shape)}].");
            int kind = reader.ReadInt32();
            byte* data = Address(tensor);
            if (kind == Whole)
            {
                Read(file, data, tensor.numel() * tensor.element_size(), path);
                continue;
            }
            if (kind != ChangedRowsOnly) throw new InvalidDataException($"{path}: '{name}' is stored as kind {kind}; expected {Whole} or {ChangedRowsOnly}.");
            var saved = new ulong[reader.ReadInt32()];
            for (int i = 0; i < saved.Length; i++) saved[i] = reader.ReadUInt64();
            var now = changedRows(tensor);
            if (now is null || now.Length != saved.Length || now.Where((word, i) => (word & ~saved[i]) != 0).Any())
                throw new InvalidOperationException($"{path}: '{name}' has rows changed since its best weights were saved that were unchanged then; " +
                                                    "their values at the start are gone (the changed rows are expected to be the same at every epoch's end).");
            long rowBytes = tensor.shape[1] * tensor.element_size();
            foreach (var (first, end) in Runs(saved, tensor.shape[0]))
                Read(file, data + first * rowBytes, (end - first) * rowBytes, path);
        }
        if (file.Position != file.Length) throw new InvalidDataException($"{path}: {file.Length - file.Position} bytes after the last tensor.");
    }

    private static bool OnHost(Dictionary<string, Tensor> state) =>
        state.Values.All(t => t.device_type == DeviceType.CPU && t.is_contiguous());

    /// <summary>The runs [first, end) of set bits among the first <paramref name="rows"/>.</summary>
    private static IEnumerable<(long First, long End)> Runs(ulong[] bits, long rows)
    {
        bool Set(long row) => (bits[row >> 6] >> (int)(row & 63) & 1) != 0;
        for (long row = 0; row < rows;)
        {
            if (bits[row >> 6] == 0) { row = (row | 63) + 1; continue; }
            if (!Set(row)) { row++; continue; }
            long first = row;
            while (row < rows && Set(row)) row++;
            yield return (first, row);
        }
    }

    private static void Write(Stream file, byte* data, long bytes)
    {
        for (long at = 0; at < bytes; at += int.MaxValue)
            file.Write(new ReadOnlySpan<byte>(data + at, (int)Math.Min(int.MaxValue, bytes - at)));
    }

    private static void Read(Stream file, byte* data, long bytes, string path)
    {
        for (long at = 0; at < bytes;)
        {
            int read = file.Read(new Span<byte>(data + at, (int)Math.Min(int.MaxValue, bytes - at)));
            if (read == 0) throw new InvalidDataException($"{path}: ended {bytes - at} bytes before the tensor it was reading.");
            at += read;
        }
    }

    /// <summary>The address of a contiguous host tensor's first element (native memory: the GC never moves it).</summary>
    private static byte* Address(Tensor t)
    {
        if (t.numel() == 0) return null;
        using var flat = t.view(-1);
        using var first = flat.narrow(0, 0, 1);
        fixed (byte* b = first.bytes) return b;
    }
}
