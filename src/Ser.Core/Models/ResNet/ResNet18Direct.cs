using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>The folded ResNet18 on Ser's own AVX-512 convolutions (<see cref="DirectConvolution"/>), channels-last from
/// the stem to the pooling: on AMD Zen 5 oneDNN's direct kernels reach ~150 GFLOP/s a core on these layers where this
/// one reaches ~195, as ONNX Runtime's do. Float32, CPU, AVX-512, every layer's width a multiple of 64.</summary>
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
            var stem = _convs[0];
            var (h, w) = stem.OutputSize(height, width);
            var stemOut = Allocate((long)batch * h * w * stem.Out);
            fixed (float* pixels = HostTensors.AsSpan(nhwc))
                stem.Run(pixels, batch, height, width, stemOut, null, relu: true, threads);
            var (ph, pw) = ((h - 1) / 2 + 1, (w - 1) / 2 + 1);
            var x = Allocate((long)batch * ph * pw * stem.Out);
            MaxPool3x3Stride2(stemOut, batch, h, w, stem.Out, x);
            (h, w) = (ph, pw);
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

    // PyTorch's max_pool2d(3, 2, 1): the largest of the taps inside the map.
    private static void MaxPool3x3Stride2(float* x, int batch, int height, int width, int channels, float* y)
    {
        var (oh, ow) = ((height - 1) / 2 + 1, (width - 1) / 2 + 1);
        for (var n = 0; n < batch; n++)
            for (var r = 0; r < oh; r++)
                for (var c = 0; c < ow; c++)
                {
                    var o = y + ((((long)n * oh + r) * ow) + c) * channels;
                    for (var ch = 0; ch < channels; ch += 16)
                    {
                        var best = Vector512.Create(float.NegativeInfinity);
                        for (var ih = Math.Max(0, 2 * r - 1); ih <= Math.Min(height - 1, 2 * r + 1); ih++)
                            for (var iw = Math.Max(0, 2 * c - 1); iw <= Math.Min(width - 1, 2 * c + 1); iw++)
                                best = Avx512F.Max(best, Avx512F.LoadVector512(x + ((((long)n * height + ih) * width) + iw) * channels + ch));
                        Avx512F.Store(o + ch, best);
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
