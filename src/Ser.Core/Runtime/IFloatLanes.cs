namespace Ser.Core.Runtime;

/// <summary>One hardware vector of floats, for the parts of Ser's kernels written once for both widths (AVX-512 and
/// AVX2): a kernel generic over a struct implementing this is compiled once per width, each call inlined.</summary>
/// <typeparam name="TSelf">The implementing struct (<see cref="Avx512Lanes"/>, <see cref="Avx2Lanes"/>).</typeparam>
internal unsafe interface IFloatLanes<TSelf> where TSelf : struct, IFloatLanes<TSelf>
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    static abstract TSelf Zero { get; }

    static abstract TSelf Load(float* at);

    static abstract TSelf Broadcast(float value);

    /// <summary>maxps: b where either is NaN.</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>IEEE 754 maximum: NaN where either is NaN.</summary>
    static abstract TSelf Maximum(TSelf a, TSelf b);

    /// <summary>The largest lane (NaN if any lane is).</summary>
    static abstract float Largest(TSelf x);

    static abstract float Sum(TSelf x);

    /// <summary>Lane by lane, 0 where x &lt; <paramref name="bound"/>, else <paramref name="value"/>.</summary>
    static abstract TSelf ZeroWhereBelow(TSelf x, TSelf bound, TSelf value);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    static abstract TSelf operator /(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a);

    /// <summary>a·b + c, rounded once.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    static abstract TSelf Abs(TSelf x);

    /// <summary>To the nearest integer, ties to even.</summary>
    static abstract TSelf RoundToNearest(TSelf x);

    /// <summary>x·2ⁿ for integral n, rounded once (AVX-512's <c>vscalefps</c>); the AVX2 form needs n in [−252, 254] and
    /// x·2^⌊n/2⌋ a normal float.</summary>
    static abstract TSelf Scale(TSelf x, TSelf n);

    /// <summary>Lane by lane, <paramref name="ifTrue"/> where x ≥ 0, else <paramref name="ifFalse"/>.</summary>
    static abstract TSelf WhereNonNegative(TSelf x, TSelf ifTrue, TSelf ifFalse);

    void Store(float* at);
}
