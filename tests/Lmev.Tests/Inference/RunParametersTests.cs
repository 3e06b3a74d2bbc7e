using Lmev.Contracts;

namespace Lmev.Tests.Inference;

/// <summary>params.json is read back by `lmev predict` through <see cref="RunParameters"/>, which Train now writes it with: its bytes stay those
/// Train wrote before (these literals are files the demo's Train step wrote before the record existed).</summary>
public sealed class RunParametersTests
{
    private const string Frozen = """
{
  "train": {
    "experiment": "demo",
    "model": "random-dim50",
    "language": "none",
    "dim": 50,
    "normalization": false,
    "mode": "frozen",
    "run": 1,
    "seed": 4839710598755881773,
    "epochs": 10,
    "batchSize": 512,
    "dropout": 0.25,
    "hidden": 512,
    "learningRate": 0.001,
    "patience": 3
  },
  "threads": 2,
  "classes": 120
}
""";

    private const string FastText = """
{
  "train": {
    "experiment": "demo",
    "model": "fasttext",
    "language": "none",
    "dim": 50,
    "normalization": false,
    "mode": "supervised",
    "run": 1,
    "seed": 3524358048023732667,
    "epochs": 10,
    "batchSize": 32,
    "dropout": 0,
    "hidden": 0,
    "learningRate": 0.5,
    "patience": 0,
    "fastText": {
      "learningRate": 0.5,
      "epochs": 10,
      "dim": 50,
      "wordNgrams": 2,
      "buckets": 100000,
      "minCount": 1,
      "batchSize": 32,
      "hashedRows": 100000
    }
  },
  "threads": 1,
  "classes": 120
}
""";

    [Fact]
    public void A_frozen_runs_params_json_keeps_its_bytes_and_reads_back()
    {
        var written = new RunParameters(new RunConfiguration("demo", "random-dim50", "none", 50, false, "frozen", 1, 4839710598755881773, 10, 512, 0.25, 512, 0.001, 3), 2, 120);
        Assert.Equal(Frozen, written.ToJson());
        using var dir = new Support.TempDir();
        var path = System.IO.Path.Combine(dir.Path, RunParameters.FileName);
        File.WriteAllText(path, Frozen + "\n");
        Assert.Equal(written, RunParameters.Read(path));
    }

    [Fact]
    public void A_fasttext_runs_params_json_keeps_its_bytes_and_reads_back_its_settings()
    {
        var written = new RunParameters(new RunConfiguration("demo", "fasttext", "none", 50, false, "supervised", 1, 3524358048023732667, 10, 32, 0, 0, 0.5, 0)
        {
            FastText = new FastTextConfiguration(0.5, 10, 50, 2, 100000, 1, 32, 100000),
        }, 1, 120);
        Assert.Equal(FastText, written.ToJson());
        using var dir = new Support.TempDir();
        var path = System.IO.Path.Combine(dir.Path, RunParameters.FileName);
        File.WriteAllText(path, FastText + "\n");
        var read = RunParameters.Read(path);
        Assert.Equal(written.Train.FastText, read.Train.FastText);
        Assert.Equal(written, read);
    }
}
