using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lmev.Training;

/// <summary>
/// The float32 square root libtorch's CPU <c>sqrt</c> computes where it is built with MKL (the Linux libtorch-cpu
/// packages): MKL VML's <c>vmsSqrt</c>, which libtorch_cpu exports and ATen calls with VML_HA | VML_FTZDAZ_OFF |
/// VML_ERRMODE_IGNORE (ATen/cpu/vml.h). Which kernel MKL runs depends on the CPU: on an Intel AVX2 CPU the correctly
/// rounded root; on an AMD EPYC its SSE kernel, an rsqrtps estimate refined twice, which differs from the correctly
/// rounded root by one ulp in about 1 value in 5. A pass that must give libtorch's bits has to compute the same.
/// <para>
/// Calling vmsSqrt costs about 0.5 ns a value there, and 10–40 × that for zeros (MKL's "rare" path), which most of an
/// NNLM table's v is; <see cref="Refined"/> computes that SSE kernel's fast path in registers instead, leaving MKL
/// the rare lanes. Both are only used where a comparison with libtorch on this machine showed the same bits
/// (<see cref="AdamUpdate.ArithmeticOfTorch"/>).
/// </para>
/// </summary>
internal static unsafe class TorchSquareRoot
{
    /// <summary>VML_HA | VML_FTZDAZ_OFF | VML_ERRMODE_IGNORE (mkl_vml_defines.h), the mode ATen passes.</summary>
    private const long AtenMode = 0x2 | 0x140000 | 0x100;

    private static readonly delegate* unmanaged<int, float*, float*, long, void> VmsSqrt = Find();

    /// <summary>Whether the loaded libtorch exports MKL's vmsSqrt (not on every OS or build).</summary>
    public static bool Available => VmsSqrt != null;

    /// <summary>Whether <see cref="Refined"/> can run here: MKL is there, and rsqrtps at <see cref="Vector{T}"/>'s width.</summary>
    public static bool RefinedAvailable =>
        Available && ((Vector<float>.Count == 8 && Avx.IsSupported) || (Vector<float>.Count == 4 && Sse.IsSupported));

    /// <summary>root[i] = √x[i] as libtorch's sqrt gives it; <paramref name="n"/> of at most int.MaxValue; in place allowed.</summary>
    public static void Compute(float* x, float* root, int n) => VmsSqrt(n, x, root, AtenMode);

    /// <summary>
    /// MKL's SSE kernel (mkl_vml_kernel_sSqrt_EXHAynn / _H8HAynn, HA), lane by lane, each step rounded once as its
    /// mulps/addps/subps are: y = rsqrt(x), s = x·y, h = 0.5·y, r = 0.5 − s·h, s' = s·r + s, h' = h·r + h,
    /// √x = (x − s'·s')·h' + s'. Lanes outside its fast path (x not a positive normal below 0x7f7ff000: zeros,
    /// subnormals, negatives, infinities, NaN) are MKL's: +0 stays +0, the others are passed to vmsSqrt.
    /// </summary>
    /// <param name="spill">room for <see cref="Vector{T}.Count"/> floats, for a vector with rare lanes</param>
    public static Vector<float> Refined(Vector<float> x, float* spill)
    {
        var y = Vector<float>.Count == 8
            ? Avx.ReciprocalSqrt(x.AsVector256()).AsVector()
            : Sse.ReciprocalSqrt(x.AsVector128()).AsVector();
        var half = new Vector<float>(0.5f);
        var s = x * y;
        var h = y * half;
        var r = half - s * h;
        var s1 = s * r + s;
        var h1 = h * r + h;
        var root = (x - s1 * s1) * h1 + s1;
        // MKL's lane test: (bits + 0x7f800000) > 0xfefff000 as signed 32-bit integers marks a rare lane.
        var rare = Vector.GreaterThan(x.As<float, int>() + new Vector<int>(0x7f800000), new Vector<int>(unchecked((int)0xfefff000)));
        if (rare == Vector<int>.Zero) return root;
        var zero = Vector.Equals(x.As<float, int>(), Vector<int>.Zero);
        if (Vector.AndNot(rare, zero) == Vector<int>.Zero) return Vector.ConditionalSelect(zero, Vector<float>.Zero, root);
        Vector.Store(x, spill);
        Compute(spill, spill, Vector<float>.Count);
        return Vector.Load(spill);
    }

    private static delegate* unmanaged<int, float*, float*, long, void> Find()
    {
        TorchRuntime.EnsureLoaded();
        // Already loaded by TorchSharp: beside this assembly, or found by the loader under its file name.
        if ((NativeLibrary.TryLoad("libtorch_cpu", typeof(TorchSquareRoot).Assembly, DllImportSearchPath.AssemblyDirectory, out var library)
             || NativeLibrary.TryLoad(OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so", out library))
            && NativeLibrary.TryGetExport(library, "vmsSqrt", out var export))
            return (delegate* unmanaged<int, float*, float*, long, void>)export;
        return null;
    }
}
