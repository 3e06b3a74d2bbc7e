using System.CommandLine;
using Lmev.Inference;
using static Lmev.Cli.CommonOptions;

namespace Lmev.Cli.Commands;

/// <summary>`lmev predict`: classify titles with a trained run (TorchSharp) or an exported classifier (ONNX Runtime); see <see cref="Predictor"/>.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var input = new Argument<string?>("input")
        {
            Description = "A CSV file of titles (plain or .gz); without it (or -), one title per line on standard input",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var column = new Option<string>("--title-column") { Description = "The CSV's column of titles", DefaultValueFactory = _ => "title" };
        var output = new Option<string?>("--output", "-o") { Description = "The CSV to write (title,predicted,probability[,predicted_2,probability_2…]); default: standard output" };
        var top = new Option<int>("--top") { Description = "Classes per title, best first (1: the predicted one)", DefaultValueFactory = _ => 1 };
        var onnx = new Option<string?>("--onnx") { Description = "An exported classifier (lmev export-onnx) to run through ONNX Runtime, instead of a trained run" };
        var command = new Command("predict",
            "Classify titles with a trained run, applying exactly the preprocessing it was trained with, on the device its settings choose " +
            "(or with an exported classifier through ONNX Runtime). Messages go to standard error, the CSV to -o or standard output.")
            { input, ExperimentName, ModelToUse, RunToUse, onnx, column, output, top, PredictDevice, Threads, ProjectRoot, CacheFolder };
        Guarded.Action(command, p =>
        {
            var request = new PredictRequest(RootOf(p), CacheRootOf(p), p.GetValue(ExperimentName)!, p.GetValue(ModelToUse), RunChoice.Parse(p.GetValue(RunToUse)!),
                p.GetValue(onnx), p.GetValue(PredictDevice), p.GetValue(Threads), p.GetValue(input), p.GetValue(column)!, p.GetValue(output), p.GetValue(top));
            using var stdout = Console.OpenStandardOutput();
            Predictor.Predict(request, Console.In, stdout, Console.Error.WriteLine);
            return 0;
        });
        return command;
    }
}
