// lmev's pipeline as a Cake graph. This file is only the graph: each task runs the `lmev`
// program for its step (build/lmev.cake: the arguments, the build, one way to run a step), and
// lmev's stage cache decides whether the step has work to do (a cached step prints `cached` and
// returns in milliseconds). See README.md. The step tasks, their order and descriptions mirror
// src/Stages/Flow/FlowSteps.cs, and a step is passed only the arguments FlowSteps says it takes;
// tests (FlowStepsTests, CakeCommandLineTests) check both.
//
//   dotnet cake                                         the demo experiment, offline, up to the report
//   dotnet cake --target=Report --experiment=meli2019   the study (downloads the data)
//   dotnet cake --target=Sample --force                 rerun the target step even if cached
//   dotnet cake --target=Train --model=random-dim50 --run=1   one slice of the training fan-out
//   dotnet cake --target=Train --gpu=true               the CUDA build (bin/lmev-gpu), training on CUDA where present

#load "build/lmev.cake"

Task("Build")
    .Description("Builds the lmev program once (bin/lmev, or with --gpu=true the CUDA build in bin/lmev-gpu), then checks the experiment, --model, --run and every argument's name before any step runs")
    .Does(() => BuildLmev());

Task("Download")
    .Description("Fetch the experiment's source pinned in data.lock.json (verified by SHA-256), or generate the demo data; split.testSource's too")
    .IsDependentOn("Build")
    .Does(() => Lmev("download"));

Task("FilterSpanish")
    .Description("Keep the rows in the experiment's language (a language column, or a detector), skipping and counting bad rows (split.testSource's through the same filter)")
    .IsDependentOn("Download")
    .Does(() => Lmev("filter-spanish"));

Task("Sample")
    .Description("Draw a seeded uniform sample of rows (reservoir sampling, one pass); one per run with runs.resample")
    .IsDependentOn("FilterSpanish")
    .Does(() => Lmev("sample"));

Task("Split")
    .Description("Split the sample into train/val/test and assign class ids; one per run with runs.resample")
    .IsDependentOn("Sample")
    .Does(() => Lmev("split"));

Task("Model")
    .Description("Build each model's files: a seeded random bag-of-embeddings table, or a transformer (MiniLM from its package, or pinned in data.lock.json)")
    .IsDependentOn("Split")
    .Does(() => Lmev("model"));

Task("Embed")
    .Description("Embed the train/val/test titles with each frozen model through ONNX Runtime (CUDA when built with -p:Gpu=true and present) into .npy matrices")
    .IsDependentOn("Model")
    .Does(() => Lmev("embed"));

Task("Train")
    .Description("Train the study's MLP on each model's embeddings (or fine-tune its table), or a fasttext baseline as fastText does, runs times, score it on test, copy each run to saved_models/")
    .IsDependentOn("Embed")
    .Does(() => Lmev("train"));

Task("Aggregate")
    .Description("Gather every run's metrics into runs.csv and summary.json (per model, language, dim, normalisation, mode, device; reference figures)")
    .IsDependentOn("Train")
    .Does(() => Lmev("aggregate"));

Task("Plot")
    .Description("Draw the study's figures (PNG and SVG) with ScottPlot")
    .IsDependentOn("Aggregate")
    .Does(() => Lmev("plot"));

Task("Report")
    .Description("Write the results document report/README.md and the self-contained report/index.html")
    .IsDependentOn("Plot")
    .Does(() => Lmev("report"));

Task("Status")
    .Description("Which steps are up to date, stale (and why) or never run")
    .IsDependentOn("Build")
    .Does(() => Lmev("status"));

RunTarget(target);
