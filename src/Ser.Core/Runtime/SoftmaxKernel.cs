using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>softmax over the last dimension of a float32 or bfloat16 CPU tensor, in place, for inference on AVX-512
/// CPUs, with Ser's own e^x (<see cref="VectorExp"/>) and no masked memory access. libtorch's AVX-512 softmax takes e^x
/// from Sleef, whose every call ends in a masked broadcast of a constant in libtorch's read-only data: once the kernel
/// has cleared the accessed bit of that page (page aging: DAMON on this VM, reclaim elsewhere), a broadcast whose mask
/// is empty, as it is for ordinary scores, takes a slow path on every call until some other access sets the bit again.
/// Its softmax then ran 16× slower (AMD Zen 5: 2.5 against 0.15 ms for 1,488 rows of 124, from a write to
/// <c>/proc/PID/clear_refs</c> on, for as long as measured); this one does not depend on a page's bits.</summary>
public static unsafe class SoftmaxKernel
{
    /// <summary>Whether <see cref="ForwardInPlace"/> runs on <paramref name="x"/>: no autograd, an AVX-512 CPU, a
    /// contiguous float32 or bfloat16 CPU tensor of at most 2 GiB with a last dimension of at least one element.</summary>
    public static bool Supports(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return RegisterBlock.IsWide && !is_grad_enabled() && x.dtype is ScalarType.Float32 or ScalarType.BFloat16
            && x.device_type == DeviceType.CPU && x.dim() > 0 && x.shape[^1] > 0 && x.is_contiguous()
            && x.numel() <= int.MaxValue / x.ElementSize;
    }

    /// <summary>softmax(<paramref name="x"/>, −1) written over <paramref name="x"/>, which is returned. A probability
    /// below e^−87 of its row's largest is 0, as libtorch gives it (masked keys' among them). bfloat16 rows are computed
    /// in float32 and rounded to nearest even, as libtorch's are.</summary>
    /// <exception cref="InvalidOperationException">The kernel does not <see cref="Supports"/> the tensor.</exception>
    public static Tensor ForwardInPlace(Tensor x)
    {
        if (!Supports(x)) throw new InvalidOperationException("Ser's softmax runs in place on contiguous float32 or bfloat16 CPU tensors on AVX-512 CPUs, without autograd.");
        var length = (int)x.shape[^1];
        var rows = (int)(x.numel() / length);
        fixed (byte* data = x.bytes)
        {
            var pass = new Pass(data, x.dtype == ScalarType.BFloat16, length, rows);
            OpenMpTeam.RunSized((long)rows * length, pass.Run);
        }
        return x;
    }

    // Rows split evenly between the threads. A float32 row of 16 or more is computed in place, ending in one vector that
    // overlaps the whole vectors before it (no masked access, no scalar tail); others go through a float32 buffer:
    // bfloat16 rows widened, short rows padded with −∞ to one vector.
    private sealed class Pass(byte* data, bool bfloat16, int length, int rows)
    {
        private const int Width = 16;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int thread, int threads)
        {
            var width = Math.Max(length, Width);
            var buffer = bfloat16 || length < Width ? (float*)NativeMemory.AlignedAlloc((nuint)width * sizeof(float), 64) : null;
            try
            {
                for (var r = (long)rows * thread / threads; r < (long)rows * (thread + 1) / threads; r++)
                {
                    var floats = (float*)data + (r * length);
                    var halves = (ushort*)data + (r * length);
                    if (!bfloat16 && length >= Width)
                    {
                        Softmax(floats, length);
                        continue;
                    }
                    if (bfloat16) Widen(halves, buffer, length);
                    else new ReadOnlySpan<float>(floats, length).CopyTo(new Span<float>(buffer, length));
                    new Span<float>(buffer + length, width - length).Fill(float.NegativeInfinity);
                    Softmax(buffer, width);
                    if (bfloat16) Narrow(buffer, halves, length);
                    else new ReadOnlySpan<float>(buffer, length).CopyTo(new Span<float>(floats, length));
                }
            }
            finally
            {
                NativeMemory.AlignedFree(buffer);
            }
        }

        // bfloat16 is float32's upper half.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Widen(ushort* from, float* to, int count)
        {
            var j = 0;
            for (; j + Width <= count; j += Width)
                Avx512F.Store((uint*)(to + j), Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512UInt32(Avx.LoadVector256(from + j)), 16));
            for (; j < count; j++) ((uint*)to)[j] = (uint)from[j] << 16;
        }

        // Rounded to nearest, ties to even (x86's default NaN stays a NaN).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Narrow(float* from, ushort* to, int count)
        {
            var j = 0;
            for (; j + Width <= count; j += Width)
            {
                var bits = Avx512F.LoadVector512((uint*)(from + j));
                var rounded = (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One)) >> 16;
                Avx.Store(to + j, Avx512F.ConvertToVector256UInt16(rounded));
            }
            for (; j < count; j++) to[j] = Bfloat16.FromFloat(from[j]);
        }

        // At least 16 elements.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Softmax(float* row, int length)
        {
            var whole = length / Width * Width;
            var last = row + length - Width;
            var max = Avx512F.LoadVector512(last);
            for (var j = 0; j < whole; j += Width) max = Vector512.Max(max, Avx512F.LoadVector512(row + j));
            var peak = Vector512.Create(Largest(max));
            // The last vector from the inputs, before the loop overwrites the lanes it shares with the whole vectors;
            // only its lanes past them count in the sum.
            var lastExp = VectorExp.OfNegativeOrZero(Avx512F.LoadVector512(last) - peak);
            var sum = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(whole - (length - Width))).AsSingle(),
                lastExp, Vector512<float>.Zero);
            for (var j = 0; j < whole; j += Width)
            {
                var e = VectorExp.OfNegativeOrZero(Avx512F.LoadVector512(row + j) - peak);
                Avx512F.Store(row + j, e);
                sum += e;
            }
            Avx512F.Store(last, lastExp); // the shared lanes get the values they already hold
            var scale = Vector512.Create(1f / Vector512.Sum(sum));
            var lastScaled = lastExp * scale;
            for (var j = 0; j < whole; j += Width) Avx512F.Store(row + j, Avx512F.LoadVector512(row + j) * scale);
            Avx512F.Store(last, lastScaled);
        }

    }

    /// <summary>The largest of the 16 lanes (a NaN lane gives NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Largest(Vector512<float> lanes) => Avx512Lanes.Largest(new Avx512Lanes(lanes));
}
