using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>softmax(q·kᵀ·scale + mask)·v for float32 inference on Ser's product block (AVX-512 or AVX2), heads of 64,
/// on libtorch's OpenMP threads (<see cref="OpenMpTeam"/>). Each thread takes blocks of queries of one head: their scores
/// against every key, the softmax of those rows while they are in cache, then their sum over the values, written
/// straight into the merged-heads output. No score matrix of the whole head is kept, so memory stays bounded at any
/// length, and no libtorch operator runs between the products (each would leave an OpenMP thread spinning).</summary>
public static unsafe class AttentionKernel
{
    /// <summary>Width of each head the kernel runs (the register block's columns).</summary>
    public const int HeadSize = RegisterBlock.Columns;

    // Queries per block: 8 register blocks reuse each 64-key panel of kᵀ from L1.
    private const int MaxBlockRows = 8 * RegisterBlock.Rows;

    // A thread's scores for one block stay within this many floats (1 MiB) where the clip allows more than one register
    // block of rows.
    private const long ScoresPerThread = 1L << 18;

    // Keys per pass over the values: 256 × 64 values (64 KiB) stay in L2 while every query block uses them.
    private const int Depth = 256;

    /// <summary>Whether the kernel can compute attention on projections <paramref name="q"/>, <paramref name="k"/> and
    /// <paramref name="v"/> ([batch, frames, heads × 64] each): no autograd, all float32 or all bfloat16 on the CPU, a
    /// CPU with AVX-512 or AVX2, and an additive key mask [batch, 1, 1, frames] of float32, of their dtype, or none.</summary>
    public static bool Supports(Tensor q, Tensor k, Tensor v, Tensor? keyMask, int heads)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(k);
        ArgumentNullException.ThrowIfNull(v);
        if (!RegisterBlock.IsSupported || is_grad_enabled() || heads <= 0 || q.dim() != 3) return false;
        var (shape, dtype) = (q.shape, q.dtype);
        bool Fits(Tensor t) => t.dtype == dtype && t.device_type == DeviceType.CPU && t.shape.SequenceEqual(shape)
            && t.numel() <= int.MaxValue / sizeof(float);
        return dtype is ScalarType.Float32 or ScalarType.BFloat16 && shape[2] == (long)heads * HeadSize && shape[1] > 0
            && Fits(q) && Fits(k) && Fits(v)
            && (keyMask is null || ((keyMask.dtype == ScalarType.Float32 || keyMask.dtype == dtype)
                && keyMask.device_type == DeviceType.CPU && keyMask.shape.SequenceEqual(new[] { shape[0], 1, 1, shape[1] })));
    }

    /// <summary>Attention of <paramref name="heads"/> heads: [batch, frames, heads × 64] with each head's context in its
    /// 64 columns (the heads merged, as the output projection reads them). Scores are scaled by 1/√64. bfloat16
    /// projections are widened and attended in float32, and the context rounded to bfloat16 once (AMD Zen 5: faster than
    /// libtorch's bfloat16 attention on a 3 s clip, slower on a 30 s one; callers measure).</summary>
    /// <exception cref="InvalidOperationException">The kernel does not <see cref="Supports"/> the call.</exception>
    public static Tensor Forward(Tensor q, Tensor k, Tensor v, Tensor? keyMask, int heads)
    {
        if (!Supports(q, k, v, keyMask, heads))
            throw new InvalidOperationException("Ser's attention kernel runs float32 or bfloat16 inference on CPUs with AVX-512 or AVX2 (no autograd) of [batch, frames, heads × 64] projections.");
        long batch = q.shape[0], frames = q.shape[1], width = q.shape[2], padded = Padded(frames);
        using var scope = NewDisposeScope();
        var queries = Float32(q);
        var keys = Float32(k);
        var values = Float32(v);
        var mask = keyMask is null ? null : Float32(keyMask.reshape(batch, frames));
        var result = empty([batch, frames, width], ScalarType.Float32);
        fixed (float* qp = HostTensors.AsSpan(queries), kp = HostTensors.AsSpan(keys), vp = HostTensors.AsSpan(values),
            yp = HostTensors.AsSpan(result), mp = mask is null ? default : HostTensors.AsSpan(mask))
        {
            var pass = new Pass(qp, kp, vp, mp, yp, (int)batch, (int)frames, heads, (int)padded);
            OpenMpTeam.Run(pass.Run);
        }
        return (q.dtype == ScalarType.Float32 ? result : result.to(q.dtype)).MoveToOuterDisposeScope();
    }

    private static Tensor Float32(Tensor t) => (t.dtype == ScalarType.Float32 ? t : t.to(ScalarType.Float32)).contiguous();

    private static long Padded(long frames) => (frames + HeadSize - 1) / HeadSize * HeadSize;

    // Work items are (item of the batch, head, block of queries), in that order, split evenly between the threads.
    private sealed class Pass(float* q, float* k, float* v, float* mask, float* y, int batch, int frames, int heads, int padded)
    {
        private readonly int _width = heads * HeadSize;
        private readonly int _blockRows = (int)Math.Clamp(ScoresPerThread / padded / RegisterBlock.Rows * RegisterBlock.Rows,
            RegisterBlock.Rows, MaxBlockRows);

        public void Run(int thread, int threads)
        {
            var blocks = (frames + _blockRows - 1) / _blockRows;
            var items = (long)batch * heads * blocks;
            var scores = (float*)NativeMemory.AlignedAlloc((nuint)((long)_blockRows * padded * sizeof(float)), 64);
            var keys = (float*)NativeMemory.AlignedAlloc((nuint)((long)HeadSize * padded * sizeof(float)), 64);
            try
            {
                var transposed = -1L;
                for (var item = items * thread / threads; item < items * (thread + 1) / threads; item++)
                {
                    var (head, block) = Math.DivRem(item, blocks);
                    var (b, h) = Math.DivRem(head, heads);
                    if (head != transposed) Transpose((int)b, (int)h, keys);
                    transposed = head;
                    var first = (int)block * _blockRows;
                    Compute((int)b, (int)h, first, Math.Min(frames, first + _blockRows), scores, keys);
                }
            }
            finally
            {
                NativeMemory.AlignedFree(keys);
                NativeMemory.AlignedFree(scores);
            }
        }

        // One head's kᵀ in panels of 64 keys ([panel, 64, 64], keys past the clip's frames 0): a product step then
        // reads adjacent rows, not rows a whole hidden width apart (whose stride maps them onto a few of L1's sets).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Transpose(int b, int h, float* keys)
        {
            new Span<float>(keys + ((long)frames / HeadSize * HeadSize * HeadSize), (padded - (frames / HeadSize * HeadSize)) * HeadSize).Clear();
            var source = k + ((long)b * frames * _width) + (h * HeadSize);
            for (var j = 0; j < frames; j++)
            {
                var from = source + ((long)j * _width);
                var to = keys + ((long)(j / HeadSize) * HeadSize * HeadSize) + (j % HeadSize);
                for (var d = 0; d < HeadSize; d++) to[d * HeadSize] = from[d];
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Compute(int b, int h, int first, int last, float* scores, float* keys)
        {
            var queries = q + ((long)b * frames * _width) + (h * HeadSize);
            for (var panel = 0; panel < padded; panel += RegisterBlock.Columns)
                for (var row = first; row < last; row += RegisterBlock.Rows)
                    RegisterBlock.Multiply(queries + ((long)row * _width), _width, Math.Min(RegisterBlock.Rows, last - row),
                        keys + ((long)panel * HeadSize), RegisterBlock.Columns, HeadSize, scores + ((long)(row - first) * padded) + panel, padded);
            var inverses = stackalloc float[MaxBlockRows];
            var keyMask = mask == null ? null : mask + ((long)b * frames);
            for (var row = 0; row < last - first; row++)
            {
                var at = scores + ((long)row * padded);
                inverses[row] = RegisterBlock.IsWide ? Softmax<Avx512Lanes>(at, keyMask) : Softmax<Avx2Lanes>(at, keyMask);
            }
            var values = v + ((long)b * frames * _width) + (h * HeadSize);
            var output = y + ((long)b * frames * _width) + (h * HeadSize);
            for (var start = 0; start < frames; start += Depth)
                for (var row = first; row < last; row += RegisterBlock.Rows)
                    RegisterBlock.Multiply(scores + ((long)(row - first) * padded) + start, padded, Math.Min(RegisterBlock.Rows, last - row),
                        values + ((long)start * _width), _width, Math.Min(Depth, frames - start), output + ((long)row * _width), _width,
                        accumulate: start > 0);
            for (var row = first; row < last; row++)
            {
                if (RegisterBlock.IsWide) Scale<Avx512Lanes>(output + ((long)row * _width), inverses[row - first]);
                else Scale<Avx2Lanes>(output + ((long)row * _width), inverses[row - first]);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Scale<TLanes>(float* at, float factor) where TLanes : struct, IFloatLanes<TLanes>
        {
            var inverse = TLanes.Broadcast(factor);
            for (var j = 0; j < HeadSize; j += TLanes.Count) (TLanes.Load(at + j) * inverse).Store(at + j);
        }

        // One row of scores: scaled by 1/√64 (a power of two, so exact), the key mask added, then e^(s − max) in place
        // for the keys of the clip's frames; returns 1 / their sum, applied to the row's output (one product per output
        // instead of one per key). The sum runs over the vector's lanes, so its last bits depend on the width.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private float Softmax<TLanes>(float* row, float* keyMask) where TLanes : struct, IFloatLanes<TLanes>
        {
            var scale = TLanes.Broadcast(1f / 8);
            var whole = frames / TLanes.Count * TLanes.Count;
            var max = TLanes.Broadcast(float.NegativeInfinity);
            for (var j = 0; j < whole; j += TLanes.Count)
            {
                var s = TLanes.Load(row + j) * scale;
                if (keyMask != null) s += TLanes.Load(keyMask + j);
                s.Store(row + j);
                max = TLanes.Maximum(max, s);
            }
            if (whole < frames)
            {
                // The last vector's lanes past the clip's frames (padding) get −∞, so e^(s − max) = 0 there.
                var lanes = stackalloc float[TLanes.Count];
                for (var i = 0; i < TLanes.Count; i++)
                    lanes[i] = whole + i < frames ? (row[whole + i] / 8) + (keyMask == null ? 0f : keyMask[whole + i]) : float.NegativeInfinity;
                var s = TLanes.Load(lanes);
                s.Store(row + whole);
                max = TLanes.Maximum(max, s);
            }
            var peak = TLanes.Broadcast(Math.Max(float.MinValue, TLanes.Largest(max)));
            var sum = TLanes.Zero;
            for (var j = 0; j < frames; j += TLanes.Count)
            {
                var e = VectorExp.OfNegativeOrZero(TLanes.Load(row + j) - peak);
                e.Store(row + j);
                sum += e;
            }
            return 1f / TLanes.Sum(sum);
        }
    }
}
