// bench/nnlm: the NNLM-size bag-of-embeddings table (976,640 × 128 float32, 500 MB: the TF-Hub NNLM
// modules' shape) through the pipeline. One mode per argument; prints figures, not a test.
//
//   bench/nnlm/run.sh finetune [--rows N] [--epochs E] [--buckets B] [--update-steps S] [--threads T] [--cuda] [--profile-epochs P] [--profile-only | --update-only | --fine-tune-only]
//   bench/nnlm/run.sh import [--rows N] [--dim D] [--tokens V] [--partitions K] [--float64]
//
// finetune: a random table fine-tuned under the study's MLP on real titles, beside frozen mode
// (the same rows embedded once in C#, the MLP alone trained); seconds per epoch, s/step and the
// peak RSS of each, with its ratio to the table's bytes; the machine's memory bandwidth (STREAM's
// triad) and the table update's, alone. See FineTuneBench.
// import: the NNLM import (checkpoint read with CRCs, ONNX written) of a 976,640 × 128 TF2-shaped
// SavedModel in a child process: seconds and peak RSS against the table's bytes. See ImportBench.
using Lmev.Bench.Nnlm;

const string Usage = "usage: lmev-bench-nnlm finetune [--rows N] [--epochs E] [--buckets B] [--update-steps S] [--threads T] [--cuda] [--profile-epochs P] [--profile-only | --update-only | --fine-tune-only] | import [--rows N] [--dim D] [--tokens V] [--partitions K] [--float64]";
if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}
switch (args[0])
{
    case "finetune":
        return FineTuneBench.Run(new BenchArgs(args[1..]));
    case "import":
        return ImportBench.Run(new BenchArgs(args[1..]));
    case "import-child":
        return ImportBench.Child(args[1]);
    default:
        Console.Error.WriteLine($"unknown mode '{args[0]}'. {Usage}");
        return 2;
}
