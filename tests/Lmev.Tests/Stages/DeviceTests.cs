using System.Text.Json.Nodes;
using Lmev.Flow;
using Lmev.Pipeline;
using Lmev.Tests.Support;
using Lmev.Training;
using Lmev.Contracts;

namespace Lmev.Tests.Stages;

/// <summary>Train's device is asked for (train.device, --device), decided with a CUDA probe that tests fake, recorded, and kept out of keys.</summary>
public sealed class DeviceTests
{
    private static readonly CudaProbe CudaBuildNoDevice = new(() => true, () => false);
    private static readonly CudaProbe CudaBuildWithDevice = new(() => true, () => true);
    private static readonly CudaProbe CpuBuild = new(() => false, () => throw new InvalidOperationException("a CPU build never probes for a device"));

    [Fact]
    public void Auto_asks_for_cuda_when_the_build_has_it_and_a_device_answers()
    {
        Assert.Equal(new DeviceDecision(DeviceRequest.Auto, UseCuda: true), DeviceChoice.Decide(DeviceRequest.Auto, CudaBuildWithDevice));
        Assert.Equal(new DeviceDecision(DeviceRequest.Auto, UseCuda: false), DeviceChoice.Decide(DeviceRequest.Auto, CpuBuild));
        Assert.Equal(new DeviceDecision(DeviceRequest.Cpu, UseCuda: false), DeviceChoice.Decide(DeviceRequest.Cpu, CudaBuildWithDevice));
        var fallback = DeviceChoice.Decide(DeviceRequest.Auto, CudaBuildNoDevice);
        Assert.False(fallback.UseCuda);
        Assert.Contains("this build has CUDA but no CUDA device answered", fallback.Fallback);
        Assert.Contains("this build has no CUDA", DeviceChoice.Decide(DeviceRequest.Cuda, CpuBuild).Refusal);
        Assert.Contains("no CUDA device answered", DeviceChoice.Decide(DeviceRequest.Cuda, CudaBuildNoDevice).Refusal);
    }

    private static TestProject Project()
    {
        var p = new TestProject();
        p.AddQuickModels();
        p.Experiment["runs"] = 1;
        p.Save();
        p.RunAll(last: "embed");
        return p;
    }

    private static ExperimentFlow Flow(TestProject p, CudaProbe probe, DeviceRequest? device = null, bool force = false) =>
        new(Experiment.Load(p.Root, "demo"), new FlowOptions(p.Root, p.CacheRoot, p.Log.Add, Force: force, Device: device, CudaProbe: probe));

    [Fact]
    public void A_cuda_build_without_a_device_falls_back_to_the_cpu_with_one_log_line_and_records_it()
    {
        using var p = Project();
        var from = p.Log.Count;
        var runs = Flow(p, CudaBuildNoDevice).Run("train");
        Assert.Equal(2, runs.Count);
        var fallbacks = p.Log.Skip(from).Where(l => l.Contains("no CUDA device answered")).ToList();
        Assert.Equal(["train [r16-ft/run-1]", "train [r16/run-1]"], fallbacks.Select(l => l[..l.IndexOf(':')]).Order(StringComparer.Ordinal));
        foreach (var m in runs)
        {
            var metrics = RunMetrics.Read(m.Output(RunMetrics.FileName).Path);
            Assert.Equal("auto", metrics.DeviceRequested);
            Assert.StartsWith("cpu", metrics.Device);
            Assert.Equal(metrics.Device, m.Device);
            Assert.Equal("auto", (string?)m.Report["deviceRequested"]);
        }
    }

    [Fact]
    public void A_device_that_answers_makes_train_ask_libtorch_for_cuda()
    {
        using var p = Project();
        var from = p.Log.Count;
        Flow(p, CudaBuildWithDevice, force: true).Run("train");
        // This machine's libtorch is the CPU build, so it answers with the CPU: Train says so rather than hide it.
        Assert.Equal(2, p.Log.Skip(from).Count(l => l.Contains("CUDA was chosen but libtorch trained on cpu")));
    }

    [Fact]
    public void Cuda_asked_for_where_there_is_none_is_an_error_not_hours_on_the_cpu()
    {
        using var p = Project();
        var e = Assert.Throws<LmevException>(() => Flow(p, CudaBuildNoDevice, device: DeviceRequest.Cuda, force: true).Run("train"));
        Assert.Contains("device 'cuda' was asked for and this build has CUDA, but no CUDA device answered", e.Message);
        // The command line parses --device to its choices: a typo is refused there, before any flow.
        var (code, said) = LmevProcess.Run(p, "train", "--experiment", "demo", "--device", "gpu");
        Assert.NotEqual(0, code);
        Assert.Contains("--device gpu: expected one of auto, cpu, cuda", said);
    }

    [Fact]
    public void The_device_is_not_part_of_any_key_nor_of_the_report()
    {
        using var p = Project();
        p.RunAll(last: "report");
        var keys = Flow(p, CpuBuild).Status().Select(s => (s.Step, s.Unit, s.Key)).ToList();
        p.Experiment["train"]!["device"] = "cpu";
        p.Save();
        Assert.Equal(keys, Flow(p, CpuBuild).Status().Select(s => (s.Step, s.Unit, s.Key)).ToList());
        Assert.Equal(keys, Flow(p, CpuBuild, device: DeviceRequest.Cuda).Status().Select(s => (s.Step, s.Unit, s.Key)).ToList());
        Assert.All(Flow(p, CpuBuild).Status(), s => Assert.Equal("up to date", s.State));

        p.Experiment["train"]!["device"] = "tpu";
        p.Save();
        var e = Assert.Throws<LmevException>(() => Experiment.Load(p.Root, "demo"));
        Assert.Contains("train.device: expected one of \"auto\", \"cpu\", \"cuda\", found the string \"tpu\"", e.Message);
    }
}
