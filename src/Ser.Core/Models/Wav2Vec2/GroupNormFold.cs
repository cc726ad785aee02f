using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>The first conv layer's group norm (one group per channel, over time) folded into its weights, per clip: a
/// channel's output is w·x over windows x of the samples, so its mean over time is w·μ and its variance wᵀΣw, with μ
/// and Σ the windows' mean and (biased) covariance, computed here in float64 (the conv bias cancels). The same fold as
/// <see cref="Wav2Vec2ConvLayer.ForwardSamples"/>'s, without libtorch operators (see <see cref="FeatureEncoderKernel"/>).</summary>
internal static class GroupNormFold
{
    /// <summary>Taps [kernel, out] and shift [out] with group_norm(conv(samples)) = windows · taps + shift, for the
    /// windows of <paramref name="kernel"/> samples every <paramref name="stride"/>; <paramref name="weights"/> are the
    /// conv's taps [kernel, out].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fold(ReadOnlySpan<float> samples, int kernel, int stride, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, double eps, Span<float> taps, Span<float> shift)
    {
        var outputs = gamma.Length;
        var frames = ((samples.Length - kernel) / stride) + 1;
        var mean = new double[kernel];
        for (var f = 0; f < frames; f++)
            for (var k = 0; k < kernel; k++) mean[k] += samples[(f * stride) + k];
        for (var k = 0; k < kernel; k++) mean[k] /= frames;
        var covariance = Covariance(samples, kernel, stride, frames, mean);
        for (var o = 0; o < outputs; o++)
        {
            double variance = 0, centre = 0;
            for (var k = 0; k < kernel; k++)
            {
                var wk = (double)weights[(k * outputs) + o];
                centre += wk * mean[k];
                for (var l = 0; l < kernel; l++) variance += wk * covariance[(k * kernel) + l] * weights[(l * outputs) + o];
            }
            var scale = gamma[o] / Math.Sqrt(variance + eps);
            for (var k = 0; k < kernel; k++) taps[(k * outputs) + o] = (float)(weights[(k * outputs) + o] * scale);
            shift[o] = (float)(beta[o] - (scale * centre));
        }
    }

    // Windows per block of the covariance: each tap's centred samples in a block, as a column (kernel × 256 doubles, 20 KiB
    // for wav2vec2's 10 taps), stay in L1 while every pair of taps is summed over them.
    private const int Block = 256;

    // [kernel, kernel]: per block of windows, a vectorised dot product per pair of taps of their centred columns, added
    // up block by block. Summed window by window in scalar code it took a third of wav2vec2-tiny's feature encoder
    // (10-sample windows, 64 channels after them: ~0.65 ms of a 2.5 s clip's ~1.9 on AMD Zen 5).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] Covariance(ReadOnlySpan<float> samples, int kernel, int stride, int frames, double[] mean)
    {
        var covariance = new double[kernel * kernel];
        Span<double> columns = kernel <= 16 ? stackalloc double[kernel * Block] : new double[kernel * Block];
        for (var first = 0; first < frames; first += Block)
        {
            var count = Math.Min(Block, frames - first);
            for (var f = 0; f < count; f++)
            {
                var window = samples.Slice((first + f) * stride, kernel);
                for (var k = 0; k < kernel; k++) columns[(k * Block) + f] = window[k] - mean[k];
            }
            for (var k = 0; k < kernel; k++)
            {
                var column = columns.Slice(k * Block, count);
                for (var l = k; l < kernel; l++) covariance[(k * kernel) + l] += Dot(column, columns.Slice(l * Block, count));
            }
        }
        for (var k = 0; k < kernel; k++)
            for (var l = k; l < kernel; l++)
                covariance[(l * kernel) + k] = covariance[(k * kernel) + l] /= frames;
        return covariance;
    }

    // Not TensorPrimitives.Dot: that starts as unoptimized code, and a model's load times this fold (MeasuredChoice).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var lanes = Vector512<double>.Count;
        var sums = Vector512<double>.Zero;
        var i = 0;
        for (; i <= a.Length - lanes; i += lanes) sums += Vector512.Create(a.Slice(i, lanes)) * Vector512.Create(b.Slice(i, lanes));
        var total = Vector512.Sum(sums);
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }
}
