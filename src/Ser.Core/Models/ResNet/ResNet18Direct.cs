using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>The folded ResNet18 on Ser's own convolutions (AVX-512, or AVX2 with FMA): Winograd's F(2×2, 3×3) for every 3×3 stride-1 layer
/// (<see cref="WinogradConvolution"/>), the direct kernel for the stem, the strided and the 1×1 layers
/// (<see cref="DirectConvolution"/>); channels-last from the stem to the pooling, the stem and max-pooling fused band by
/// band. On AMD Zen 5 oneDNN's kernels left ResNet18 at 1.4-1.7x ONNX Runtime's time for one clip; the direct kernels
/// alone, at 1.1x; with Winograd's, at 0.9x. Float32, CPU, every layer's width a multiple of 64; buffers come
/// from native memory and are freed before Forward returns.</summary>
internal sealed unsafe class ResNet18Direct : IDisposable
{
    private readonly DirectConvolution _stem;
    private readonly INhwcConvolution[] _convs;
    private readonly float[] _fcWeight;
    private readonly float[] _fcBias;

    /// <param name="convs">Folded (weight, bias, stride, padding) in <see cref="ResNet18OneDnn.Convolutions"/> order.</param>
    private ResNet18Direct(IReadOnlyList<(Tensor Weight, Tensor Bias, long Stride, long Padding)> convs, Tensor fcWeight, Tensor fcBias)
    {
        var built = new List<INhwcConvolution>();
        try
        {
            // The stem stays direct (it runs band by band into the pooling).
            for (var i = 0; i < convs.Count; i++)
            {
                var (w, b, stride, padding) = convs[i];
                built.Add(i > 0 && WinogradConvolution.Supports(w, stride, padding)
                    ? new WinogradConvolution(w, b)
                    : new DirectConvolution(w, b, (int)stride, (int)padding));
            }
        }
        catch
        {
            foreach (var c in built) c.Dispose();
            throw;
        }
        _convs = [.. built];
        _stem = (DirectConvolution)_convs[0];
        using var fcw = fcWeight.to(ScalarType.Float32).contiguous();
        using var fcb = fcBias.to(ScalarType.Float32).contiguous();
        _fcWeight = fcw.data<float>().ToArray();
        _fcBias = fcb.data<float>().ToArray();
    }

    /// <summary>The copy for these folded layers, or null where this CPU or a layer's width rules the kernel out.</summary>
    public static ResNet18Direct? TryCreate(IReadOnlyList<(Tensor Weight, Tensor Bias, long Stride, long Padding)> convs, Tensor fcWeight, Tensor fcBias) =>
        DirectConvolution.IsSupported && convs.All(c => c.Weight.shape[0] % DirectConvolution.Group == 0)
            ? new ResNet18Direct(convs, fcWeight, fcBias)
            : null;

    /// <summary>[batch, in, height, width] float32 on CPU → logits [batch, classes].</summary>
    public Tensor Forward(Tensor input)
    {
        var threads = get_num_threads();
        var (batch, height, width) = ((int)input.shape[0], (int)input.shape[2], (int)input.shape[3]);
        using var nhwc = ChannelsLast(input);
        var buffers = new List<nint>();
        float* Allocate(long floats)
        {
            var p = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
            buffers.Add((nint)p);
            return p;
        }
        // Buffers of the per-image part, allocated for the first image and reused by the next (still in cache).
        var slots = new List<nint>();
        var slot = 0;
        float* Reuse(long floats)
        {
            if (slot == slots.Count) slots.Add((nint)Allocate(floats));
            return (float*)slots[slot++];
        }
        try
        {
            // Image by image through the stem and the first two stages, whose maps (0.6 MB a clip per layer at 64
            // channels) would leave the cache between one layer writing them and the next reading them; then batched,
            // where the weights (up to 9.4 MB a layer) are what should be read once (at batch 8 on one thread on AMD
            // Zen 5: 1.21x ONNX Runtime's time all batched, 1.08-1.11x so).
            var (h, w) = _stem.OutputSize(height, width);
            (h, w) = (Pooled(h), Pooled(w));
            var (sh, sw) = (h, w);
            float* x = null;
            var i = 1;
            fixed (float* pixels = HostTensors.AsSpan(nhwc))
                for (var n = 0; n < batch; n++)
                {
                    slot = 0;
                    (h, w) = (sh, sw);
                    var image = Reuse((long)h * w * _stem.Out);
                    StemAndPool(pixels + ((long)n * height * width * (int)input.shape[1]), height, width, image, threads, Reuse);
                    i = 1;
                    for (var stage = 0; stage < 2; stage++)
                        for (var block = 0; block < 2; block++)
                        {
                            var (oh, ow) = _convs[i].OutputSize(h, w);
                            var channels = _convs[i + 1].Out;
                            // The stage-2 input holds every image, for the batched part.
                            if (x == null && stage == 1 && block == 1) x = Allocate((long)batch * oh * ow * channels);
                            var output = stage == 1 && block == 1 ? x + ((long)n * oh * ow * channels) : Reuse((long)oh * ow * channels);
                            image = BasicBlock(ref i, stage > 0 && block == 0, image, 1, h, w, output, threads, Reuse);
                            (h, w) = (oh, ow);
                        }
                }
            for (var stage = 2; stage < 4; stage++)
                for (var block = 0; block < 2; block++)
                {
                    var (oh, ow) = _convs[i].OutputSize(h, w);
                    var output = Allocate((long)batch * oh * ow * _convs[i + 1].Out);
                    x = BasicBlock(ref i, block == 0, x, batch, h, w, output, threads, Allocate);
                    (h, w) = (oh, ow);
                }
            return PoolAndClassify(x, batch, h * w, _convs[^1].Out);
        }
        finally
        {
            foreach (var p in buffers) NativeMemory.AlignedFree((void*)p);
        }
    }

    // On the calling thread alone: after a copy on more threads libgomp's workers would spin ~5 ms beside the pool's.
    private static Tensor ChannelsLast(Tensor input)
    {
        using var alone = IntraOpThreads.Use(1);
        return input.shape[1] == 1 ? input.contiguous() : input.permute(0, 2, 3, 1).contiguous();
    }

    // relu(conv2(relu(conv1(x))) + shortcut) into output, the shortcut x itself or its 1x1 downsample; moves i past
    // the block's convolutions.
    private float* BasicBlock(ref int i, bool downsample, float* x, int batch, int h, int w, float* output, int threads, Allocator allocate)
    {
        var (conv1, conv2) = (_convs[i], _convs[i + 1]);
        var (oh, ow) = conv1.OutputSize(h, w);
        var hidden = allocate((long)batch * oh * ow * conv1.Out);
        var floats = Math.Max(Math.Max(conv1.ScratchFloats(threads), conv2.ScratchFloats(threads)),
            downsample ? _convs[i + 2].ScratchFloats(threads) : 0);
        var scratch = floats > 0 ? allocate(floats) : null;
        conv1.Run(x, batch, h, w, hidden, null, relu: true, threads, scratch);
        var shortcut = x;
        if (downsample)
        {
            shortcut = allocate((long)batch * oh * ow * _convs[i + 2].Out);
            _convs[i + 2].Run(x, batch, h, w, shortcut, null, relu: false, threads, scratch);
        }
        conv2.Run(hidden, batch, oh, ow, output, shortcut, relu: true, threads, scratch);
        i += downsample ? 3 : 2;
        return output;
    }

    // Pooled rows per band: its stem rows (2 per pooled row, and one above) stay in the core's L2 cache between the
    // convolution writing them and the pooling reading them (at 151 frames, 17 rows of 38.7 KB), where the stem's
    // whole output (2.5 MB a clip) went to memory and back.
    private const int BandRows = 8;

    private delegate float* Allocator(long floats);

    // A side after max_pool2d(3, 2, 1).
    private static int Pooled(int side) => ((side - 1) / 2) + 1;

    // The stem convolution (with ReLU), then PyTorch's max_pool2d(3, 2, 1), band by band, for one image.
    private void StemAndPool(float* input, int height, int width, float* pooled, int threads, Allocator allocate)
    {
        var stem = _stem;
        var (sh, sw) = stem.OutputSize(height, width);
        var ph = Pooled(sh);
        var rowWidth = stem.InputRowWidth(width);
        var x = input;
        if (rowWidth != width * stem.In)
        {
            x = allocate((long)height * rowWidth);
            for (var row = 0L; row < height; row++)
            {
                var to = new Span<float>(x + (row * rowWidth), rowWidth);
                to.Clear();
                new ReadOnlySpan<float>(input + (row * width), width).CopyTo(to[stem.Padding..]);
            }
        }
        var bands = (ph + BandRows - 1) / BandRows;
        var bandFloats = (long)((2 * BandRows) + 1) * sw * stem.Out;
        // One band buffer per thread, not per band: a buffer written and read again stays in that core's cache.
        var workers = Math.Max(1, Math.Min(threads, bands));
        var scratch = (nint)allocate(workers * bandFloats);
        var (source, target) = ((nint)x, (nint)pooled);
        var next = -1;
        void Worker(int worker)
        {
            var rows = (float*)scratch + (worker * bandFloats);
            for (var band = Interlocked.Increment(ref next); band < bands; band = Interlocked.Increment(ref next))
            {
                var (first, last) = (band * BandRows, Math.Min(ph, (band + 1) * BandRows));
                var (top, bottom) = (Math.Max(0, (2 * first) - 1), Math.Min(sh, 2 * last));
                stem.Run((float*)source, 1, height, width, rows, null, relu: true, threads: 1, top, bottom - top);
                if (RegisterBlock.IsWide) MaxPool3x3Stride2<Avx512Lanes>(rows, top, sh, sw, stem.Out, first, last, (float*)target);
                else MaxPool3x3Stride2<Avx2Lanes>(rows, top, sh, sw, stem.Out, first, last, (float*)target);
            }
        }
        if (workers == 1)
            Worker(0);
        else
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, Worker);
    }

    // Pooled rows [first, last) of one image from its stem rows held from row `top` on: the largest of the taps inside
    // the map, as PyTorch's max_pool2d(3, 2, 1). A vector of channels at a time in a register across the taps: updating the
    // output in memory tap by tap chained every tap through a store and a reload.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPool3x3Stride2<TLanes>(float* rows, int top, int height, int width, int channels, int first, int last,
        float* image) where TLanes : struct, IFloatLanes<TLanes>
    {
        var ow = Pooled(width);
        for (var r = first; r < last; r++)
        {
            var (from, to) = (Math.Max(0, (2 * r) - 1), Math.Min(height - 1, (2 * r) + 1));
            for (var c = 0; c < ow; c++)
            {
                var (left, right) = (Math.Max(0, (2 * c) - 1), Math.Min(width - 1, (2 * c) + 1));
                var o = image + ((((long)r * ow) + c) * channels);
                for (var ch = 0; ch < channels; ch += TLanes.Count)
                {
                    var largest = TLanes.Broadcast(float.NegativeInfinity);
                    for (var ih = from; ih <= to; ih++)
                    {
                        var tap = rows + ((((long)(ih - top) * width) + left) * channels) + ch;
                        for (var iw = left; iw <= right; iw++, tap += channels)
                            largest = TLanes.Max(largest, TLanes.Load(tap));
                    }
                    largest.Store(o + ch);
                }
            }
        }
    }

    // Global average pooling, then the linear head, in float32 in a fixed order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Tensor PoolAndClassify(float* x, int batch, int pixels, int channels)
    {
        var classes = _fcBias.Length;
        var logits = empty(batch, classes);
        var output = HostTensors.AsSpan(logits);
        var pooled = new float[channels];
        for (var n = 0; n < batch; n++)
        {
            Array.Clear(pooled);
            for (var p = 0; p < pixels; p++)
            {
                var row = new ReadOnlySpan<float>(x + (((long)n * pixels) + p) * channels, channels);
                for (var c = 0; c < channels; c++) pooled[c] += row[c];
            }
            for (var c = 0; c < channels; c++) pooled[c] /= pixels;
            for (var k = 0; k < classes; k++)
            {
                var sum = _fcBias[k];
                for (var c = 0; c < channels; c++) sum += _fcWeight[(k * channels) + c] * pooled[c];
                output[(n * classes) + k] = sum;
            }
        }
        return logits;
    }

    public void Dispose()
    {
        foreach (var c in _convs) c.Dispose();
    }
}
