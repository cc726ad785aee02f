using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>One k×k convolution over channels-last (NHWC) float32 maps on Ser's own kernel, with its bias and
/// optionally a residual and ReLU applied as each output is stored. Each call of the kernel computes 6 output pixels ×
/// 64 channels in 24 registers, reading each input value once per tap for all 64 channels; pixels outside the map read
/// a row of zeros, so padding costs no branch in the inner loop. Every output is summed by one call in a fixed order,
/// so the result does not depend on the thread count. Weights are packed once, by groups of 64 outputs and chunks of
/// 128 inputs. Single-threaded on AMD Zen 5 it runs ResNet18's 3×3 layers at ~195 GFLOP/s (90 % of the core's FMA peak,
/// oneDNN's direct kernel ~175 with its weights packed, ~135 at 256 channels). Without AVX-512 the block is made of
/// four AVX2 slices of 16 channels (<see cref="RegisterBlock.MultiplySlice"/>) tap by tap, the same sums in the same
/// order.</summary>
internal sealed unsafe class DirectConvolution : INhwcConvolution
{
    /// <summary>Output channels per kernel call; a layer's output channels must be a multiple.</summary>
    public const int Group = 64;

    private const int Pixels = 6;

    // Input channels summed per pass over a block's pixels: a group's weights for one chunk (k² × 128 × 64 floats, 288 KB
    // at 3×3) stay in the core's L2 cache while every block of a work item reuses them.
    private const int Chunk = 128;

    private static readonly float* Zeros = (float*)NativeMemory.AlignedAlloc(Chunk * sizeof(float), 64);

    private readonly float* _weights;
    private readonly float* _bias;
    private bool _disposed;

    static DirectConvolution() => new Span<float>(Zeros, Chunk).Clear();

    /// <param name="weight">[out, in, k, k] float32, out a multiple of <see cref="Group"/>.</param>
    /// <param name="bias">[out] float32.</param>
    public DirectConvolution(Tensor weight, Tensor bias, int stride, int padding)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (weight.dim() != 4 || weight.shape[0] % Group != 0 || weight.shape[2] != weight.shape[3] || bias.shape[0] != weight.shape[0])
            throw new ArgumentException($"Expected [out, in, k, k] weights with out a multiple of {Group} and [out] biases, got [{string.Join(", ", weight.shape)}].", nameof(weight));
        (Out, In, Kernel, Stride, Padding) = ((int)weight.shape[0], (int)weight.shape[1], (int)weight.shape[2], stride, padding);
        _rowTaps = RowTaps;
        using var dense = weight.to(ScalarType.Float32).contiguous();
        using var denseBias = bias.to(ScalarType.Float32).contiguous();
        var w = dense.data<float>().ToArray();
        var b = denseBias.data<float>().ToArray();
        var taps = Kernel * Kernel;
        _weights = (float*)NativeMemory.AlignedAlloc((nuint)((long)Out * In * taps * sizeof(float)), 64);
        _bias = (float*)NativeMemory.AlignedAlloc((nuint)(Out * sizeof(float)), 64);
        for (var o = 0; o < Out; o++)
        {
            _bias[o] = b[o];
            for (var c = 0; c < In; c++)
                for (var t = 0; t < taps; t++)
                    _weights[ChunkStart(o / Group, c / Chunk * Chunk) + ((((long)t * ChunkSize(c / Chunk * Chunk)) + (c % Chunk)) * Group) + (o % Group)] =
                        w[((long)o * In + c) * taps + t];
        }
    }

    // Weights are stored group by group, each group chunk by chunk ([k][k][chunk's inputs][64] each), so the kernel
    // reads them in memory order and can prefetch the next chunk while it computes with this one.
    private long ChunkStart(int group, int c0) => (((long)group * In) + c0) * Kernel * Kernel * Group;

    private int ChunkSize(int c0) => Math.Min(Chunk, In - c0);

    public int In { get; }
    public int Out { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }

    /// <summary>Whether this CPU runs the kernel (<see cref="RegisterBlock.IsSupported"/>: AVX-512, or AVX2 with FMA).</summary>
    public static bool IsSupported => RegisterBlock.IsSupported;

    public (int Height, int Width) OutputSize(int height, int width) =>
        ((height + 2 * Padding - Kernel) / Stride + 1, (width + 2 * Padding - Kernel) / Stride + 1);

    /// <summary>Floats per input row Run reads: a one-channel convolution's rows carry their padding (its
    /// k taps along a row are then k consecutive floats, which serve as k "channels", so the kernel's inner loop runs k
    /// long instead of 1); any other's are the map's rows.</summary>
    public int InputRowWidth(int width) => RowTaps ? width + (2 * Padding) : width * In;

    /// <summary>y = conv(x) + bias (+ residual) (then ReLU), all [batch, height, width, channels], for the output rows
    /// [<paramref name="firstRow"/>, + <paramref name="rows"/>) of each image (all by default); y and residual hold
    /// just those rows. x's rows are <see cref="InputRowWidth"/> floats.</summary>
    /// <param name="threads">Threads to split the work over (the caller's thread takes part).</param>
    public void Run(float* x, int batch, int height, int width, float* y, float* residual, bool relu, int threads,
        int firstRow, int rows)
    {
        var (oh, ow) = OutputSize(height, width);
        if (rows < 0) rows = oh - firstRow;
        var blocks = ((rows * ow) + Pixels - 1) / Pixels;
        var groups = Out / Group;
        var split = threads <= 1 ? 1 : Math.Clamp((threads * 4 + groups - 1) / groups, 1, batch * blocks);
        var work = new Work(this, (nint)x, batch, height, width, firstRow, rows, ow, (nint)y, (nint)residual, relu, blocks, split);
        var items = groups * split;
        if (threads <= 1 || items == 1)
            for (var i = 0; i < items; i++) work.Run(i);
        else
            Parallel.For(0, items, new ParallelOptions { MaxDegreeOfParallelism = threads }, work.Run);
    }

    public long ScratchFloats(int threads) => 0;

    public void Run(float* x, int batch, int height, int width, float* y, float* residual, bool relu, int threads, float* scratch) =>
        Run(x, batch, height, width, y, residual, relu, threads, 0, -1);

    private bool RowTaps => In == 1 && Kernel > 1;

    // A field, not the property, in the kernel: a call there would make the JIT keep the accumulators in memory.
    private readonly bool _rowTaps;

    private sealed class Work(DirectConvolution conv, nint x, int batch, int height, int width, int firstRow, int oh, int ow,
        nint y, nint residual, bool relu, int blocks, int split)
    {
        // An item is one group of 64 output channels over a range of the batch's blocks of pixels, so each chunk of
        // that group's weights is read from memory once for all the images in the range.
        public void Run(int item)
        {
            var (g, part, total) = (item / split, item % split, (long)batch * blocks);
            var (first, last) = ((int)(part * total / split), (int)((part + 1) * total / split));
            var (taps, rowWidth) = (conv.Kernel * conv.Kernel, conv.InputRowWidth(width));
            for (var c0 = 0; c0 < conv.In; c0 += Chunk)
            {
                var count = conv.ChunkSize(c0);
                var weights = conv._weights + conv.ChunkStart(g, c0);
                // The next chunk in memory (this group's next, or the next group's first), in L2 by the time it is used:
                // the larger layers' weights (9.4 MB at 512 channels) come from memory on every forward.
                var next = weights + ((long)taps * count * Group);
                var end = conv._weights + conv.ChunkStart(conv.Out / Group, 0);
                var lines = next < end ? (int)Math.Min(end - next, (long)taps * Chunk * Group) / 16 : 0;
                var perBlock = (lines + (last - first) - 1) / Math.Max(1, last - first);
                var epilogue = c0 + count == conv.In;
                for (var block = first; block < last; block++)
                {
                    var (image, pixel) = (block / blocks, block % blocks * Pixels);
                    var offset = ((long)image * oh * ow * conv.Out) + (g * Group);
                    var done = (block - first) * perBlock;
                    conv.Block((float*)x + ((long)image * height * rowWidth), height, width, rowWidth, weights, c0, count,
                        firstRow, pixel, Math.Min(Pixels, (oh * ow) - pixel), ow, (float*)y + offset, conv._bias + (g * Group),
                        residual == 0 ? null : (float*)residual + offset, c0 > 0, epilogue, relu, next + ((long)done * 16),
                        Math.Clamp(lines - done, 0, perBlock));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float* Tap(float* image, int height, int width, int rowWidth, int c0, int oh0, int ow0, int kh, int kw, bool valid, bool rowTaps)
    {
        var (ih, iw) = (oh0 + kh, ow0 + kw);
        if (rowTaps) return valid && (uint)ih < (uint)height ? image + ((long)ih * rowWidth) + ow0 + Padding : Zeros;
        return valid && (uint)ih < (uint)height && (uint)iw < (uint)width ? image + ((long)ih * rowWidth) + ((long)iw * In) + c0 : Zeros;
    }

    // 6 pixels × 64 channels; accumulators start from the partial sums stored by earlier chunks (resume) and get the
    // epilogue after the last chunk. Written out by hand: the JIT keeps the 24 accumulators in registers only if the
    // loop holds no call.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private void Block(float* image, int height, int width, int rowWidth, float* weights, int c0, int count, int firstRow, int pixel, int pixels, int ow,
        float* output, float* bias, float* shortcut, bool resume, bool epilogue, bool relu, float* prefetch, int lines)
    {
        if (!RegisterBlock.IsWide)
        {
            BlockInSlices(image, height, width, rowWidth, weights, c0, count, firstRow, pixel, pixels, ow, output, bias,
                shortcut, resume, epilogue, relu);
            return;
        }
        var taps = Kernel * Kernel;
        var linesPerTap = (lines + taps - 1) / taps;
        int* oh0 = stackalloc int[Pixels], ow0 = stackalloc int[Pixels];
        Origins(firstRow, pixel, pixels, ow, oh0, ow0);
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default,
            a12 = default, a13 = default, a20 = default, a21 = default, a22 = default, a23 = default, a30 = default,
            a31 = default, a32 = default, a33 = default, a40 = default, a41 = default, a42 = default, a43 = default,
            a50 = default, a51 = default, a52 = default, a53 = default;
        if (resume)
        {
            Load(output, pixel, 0, pixels, out a00, out a01, out a02, out a03);
            Load(output, pixel, 1, pixels, out a10, out a11, out a12, out a13);
            Load(output, pixel, 2, pixels, out a20, out a21, out a22, out a23);
            Load(output, pixel, 3, pixels, out a30, out a31, out a32, out a33);
            Load(output, pixel, 4, pixels, out a40, out a41, out a42, out a43);
            Load(output, pixel, 5, pixels, out a50, out a51, out a52, out a53);
        }
        var rows = _rowTaps;
        var (rowTaps, steps) = rows ? (1, Kernel) : (Kernel, count);
        for (var kh = 0; kh < Kernel; kh++)
            for (var kw = 0; kw < rowTaps; kw++)
            {
                float* p0 = Tap(image, height, width, rowWidth, c0, oh0[0], ow0[0], kh, kw, true, rows),
                    p1 = Tap(image, height, width, rowWidth, c0, oh0[1], ow0[1], kh, kw, pixels > 1, rows),
                    p2 = Tap(image, height, width, rowWidth, c0, oh0[2], ow0[2], kh, kw, pixels > 2, rows),
                    p3 = Tap(image, height, width, rowWidth, c0, oh0[3], ow0[3], kh, kw, pixels > 3, rows),
                    p4 = Tap(image, height, width, rowWidth, c0, oh0[4], ow0[4], kh, kw, pixels > 4, rows),
                    p5 = Tap(image, height, width, rowWidth, c0, oh0[5], ow0[5], kh, kw, pixels > 5, rows);
                var w = weights + ((long)((kh * Kernel) + kw) * count * Group);
                var quota = Math.Min(linesPerTap, lines);
                lines -= quota;
                for (var c = 0; c < steps; c++, w += Group)
                {
                    if (c < quota)
                    {
                        Sse.Prefetch1(prefetch);
                        prefetch += 16;
                    }
                    var w0 = Avx512F.LoadAlignedVector512(w);
                    var w1 = Avx512F.LoadAlignedVector512(w + 16);
                    var w2 = Avx512F.LoadAlignedVector512(w + 32);
                    var w3 = Avx512F.LoadAlignedVector512(w + 48);
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
            }
        Store(output, bias, shortcut, pixel, 0, pixels, epilogue, relu, a00, a01, a02, a03);
        Store(output, bias, shortcut, pixel, 1, pixels, epilogue, relu, a10, a11, a12, a13);
        Store(output, bias, shortcut, pixel, 2, pixels, epilogue, relu, a20, a21, a22, a23);
        Store(output, bias, shortcut, pixel, 3, pixels, epilogue, relu, a30, a31, a32, a33);
        Store(output, bias, shortcut, pixel, 4, pixels, epilogue, relu, a40, a41, a42, a43);
        Store(output, bias, shortcut, pixel, 5, pixels, epilogue, relu, a50, a51, a52, a53);
    }

    // The top row and left column (padding included) of each of a block's pixels' windows; pixels past the block's
    // repeat the last.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Origins(int firstRow, int pixel, int pixels, int ow, int* oh0, int* ow0)
    {
        var (row, column) = (firstRow + (pixel / ow), pixel % ow);
        for (var i = 0; i < Pixels; i++)
        {
            (oh0[i], ow0[i]) = ((row * Stride) - Padding, (column * Stride) - Padding);
            if (i + 1 < pixels && ++column == ow) (row, column) = (row + 1, 0);
        }
    }

    // Block's AVX2 form: each tap's products summed into the stored outputs slice by slice (the outputs of a block stay
    // in L1 between taps), then the epilogue. No prefetch: the weights' next chunk comes from memory when used.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BlockInSlices(float* image, int height, int width, int rowWidth, float* weights, int c0, int count,
        int firstRow, int pixel, int pixels, int ow, float* output, float* bias, float* shortcut, bool resume, bool epilogue,
        bool relu)
    {
        int* oh0 = stackalloc int[Pixels], ow0 = stackalloc int[Pixels];
        Origins(firstRow, pixel, pixels, ow, oh0, ow0);
        var rows = _rowTaps;
        var (rowTaps, steps) = rows ? (1, Kernel) : (Kernel, count);
        var first = output + ((long)pixel * Out);
        var p = stackalloc nint[Pixels];
        for (var kh = 0; kh < Kernel; kh++)
            for (var kw = 0; kw < rowTaps; kw++)
            {
                for (var i = 0; i < Pixels; i++)
                    p[i] = (nint)Tap(image, height, width, rowWidth, c0, oh0[i], ow0[i], kh, kw, i == 0 || pixels > i, rows);
                var w = weights + ((long)((kh * Kernel) + kw) * count * Group);
                var accumulate = resume || kh > 0 || kw > 0;
                for (var s = 0; s < Group; s += RegisterBlock.Slice)
                    RegisterBlock.MultiplySlice((float*)p[0], (float*)p[1], (float*)p[2], (float*)p[3], (float*)p[4], (float*)p[5],
                        pixels, w + s, Group, steps, first + s, Out, accumulate);
            }
        if (epilogue) Finish(first, bias, shortcut == null ? null : shortcut + ((long)pixel * Out), pixels, relu);
    }

    // BlockInSlices' epilogue: bias, then the residual, then ReLU on a block's stored outputs, in Store's order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Finish(float* output, float* bias, float* shortcut, int pixels, bool relu)
    {
        for (var i = 0; i < pixels; i++)
            for (var j = 0; j < Group; j += Avx2Lanes.Count)
            {
                var at = ((long)i * Out) + j;
                var value = Avx2Lanes.Load(output + at) + Avx2Lanes.Load(bias + j);
                if (shortcut != null) value += Avx2Lanes.Load(shortcut + at);
                if (relu) value = Avx2Lanes.Max(value, Avx2Lanes.Zero);
                value.Store(output + at);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Load(float* output, int pixel, int i, int pixels, out Vector512<float> a0, out Vector512<float> a1,
        out Vector512<float> a2, out Vector512<float> a3)
    {
        if (i >= pixels)
        {
            a0 = a1 = a2 = a3 = default;
            return;
        }
        var o = output + ((long)(pixel + i) * Out);
        (a0, a1, a2, a3) = (Avx512F.LoadVector512(o), Avx512F.LoadVector512(o + 16), Avx512F.LoadVector512(o + 32), Avx512F.LoadVector512(o + 48));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(float* output, float* bias, float* shortcut, int pixel, int i, int pixels, bool epilogue, bool relu,
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        if (i >= pixels) return;
        var at = (long)(pixel + i) * Out;
        var o = output + at;
        if (epilogue)
        {
            (a0, a1, a2, a3) = (a0 + Avx512F.LoadVector512(bias), a1 + Avx512F.LoadVector512(bias + 16),
                a2 + Avx512F.LoadVector512(bias + 32), a3 + Avx512F.LoadVector512(bias + 48));
            if (shortcut is not null)
            {
                var s = shortcut + at;
                (a0, a1, a2, a3) = (a0 + Avx512F.LoadVector512(s), a1 + Avx512F.LoadVector512(s + 16),
                    a2 + Avx512F.LoadVector512(s + 32), a3 + Avx512F.LoadVector512(s + 48));
            }
            if (relu)
                (a0, a1, a2, a3) = (Avx512F.Max(a0, Vector512<float>.Zero), Avx512F.Max(a1, Vector512<float>.Zero),
                    Avx512F.Max(a2, Vector512<float>.Zero), Avx512F.Max(a3, Vector512<float>.Zero));
        }
        Avx512F.Store(o, a0);
        Avx512F.Store(o + 16, a1);
        Avx512F.Store(o + 32, a2);
        Avx512F.Store(o + 48, a3);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        NativeMemory.AlignedFree(_weights);
        NativeMemory.AlignedFree(_bias);
    }
}
