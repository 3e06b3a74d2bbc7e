namespace Lmev.Flow;

/// <summary>How the command line wants a flow run.</summary>
/// <param name="Root">The project folder (holds data.lock.json and experiments/).</param>
/// <param name="CacheRoot">The stage cache, normally &lt;root&gt;/cache.</param>
/// <param name="Log">Where the flow and its stages say what they do.</param>
/// <param name="Force">Rerun the named step even when its entry exists.</param>
/// <param name="Locked">Refuse any change to data.lock.json (CI).</param>
/// <param name="Strict">Stop at the first bad input row.</param>
/// <param name="Models">Run only these models' units (a CI matrix slice); empty: all.</param>
/// <param name="Runs">Run only these runs' units (Train's, and with runs.resample Sample's, Split's and Embed's); empty: all.</param>
/// <param name="Device">Train's device, over the experiment's <c>train.device</c> (<c>--device</c>); null: the experiment's.</param>
/// <param name="CudaProbe">How Train sees CUDA; null: libtorch's (tests fake one).</param>
/// <param name="Partial">Aggregate, plot and report the runs trained so far even when none is.</param>
/// <param name="ReadOnly">The flow only looks (status, verify, gc, check, export): it writes no lock, ref or hash index, and starts no process.</param>
/// <param name="Remote">The cache's remote tier, if the project uses one: a unit missing locally is looked up there before it is computed
/// (read-only, its manifest is only read: `status`'s "remote only").</param>
public sealed record FlowOptions(string Root, string CacheRoot, Action<string> Log, bool Force = false, bool Locked = false, bool Strict = false,
    IReadOnlyList<string>? Models = null, IReadOnlyList<int>? Runs = null, Lmev.Training.DeviceRequest? Device = null, Lmev.Training.CudaProbe? CudaProbe = null,
    bool Partial = false, bool ReadOnly = false, Lmev.Pipeline.Remote.RemoteUse? Remote = null);
