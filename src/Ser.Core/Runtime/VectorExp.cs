using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ser.Core.Runtime;

/// <summary>e^y on 16 floats for Ser's kernels, as Cephes' expf computes it: y = n·ln 2 + r, |r| ≤ ln 2 / 2, a degree-6
/// polynomial in r, then scaled by 2ⁿ.</summary>
internal static class VectorExp
{
    /// <summary>e^y for y ≤ 0, to ~1 ulp; y below −88 gives e^−88.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> OfNegative(Vector512<float> y)
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

    /// <summary>e^y for y ≤ 0, and 0 below −87, as libtorch's softmax gives a probability that small (e^−87 is still a
    /// normal float; masked and padded keys come out as exact zeros).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> OfNegativeOrZero(Vector512<float> y) =>
        Vector512.ConditionalSelect(Vector512.LessThan(y, Vector512.Create(-87f)), Vector512<float>.Zero, OfNegative(y));
}
