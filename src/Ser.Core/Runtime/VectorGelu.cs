using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>The exact (erf) GELU: on 16 floats for Ser's kernels to apply as they store their outputs, and libtorch's on
/// tensors.</summary>
internal static class VectorGelu
{
    /// <summary>libtorch's GELU of <paramref name="x"/>: in place where no autograd graph needs its input.</summary>
    public static Tensor OnTensor(Tensor x) => is_grad_enabled() ? nn.functional.gelu(x) : x.gelu_();

    /// <summary>x·Φ(x) as torch's exact GELU computes it on AVX-512: Φ(x) = (1 + erf(x/√2))/2 with Abramowitz and
    /// Stegun's 7.1.26 for erf (absolute error under 1.5e-7), exp by <see cref="VectorExp"/>.</summary>
    // Inlined into the kernels' loops, which are compiled optimized from their first call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> x)
    {
        var a = Vector512.Abs(x) * Vector512.Create(0.70710678f);
        var t = Vector512<float>.One / Avx512F.FusedMultiplyAdd(Vector512.Create(0.3275911f), a, Vector512<float>.One);
        var p = Avx512F.FusedMultiplyAdd(Vector512.Create(1.061405429f), t, Vector512.Create(-1.453152027f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(1.421413741f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(-0.284496736f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(0.254829592f));
        var half = Vector512.Create(0.5f) * p * t * VectorExp.OfNegative(-(a * a));
        return x * Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.One - half, half);
    }
}
