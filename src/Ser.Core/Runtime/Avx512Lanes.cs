using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ser.Core.Runtime;

/// <summary>16 floats in an AVX-512 register.</summary>
internal readonly unsafe struct Avx512Lanes(Vector512<float> value) : IFloatLanes<Avx512Lanes>
{
    private readonly Vector512<float> _value = value;

    public static int Count => Vector512<float>.Count;

    public static Avx512Lanes Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes Load(float* at) => new(Avx512F.LoadVector512(at));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes Broadcast(float value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes Max(Avx512Lanes a, Avx512Lanes b) => new(Avx512F.Max(a._value, b._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes operator +(Avx512Lanes a, Avx512Lanes b) => new(a._value + b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes operator -(Avx512Lanes a, Avx512Lanes b) => new(a._value - b._value);

    /// <summary>The register.</summary>
    public Vector512<float> Value => _value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes operator *(Avx512Lanes a, Avx512Lanes b) => new(a._value * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes operator /(Avx512Lanes a, Avx512Lanes b) => new(a._value / b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes operator -(Avx512Lanes a) => new(-a._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes MultiplyAdd(Avx512Lanes a, Avx512Lanes b, Avx512Lanes c) =>
        new(Avx512F.FusedMultiplyAdd(a._value, b._value, c._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes Abs(Avx512Lanes x) => new(Vector512.Abs(x._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes RoundToNearest(Avx512Lanes x) => new(Avx512F.RoundScale(x._value, 0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes Scale(Avx512Lanes x, Avx512Lanes n) => new(Avx512F.Scale(x._value, n._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes WhereNonNegative(Avx512Lanes x, Avx512Lanes ifTrue, Avx512Lanes ifFalse) =>
        new(Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x._value, Vector512<float>.Zero), ifTrue._value, ifFalse._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes Maximum(Avx512Lanes a, Avx512Lanes b) => new(Vector512.Max(a._value, b._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Largest(Avx512Lanes x)
    {
        var half = Vector256.Max(x._value.GetLower(), x._value.GetUpper());
        return Avx2Lanes.Largest(half);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Avx512Lanes x) => Vector512.Sum(x._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx512Lanes ZeroWhereBelow(Avx512Lanes x, Avx512Lanes bound, Avx512Lanes value) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(x._value, bound._value), Vector512<float>.Zero, value._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(float* at) => Avx512F.Store(at, _value);
}
