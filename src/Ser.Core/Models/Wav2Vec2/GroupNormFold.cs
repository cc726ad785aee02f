using System.Runtime.CompilerServices;

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
        var covariance = new double[kernel * kernel];
        var centered = new double[kernel];
        for (var f = 0; f < frames; f++)
        {
            for (var k = 0; k < kernel; k++) centered[k] = samples[(f * stride) + k] - mean[k];
            for (var k = 0; k < kernel; k++)
                for (var l = k; l < kernel; l++) covariance[(k * kernel) + l] += centered[k] * centered[l];
        }
        for (var k = 0; k < kernel; k++)
            for (var l = k; l < kernel; l++)
                covariance[(l * kernel) + k] = covariance[(k * kernel) + l] /= frames;
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
}
