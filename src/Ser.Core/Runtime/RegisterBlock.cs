using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ser.Core.Runtime;

/// <summary>The product block of Ser's kernels (ResNet18's convolutions, linear layers, attention, wav2vec2's feature
/// encoder): 6 rows × 64 columns of a·w summed in 24 of AVX-512's 32 registers, 4 weight vectors and 6 broadcasts per
/// step, at 94-97 % of an AMD Zen 5 core's FMA peak on long sums. Where the CPU has AVX2 and FMA but no AVX-512, the
/// same block in four slices of 16 columns (12 of AVX2's 16 registers each). Each output is summed in one fixed order,
/// the same at either width, so both give the same bits.</summary>
internal static unsafe class RegisterBlock
{
    public const int Rows = 6;
    public const int Columns = 64;

    /// <summary>Whether this CPU runs the block, at either width.</summary>
    public static bool IsSupported => IsWide || (Avx2.IsSupported && Fma.IsSupported);

    /// <summary>Whether it runs at AVX-512's width: wherever the CPU has AVX-512, whatever width .NET prefers. On Intel
    /// CPUs that lower their clock under 512-bit code (Skylake-SP, Cascade Lake) .NET reports
    /// <c>Vector512.IsHardwareAccelerated</c> false, yet compiles 512-bit code as fast (DOTNET_PreferredVectorBitWidth=256
    /// on AMD Zen 5: the same loop times); libtorch's kernels use AVX-512 there too, and Ser's replace them only where
    /// measured faster (MeasuredChoice). Ser's kernel without an AVX2 form (softmax) runs only then.</summary>
    public static bool IsWide => Avx512F.IsSupported;

    /// <summary>y[r] = Σ_c a[r·lda + c] · w[c·ldw .. + 64] for c &lt; <paramref name="count"/> and r &lt;
    /// <paramref name="rows"/> (at most 6; missing rows read row 0 and are not stored); y's rows are
    /// <paramref name="ldy"/> floats apart. With <paramref name="accumulate"/> the sums start from y's values instead
    /// of 0: a long sum split into parts this way gives the same bits as in one call. A <paramref name="twin"/> (rows
    /// <paramref name="ldy"/> apart too) receives a copy of what is stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void Multiply(float* a, long lda, int rows, float* w, long ldw, int count, float* y, long ldy,
        bool accumulate = false, float* twin = null)
    {
        float* p0 = a, p1 = rows > 1 ? a + lda : a, p2 = rows > 2 ? a + (2 * lda) : a, p3 = rows > 3 ? a + (3 * lda) : a,
            p4 = rows > 4 ? a + (4 * lda) : a, p5 = rows > 5 ? a + (5 * lda) : a;
        if (!IsWide)
        {
            MultiplyInSlices(p0, p1, p2, p3, p4, p5, rows, w, ldw, count, y, ldy, accumulate, twin);
            return;
        }
        // Written out by hand: the JIT keeps the 24 accumulators in registers only if the loop holds no call.
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default,
            a12 = default, a13 = default, a20 = default, a21 = default, a22 = default, a23 = default, a30 = default,
            a31 = default, a32 = default, a33 = default, a40 = default, a41 = default, a42 = default, a43 = default,
            a50 = default, a51 = default, a52 = default, a53 = default;
        if (accumulate)
        {
            float* y0 = y, y1 = rows > 1 ? y + ldy : y, y2 = rows > 2 ? y + (2 * ldy) : y, y3 = rows > 3 ? y + (3 * ldy) : y,
                y4 = rows > 4 ? y + (4 * ldy) : y, y5 = rows > 5 ? y + (5 * ldy) : y;
            (a00, a01, a02, a03) = (Load(y0, 0), Load(y0, 1), Load(y0, 2), Load(y0, 3));
            (a10, a11, a12, a13) = (Load(y1, 0), Load(y1, 1), Load(y1, 2), Load(y1, 3));
            (a20, a21, a22, a23) = (Load(y2, 0), Load(y2, 1), Load(y2, 2), Load(y2, 3));
            (a30, a31, a32, a33) = (Load(y3, 0), Load(y3, 1), Load(y3, 2), Load(y3, 3));
            (a40, a41, a42, a43) = (Load(y4, 0), Load(y4, 1), Load(y4, 2), Load(y4, 3));
            (a50, a51, a52, a53) = (Load(y5, 0), Load(y5, 1), Load(y5, 2), Load(y5, 3));
        }
        for (var c = 0; c < count; c++, w += ldw)
        {
            var w0 = Avx512F.LoadVector512(w);
            var w1 = Avx512F.LoadVector512(w + 16);
            var w2 = Avx512F.LoadVector512(w + 32);
            var w3 = Avx512F.LoadVector512(w + 48);
            var b = Vector512.Create(p0[c]);
            a00 = Avx512F.FusedMultiplyAdd(b, w0, a00); a01 = Avx512F.FusedMultiplyAdd(b, w1, a01);
            a02 = Avx512F.FusedMultiplyAdd(b, w2, a02); a03 = Avx512F.FusedMultiplyAdd(b, w3, a03);
            b = Vector512.Create(p1[c]);
            a10 = Avx512F.FusedMultiplyAdd(b, w0, a10); a11 = Avx512F.FusedMultiplyAdd(b, w1, a11);
            a12 = Avx512F.FusedMultiplyAdd(b, w2, a12); a13 = Avx512F.FusedMultiplyAdd(b, w3, a13);
            b = Vector512.Create(p2[c]);
            a20 = Avx512F.FusedMultiplyAdd(b, w0, a20); a21 = Avx512F.FusedMultiplyAdd(b, w1, a21);
            a22 = Avx512F.FusedMultiplyAdd(b, w2, a22); a23 = Avx512F.FusedMultiplyAdd(b, w3, a23);
            b = Vector512.Create(p3[c]);
            a30 = Avx512F.FusedMultiplyAdd(b, w0, a30); a31 = Avx512F.FusedMultiplyAdd(b, w1, a31);
            a32 = Avx512F.FusedMultiplyAdd(b, w2, a32); a33 = Avx512F.FusedMultiplyAdd(b, w3, a33);
            b = Vector512.Create(p4[c]);
            a40 = Avx512F.FusedMultiplyAdd(b, w0, a40); a41 = Avx512F.FusedMultiplyAdd(b, w1, a41);
            a42 = Avx512F.FusedMultiplyAdd(b, w2, a42); a43 = Avx512F.FusedMultiplyAdd(b, w3, a43);
            b = Vector512.Create(p5[c]);
            a50 = Avx512F.FusedMultiplyAdd(b, w0, a50); a51 = Avx512F.FusedMultiplyAdd(b, w1, a51);
            a52 = Avx512F.FusedMultiplyAdd(b, w2, a52); a53 = Avx512F.FusedMultiplyAdd(b, w3, a53);
        }
        Store(y, 0, rows, ldy, a00, a01, a02, a03);
        Store(y, 1, rows, ldy, a10, a11, a12, a13);
        Store(y, 2, rows, ldy, a20, a21, a22, a23);
        Store(y, 3, rows, ldy, a30, a31, a32, a33);
        Store(y, 4, rows, ldy, a40, a41, a42, a43);
        Store(y, 5, rows, ldy, a50, a51, a52, a53);
        if (twin == null) return;
        Store(twin, 0, rows, ldy, a00, a01, a02, a03);
        Store(twin, 1, rows, ldy, a10, a11, a12, a13);
        Store(twin, 2, rows, ldy, a20, a21, a22, a23);
        Store(twin, 3, rows, ldy, a30, a31, a32, a33);
        Store(twin, 4, rows, ldy, a40, a41, a42, a43);
        Store(twin, 5, rows, ldy, a50, a51, a52, a53);
    }

    // The AVX2 form of Multiply: its 64 columns as four slices of 16, each output summed in the same order.
    private static void MultiplyInSlices(float* p0, float* p1, float* p2, float* p3, float* p4, float* p5, int rows, float* w,
        long ldw, int count, float* y, long ldy, bool accumulate, float* twin)
    {
        for (var s = 0; s < Columns; s += Slice)
            MultiplySlice(p0, p1, p2, p3, p4, p5, rows, w + s, ldw, count, y + s, ldy, accumulate);
        if (twin == null) return;
        for (var r = 0; r < rows; r++)
            new ReadOnlySpan<float>(y + (r * ldy), Columns).CopyTo(new Span<float>(twin + (r * ldy), Columns));
    }

    /// <summary>Columns of <see cref="MultiplySlice"/>.</summary>
    public const int Slice = 16;

    /// <summary>AVX2 with FMA: y[r][0..16) = Σ_c p_r[c] · w[c·ldw .. + 16] for c &lt; <paramref name="count"/>, rows
    /// r &lt; <paramref name="rows"/> read from p0..p5 (unused ones may repeat p0; they are not stored), y's rows
    /// <paramref name="ldy"/> floats apart; with <paramref name="accumulate"/> from y's values instead of 0. Summed in
    /// the order of <see cref="Multiply"/>, so a caller splitting 64 columns into slices gets its bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void MultiplySlice(float* p0, float* p1, float* p2, float* p3, float* p4, float* p5, int rows, float* w,
        long ldw, int count, float* y, long ldy, bool accumulate)
    {
        // 12 accumulators, 2 weight vectors and a broadcast: 15 of the 16 registers, none spilled.
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default,
            a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        if (accumulate)
        {
            (a00, a01) = Load(y, 0, rows, ldy);
            (a10, a11) = Load(y, 1, rows, ldy);
            (a20, a21) = Load(y, 2, rows, ldy);
            (a30, a31) = Load(y, 3, rows, ldy);
            (a40, a41) = Load(y, 4, rows, ldy);
            (a50, a51) = Load(y, 5, rows, ldy);
        }
        for (var c = 0; c < count; c++, w += ldw)
        {
            var w0 = Avx.LoadVector256(w);
            var w1 = Avx.LoadVector256(w + 8);
            var b = Vector256.Create(p0[c]);
            a00 = Fma.MultiplyAdd(b, w0, a00); a01 = Fma.MultiplyAdd(b, w1, a01);
            b = Vector256.Create(p1[c]);
            a10 = Fma.MultiplyAdd(b, w0, a10); a11 = Fma.MultiplyAdd(b, w1, a11);
            b = Vector256.Create(p2[c]);
            a20 = Fma.MultiplyAdd(b, w0, a20); a21 = Fma.MultiplyAdd(b, w1, a21);
            b = Vector256.Create(p3[c]);
            a30 = Fma.MultiplyAdd(b, w0, a30); a31 = Fma.MultiplyAdd(b, w1, a31);
            b = Vector256.Create(p4[c]);
            a40 = Fma.MultiplyAdd(b, w0, a40); a41 = Fma.MultiplyAdd(b, w1, a41);
            b = Vector256.Create(p5[c]);
            a50 = Fma.MultiplyAdd(b, w0, a50); a51 = Fma.MultiplyAdd(b, w1, a51);
        }
        Store(y, 0, rows, ldy, a00, a01);
        Store(y, 1, rows, ldy, a10, a11);
        Store(y, 2, rows, ldy, a20, a21);
        Store(y, 3, rows, ldy, a30, a31);
        Store(y, 4, rows, ldy, a40, a41);
        Store(y, 5, rows, ldy, a50, a51);
    }

    /// <summary>Adds <paramref name="bias"/> (64 floats, or none) to <paramref name="rows"/> stored rows of 64 outputs
    /// (<paramref name="ldy"/> floats apart) and applies GELU (<see cref="VectorGelu"/>) if asked, while they are in
    /// cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Finish(float* y, long ldy, int rows, float* bias, bool gelu)
    {
        if (bias == null && !gelu) return;
        if (IsWide) Finish<Avx512Lanes>(y, ldy, rows, bias, gelu);
        else Finish<Avx2Lanes>(y, ldy, rows, bias, gelu);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Finish<TLanes>(float* y, long ldy, int rows, float* bias, bool gelu) where TLanes : struct, IFloatLanes<TLanes>
    {
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < Columns; j += TLanes.Count)
            {
                var at = y + (r * ldy) + j;
                var value = TLanes.Load(at);
                if (bias != null) value += TLanes.Load(bias + j);
                (gelu ? VectorGelu.Apply(value) : value).Store(at);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(float* row, int vector) => Avx512F.LoadVector512(row + (16 * vector));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>) Load(float* y, int row, int rows, long ldy)
    {
        var at = row < rows ? y + (row * ldy) : y;
        return (Avx.LoadVector256(at), Avx.LoadVector256(at + 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, int row, int rows, long ldy, Vector256<float> a0, Vector256<float> a1)
    {
        if (row >= rows) return;
        var at = y + (row * ldy);
        Avx.Store(at, a0);
        Avx.Store(at + 8, a1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, int row, int rows, long ldy, Vector512<float> a0, Vector512<float> a1,
        Vector512<float> a2, Vector512<float> a3)
    {
        if (row >= rows) return;
        var at = y + (row * ldy);
        Avx512F.Store(at, a0);
        Avx512F.Store(at + 16, a1);
        Avx512F.Store(at + 32, a2);
        Avx512F.Store(at + 48, a3);
    }
}
