using Lmev.Pipeline;
using Lmev.Stages.Embed;
using Lmev.Stages.Model;

namespace Lmev.Flow.Steps;

/// <summary>Embed: a frozen model's vectors of its split's train, val and test titles, from the Model entry's ONNX model and vocabulary.</summary>
internal sealed class EmbedStep(ExperimentFlow flow) : StepWiring(flow, "embed")
{
    public override IStage Build(Unit unit)
    {
        var spec = unit.Model!;
        var model = Flow.Get("model", new Unit(spec));
        var split = Flow.SplitFor(unit);
        // An ONNX model's external data (model.onnx.data…) travels with it.
        var data = model.Outputs.Keys.Where(f => f.StartsWith(ModelStage.OnnxFile + ".", StringComparison.Ordinal)).Select(model.Output).ToList();
        return new EmbedStage(spec.Name, new EmbedParams(spec.Kind, MaxTokens: spec.MaxTokens, L2Normalize: spec.L2Normalize),
            model.Output(ModelStage.OnnxFile), model.Output(ModelStage.VocabularyFile(spec)), data,
            split.Output("train.csv"), split.Output("val.csv"), split.Output("test.csv"), unit.Name);
    }
}
