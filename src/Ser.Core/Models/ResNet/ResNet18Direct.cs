using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>The folded ResNet18 on Ser's own AVX-512 convolutions (<see cref="DirectConvolution"/>), channels-last from
/// the stem to the pooling, the stem and max-pooling fused band by band. On AMD Zen 5 oneDNN's kernels left ResNet18 at
/// 1.4-1.7x ONNX Runtime's time for one clip; these, at 1.1x. Float32, CPU, AVX-512, every layer's width a multiple of
/// 64; buffers come from native memory and are freed before Forward returns.</summary>
internal sealed unsafe class ResNet18Direct : IDisposable
{
    private readonly DirectConvolution[] _convs;
    private readonly float[] _fcWeight;
    private readonly float[] _fcBias;

    /// <param name="convs">Folded (weight, bias, stride, padding) in <see cref="ResNet18OneDnn.Convolutions"/> order.</param>
    private ResNet18Direct(IReadOnlyList<(Tensor Weight, Tensor Bias, long Stride, long Padding)> convs, Tensor fcWeight, Tensor fcBias)
    {
        var built = new List<DirectConvolution>();
        try
        {
            foreach (var (w, b, stride, padding) in convs) built.Add(new DirectConvolution(w, b, (int)stride, (int)padding));
        }
        catch
        {
            foreach (var c in built) c.Dispose();
            throw;
        }
        _convs = [.. built];
        using var fcw = fcWeight.to(ScalarType.Float32).contiguous();
        using var fcb = fcBias.to(ScalarType.Float32).contiguous();
        _fcWeight = fcw.data<float>().ToArray();
        _fcBias = fcb.data<float>().ToArray();
    }

    /// <summary>The copy for these folded layers, or null where this CPU or a layer's width rules the kernel out.</summary>
    public static ResNet18Direct? TryCreate(IReadOnlyList<(Tensor Weight, Tensor Bias, long Stride, long Padding)> convs, Tensor fcWeight, Tensor fcBias) =>
        DirectConvolution.IsSupported && Vector512.IsHardwareAccelerated && convs.All(c => c.Weight.shape[0] % DirectConvolution.Group == 0)
            ? new ResNet18Direct(convs, fcWeight, fcBias)
            : null;

    /// <summary>[batch, in, height, width] float32 on CPU → logits [batch, classes].</summary>
    public Tensor Forward(Tensor input)
    {
        var threads = get_num_threads();
        var (batch, height, width) = ((int)input.shape[0], (int)input.shape[2], (int)input.shape[3]);
        using var nhwc = input.shape[1] == 1 ? input.contiguous() : input.permute(0, 2, 3, 1).contiguous();
        var buffers = new List<nint>();
        float* Allocate(long floats)
        {
            var p = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
            buffers.Add((nint)p);
            return p;
        }
        try
        {
            var (h, w) = _convs[0].OutputSize(height, width);
            (h, w) = ((h - 1) / 2 + 1, (w - 1) / 2 + 1);
            var x = Allocate((long)batch * h * w * _convs[0].Out);
            fixed (float* pixels = HostTensors.AsSpan(nhwc))
                StemAndPool(pixels, batch, height, width, x, threads, Allocate);
            var i = 1;
            for (var stage = 0; stage < 4; stage++)
                for (var block = 0; block < 2; block++)
                {
                    var (conv1, conv2) = (_convs[i], _convs[i + 1]);
                    var (oh, ow) = conv1.OutputSize(h, w);
                    var hidden = Allocate((long)batch * oh * ow * conv1.Out);
                    conv1.Run(x, batch, h, w, hidden, null, relu: true, threads);
                    var shortcut = x;
                    if (stage > 0 && block == 0)
                    {
                        var downsample = _convs[i + 2];
                        shortcut = Allocate((long)batch * oh * ow * downsample.Out);
                        downsample.Run(x, batch, h, w, shortcut, null, relu: false, threads);
                    }
                    x = Allocate((long)batch * oh * ow * conv2.Out);
                    conv2.Run(hidden, batch, oh, ow, x, shortcut, relu: true, threads);
                    (h, w) = (oh, ow);
                    i += stage > 0 && block == 0 ? 3 : 2;
                }
            return PoolAndClassify(x, batch, h * w, _convs[^1].Out);
        }
        finally
        {
            foreach (var p in buffers) NativeMemory.AlignedFree((void*)p);
        }
    }

    // Pooled rows per band: its stem rows (2 per pooled row, and one above) stay in the core's L2 cache between the
    // convolution writing them and the pooling reading them (at 151 frames, 17 rows of 38.7 KB), where the stem's
    // whole output (2.5 MB a clip) went to memory and back.
    private const int BandRows = 8;

    private delegate float* Allocator(long floats);

    // The stem convolution (with ReLU), then PyTorch's max_pool2d(3, 2, 1), band by band.
    private void StemAndPool(float* input, int batch, int height, int width, float* pooled, int threads, Allocator allocate)
    {
        var stem = _convs[0];
        var (sh, sw) = stem.OutputSize(height, width);
        var (ph, pw) = ((sh - 1) / 2 + 1, (sw - 1) / 2 + 1);
        var rowWidth = stem.InputRowWidth(width);
        var x = input;
        if (rowWidth != width * stem.In)
        {
            x = allocate((long)batch * height * rowWidth);
            for (var row = 0L; row < (long)batch * height; row++)
            {
                var to = new Span<float>(x + (row * rowWidth), rowWidth);
                to.Clear();
                new ReadOnlySpan<float>(input + (row * width), width).CopyTo(to[stem.Padding..]);
            }
        }
        var bands = (ph + BandRows - 1) / BandRows;
        var bandFloats = (long)((2 * BandRows) + 1) * sw * stem.Out;
        var scratch = (nint)allocate(batch * bands * bandFloats);
        var (source, target) = ((nint)x, (nint)pooled);
        void Band(int item)
        {
            var (n, band) = (item / bands, item % bands);
            var (first, last) = (band * BandRows, Math.Min(ph, (band + 1) * BandRows));
            var (top, bottom) = (Math.Max(0, (2 * first) - 1), Math.Min(sh, 2 * last));
            var rows = (float*)scratch + (item * bandFloats);
            stem.Run((float*)source + ((long)n * height * rowWidth), 1, height, width, rows, null, relu: true, threads: 1, top, bottom - top);
            MaxPool3x3Stride2(rows, top, sh, sw, stem.Out, first, last, (float*)target + ((long)n * ph * pw * stem.Out));
        }
        if (threads <= 1)
            for (var item = 0; item < batch * bands; item++) Band(item);
        else
            Parallel.For(0, batch * bands, new ParallelOptions { MaxDegreeOfParallelism = threads }, Band);
    }

    // Pooled rows [first, last) of one image from its stem rows held from row `top` on: the largest of the taps inside
    // the map, as PyTorch's max_pool2d(3, 2, 1).
    private static void MaxPool3x3Stride2(float* rows, int top, int height, int width, int channels, int first, int last, float* image)
    {
        var ow = (width - 1) / 2 + 1;
        for (var r = first; r < last; r++)
        {
            var (from, to) = (Math.Max(0, (2 * r) - 1), Math.Min(height - 1, (2 * r) + 1));
            for (var c = 0; c < ow; c++)
            {
                var (left, right) = (Math.Max(0, (2 * c) - 1), Math.Min(width - 1, (2 * c) + 1));
                var o = image + ((((long)r * ow) + c) * channels);
                new Span<float>(o, channels).Fill(float.NegativeInfinity);
                for (var ih = from; ih <= to; ih++)
                    for (var iw = left; iw <= right; iw++)
                    {
                        var tap = rows + ((((long)(ih - top) * width) + iw) * channels);
                        for (var ch = 0; ch < channels; ch += 16)
                            Avx512F.Store(o + ch, Avx512F.Max(Avx512F.LoadVector512(o + ch), Avx512F.LoadVector512(tap + ch)));
                    }
            }
        }
    }

    // Global average pooling, then the linear head, in float32 in a fixed order.
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
