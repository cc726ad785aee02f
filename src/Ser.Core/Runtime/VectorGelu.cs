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
    /// Stegun's 7.1.26 for erf (absolute error under 1.5e-7), exp by Cephes' expf.</summary>
    public static Vector512<float> Apply(Vector512<float> x)
    {
        var a = Vector512.Abs(x) * Vector512.Create(0.70710678f);
        var t = Vector512<float>.One / Avx512F.FusedMultiplyAdd(Vector512.Create(0.3275911f), a, Vector512<float>.One);
        var p = Avx512F.FusedMultiplyAdd(Vector512.Create(1.061405429f), t, Vector512.Create(-1.453152027f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(1.421413741f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(-0.284496736f));
        p = Avx512F.FusedMultiplyAdd(p, t, Vector512.Create(0.254829592f));
        var half = Vector512.Create(0.5f) * p * t * ExpOfNegative(-(a * a));
        return x * Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.One - half, half);
    }

    // e^y for y ≤ 0 (Cephes' expf: y = n·ln 2 + r, |r| ≤ ln 2 / 2, a degree-6 polynomial in r, then scaled by 2ⁿ).
    private static Vector512<float> ExpOfNegative(Vector512<float> y)
    {
        y = Vector512.Max(y, Vector512.Create(-88f));
        var n = Avx512F.RoundScale(y * Vector512.Create(1.44269504f), 0); // to nearest
        var r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), y);
        r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Avx512F.FusedMultiplyAdd(Vector512.Create(1.9875691500e-4f), r, Vector512.Create(1.3981999507e-3f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Avx512F.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        return Avx512F.Scale(p, n);
    }
}
