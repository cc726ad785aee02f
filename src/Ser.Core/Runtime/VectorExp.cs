using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ser.Core.Runtime;

/// <summary>e^y on a vector of floats for Ser's kernels, as Cephes' expf computes it: y = n·ln 2 + r, |r| ≤ ln 2 / 2, a
/// degree-6 polynomial in r, then scaled by 2ⁿ. The same bits at either width.</summary>
internal static class VectorExp
{
    /// <summary>e^y for y ≤ 0, to ~1 ulp; y below −88 gives e^−88, NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes OfNegative<TLanes>(TLanes y) where TLanes : struct, IFloatLanes<TLanes>
    {
        // Max returns its second operand where either is NaN.
        y = TLanes.Max(TLanes.Broadcast(-88f), y);
        var n = TLanes.RoundToNearest(y * TLanes.Broadcast(1.44269504f));
        var r = TLanes.MultiplyAdd(n, TLanes.Broadcast(-0.693359375f), y);
        r = TLanes.MultiplyAdd(n, TLanes.Broadcast(2.12194440e-4f), r);
        var p = TLanes.MultiplyAdd(TLanes.Broadcast(1.9875691500e-4f), r, TLanes.Broadcast(1.3981999507e-3f));
        p = TLanes.MultiplyAdd(p, r, TLanes.Broadcast(8.3334519073e-3f));
        p = TLanes.MultiplyAdd(p, r, TLanes.Broadcast(4.1665795894e-2f));
        p = TLanes.MultiplyAdd(p, r, TLanes.Broadcast(1.6666665459e-1f));
        p = TLanes.MultiplyAdd(p, r, TLanes.Broadcast(5.0000001201e-1f));
        p = TLanes.MultiplyAdd(p, r * r, r + TLanes.Broadcast(1f));
        return TLanes.Scale(p, n);
    }

    /// <summary>e^y for y ≤ 0, and 0 below −87, as libtorch's softmax gives a probability that small (e^−87 is still a
    /// normal float; masked and padded keys come out as exact zeros).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes OfNegativeOrZero<TLanes>(TLanes y) where TLanes : struct, IFloatLanes<TLanes> =>
        TLanes.ZeroWhereBelow(y, TLanes.Broadcast(-87f), OfNegative(y));

    /// <inheritdoc cref="OfNegativeOrZero{TLanes}(TLanes)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> OfNegativeOrZero(Vector512<float> y) => OfNegativeOrZero(new Avx512Lanes(y)).Value;
}
