using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ser.Core.Runtime;

/// <summary>8 floats in an AVX2 (256-bit) register.</summary>
internal readonly unsafe struct Avx2Lanes(Vector256<float> value) : IFloatLanes<Avx2Lanes>
{
    private readonly Vector256<float> _value = value;

    public static int Count => Vector256<float>.Count;

    public static Avx2Lanes Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes Load(float* at) => new(Avx.LoadVector256(at));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes Broadcast(float value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes Max(Avx2Lanes a, Avx2Lanes b) => new(Avx.Max(a._value, b._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes operator +(Avx2Lanes a, Avx2Lanes b) => new(a._value + b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes operator -(Avx2Lanes a, Avx2Lanes b) => new(a._value - b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes operator *(Avx2Lanes a, Avx2Lanes b) => new(a._value * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes operator /(Avx2Lanes a, Avx2Lanes b) => new(a._value / b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes operator -(Avx2Lanes a) => new(-a._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes MultiplyAdd(Avx2Lanes a, Avx2Lanes b, Avx2Lanes c) => new(Fma.MultiplyAdd(a._value, b._value, c._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes Abs(Avx2Lanes x) => new(Vector256.Abs(x._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes RoundToNearest(Avx2Lanes x) => new(Avx.RoundToNearestInteger(x._value));

    // vscalefps has no AVX2 form: x·2^⌊n/2⌋ is exact while a normal float (VectorExp: x ≥ 0.7, n ≥ −127), then
    // ·2^(n−⌊n/2⌋) rounds once, as vscalefps does; each power of two is built in the exponent bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes Scale(Avx2Lanes x, Avx2Lanes n)
    {
        var low = Avx.RoundToNegativeInfinity(n._value * Vector256.Create(0.5f));
        return new(x._value * PowerOfTwo(low) * PowerOfTwo(n._value - low));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> PowerOfTwo(Vector256<float> k) =>
        Vector256.ShiftLeft(Avx.ConvertToVector256Int32(k) + Vector256.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes WhereNonNegative(Avx2Lanes x, Avx2Lanes ifTrue, Avx2Lanes ifFalse) =>
        new(Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x._value, Vector256<float>.Zero), ifTrue._value, ifFalse._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes Maximum(Avx2Lanes a, Avx2Lanes b) => new(Vector256.Max(a._value, b._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Largest(Avx2Lanes x) => Largest(x._value);

    /// <summary>The largest of 8 lanes (NaN if any lane is), halves first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Largest(Vector256<float> lanes)
    {
        var quarter = Vector128.Max(lanes.GetLower(), lanes.GetUpper());
        return Math.Max(Math.Max(quarter[0], quarter[1]), Math.Max(quarter[2], quarter[3]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Avx2Lanes x) => Vector256.Sum(x._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Avx2Lanes ZeroWhereBelow(Avx2Lanes x, Avx2Lanes bound, Avx2Lanes value) =>
        new(Vector256.ConditionalSelect(Vector256.LessThan(x._value, bound._value), Vector256<float>.Zero, value._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(float* at) => Avx.Store(at, _value);
}
