using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Features;

/// <summary>Triangular mel filters as torchaudio's <c>melscale_fbanks</c>: [n_freqs, n_mels].</summary>
public static class MelFilterBank
{
    /// <remarks>Computed in float32 tensor ops in torchaudio's order, so rounding matches it too.</remarks>
    public static Tensor Create(int nFreqs, double fMin, double fMax, int nMels, int sampleRate, MelNorm norm, MelScale scale)
    {
        using var scope = NewDisposeScope();
        var freqs = linspace(0, sampleRate / 2, nFreqs, ScalarType.Float32);
        var mels = linspace(HzToMel(fMin, scale), HzToMel(fMax, scale), nMels + 2, ScalarType.Float32);
        var points = MelToHz(mels, scale);
        var diff = points[1..] - points[..^1];
        var slopes = points.unsqueeze(0) - freqs.unsqueeze(1);
        var down = slopes[.., ..^2].neg() / diff[..^1];
        var up = slopes[.., 2..] / diff[1..];
        var bank = minimum(down, up).clamp_min(Scalars.OfInteger(0));
        if (norm == MelNorm.Slaney) bank = bank * (points[2..(nMels + 2)] - points[..nMels]).reciprocal().mul(Scalars.Of(2.0)).unsqueeze(0);
        return bank.MoveToOuterDisposeScope();
    }

    private static Tensor MelToHz(Tensor mels, MelScale scale)
    {
        if (scale == MelScale.Htk) return pow(10.0, mels.div(Scalars.Of(2595.0))).sub(Scalars.Of(1.0)).mul(Scalars.Of(700.0));
        const double fSp = 200.0 / 3, minLogHz = 1000.0, minLogMel = minLogHz / fSp;
        var logStep = Math.Log(6.4) / 27.0;
        var linear = mels.mul(Scalars.Of(fSp));
        var log = exp(mels.sub(Scalars.Of(minLogMel)).mul(Scalars.Of(logStep))).mul(Scalars.Of(minLogHz));
        return where(mels.ge(Scalars.Of(minLogMel)), log, linear);
    }

    public static double HzToMel(double hz, MelScale scale)
    {
        if (scale == MelScale.Htk) return 2595.0 * Math.Log10(1.0 + hz / 700.0);
        const double fSp = 200.0 / 3, minLogHz = 1000.0, minLogMel = minLogHz / fSp;
        var logStep = Math.Log(6.4) / 27.0;
        return hz >= minLogHz ? minLogMel + Math.Log(hz / minLogHz) / logStep : hz / fSp;
    }

    public static double MelToHz(double mel, MelScale scale)
    {
        if (scale == MelScale.Htk) return 700.0 * (Math.Pow(10, mel / 2595.0) - 1.0);
        const double fSp = 200.0 / 3, minLogHz = 1000.0, minLogMel = minLogHz / fSp;
        var logStep = Math.Log(6.4) / 27.0;
        return mel >= minLogMel ? minLogHz * Math.Exp(logStep * (mel - minLogMel)) : fSp * mel;
    }

    private static double[] Linspace(double start, double end, int count) =>
        Enumerable.Range(0, count).Select(i => count == 1 ? start : start + (end - start) * i / (count - 1)).ToArray();
}
