using System.CommandLine;
using Lmev.Inference;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>`lmev export-onnx`: a trained run's whole classifier as one ONNX model and its tokeniser's description; see <see cref="ClassifierExport"/>.</summary>
internal static class ExportOnnxCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "The ONNX file to write; <name>.tokenizer.json and <name>.vocabulary.txt go beside it (and <name>.onnx.data for weights over 64 MiB)",
            Required = true,
        };
        var command = new Command("export-onnx",
            "Write a trained run's whole classifier as one ONNX model (token ids in, class probabilities out, the class names in its metadata) " +
            "and a JSON description of its tokeniser, for serving elsewhere; `lmev predict --onnx FILE` runs it")
            { ExperimentName, ModelToUse, RunToUse, output, ProjectRoot, CacheFolder };
        Guarded.Action(command, p =>
        {
            var request = new PredictRequest(RootOf(p), CacheRootOf(p), p.GetValue(ExperimentName)!, p.GetValue(ModelToUse), RunChoice.Parse(p.GetValue(RunToUse)!));
            Predictor.Export(request, p.GetValue(output)!, Console.Error.WriteLine);
            return 0;
        });
        return command;
    }
}
