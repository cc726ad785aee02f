using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>The exact (erf) GELU: on a vector of floats for Ser's kernels to apply as they store their outputs, and
/// libtorch's on tensors.</summary>
internal static class VectorGelu
{
    /// <summary>libtorch's GELU of <paramref name="x"/>: in place where no autograd graph needs its input.</summary>
    public static Tensor OnTensor(Tensor x) => is_grad_enabled() ? nn.functional.gelu(x) : x.gelu_();

    /// <summary>x·Φ(x) as torch's exact GELU computes it on AVX-512: Φ(x) = (1 + erf(x/√2))/2 with Abramowitz and
    /// Stegun's 7.1.26 for erf (absolute error under 1.5e-7), exp by <see cref="VectorExp"/>. The same bits at either
    /// width.</summary>
    // Inlined into the kernels' loops, which are compiled optimized from their first call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes Apply<TLanes>(TLanes x) where TLanes : struct, IFloatLanes<TLanes>
    {
        var one = TLanes.Broadcast(1f);
        var a = TLanes.Abs(x) * TLanes.Broadcast(0.70710678f);
        var t = one / TLanes.MultiplyAdd(TLanes.Broadcast(0.3275911f), a, one);
        var p = TLanes.MultiplyAdd(TLanes.Broadcast(1.061405429f), t, TLanes.Broadcast(-1.453152027f));
        p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(1.421413741f));
        p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(-0.284496736f));
        p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(0.254829592f));
        var half = TLanes.Broadcast(0.5f) * p * t * VectorExp.OfNegative(-(a * a));
        return x * TLanes.WhereNonNegative(x, one - half, half);
    }
}
