using System.CommandLine;
using Lmev.Models.TensorFlow;

namespace Lmev.Cli.Commands;

/// <summary>`lmev inspect-model PATH`: what a TF-Hub model holds and what the NNLM import would take from it.</summary>
internal static class InspectModelCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A TF-Hub model: the .tar.gz that ?tf-hub-format=compressed downloads, or its extracted folder" };
        var tensor = new Option<string?>("--tensor") { Description = "The embedding table's checkpoint key, when finding it by shape is ambiguous (an experiment's \"tensor\")" };
        var command = new Command("inspect-model",
            "List every tensor of a TF-Hub model's checkpoint (dtype, shape, bytes, CRC32C), its vocabulary, the recipe read from its graph " +
            "(preprocessing in order, vocabulary, OOV buckets, table and partitions, combiner) and what the NNLM import would take. " +
            "Exit code 0: every tensor is intact; 1: a CRC failed or the model cannot be read.") { path, tensor };
        Guarded.Action(command, p => ModelInspection.Write(p.GetValue(path)!, Console.Out, p.GetValue(tensor)));
        return command;
    }
}
