namespace Ser.Core.Audio;

/// <summary>Level, clipping, silence and noise figures of a decoded clip, with warnings for the caller.</summary>
/// <param name="PeakDbfs">Peak level in dB full scale (-inf for digital silence is reported as -120).</param>
/// <param name="RmsDbfs">RMS level in dB full scale.</param>
/// <param name="ClippedFraction">Fraction of samples at or beyond ±0.999 full scale in the source.</param>
/// <param name="SilentFraction">Fraction of 20 ms frames whose RMS is below -60 dBFS.</param>
/// <param name="SnrDb">Estimated SNR: loud (90th percentile) over quiet (10th percentile) frame power, capped at 100 dB.</param>
/// <param name="Warnings">Any of <c>very_short</c> (&lt; 0.1 s), <c>short</c> (&lt; 1 s), <c>silent</c>, <c>clipped</c>, <c>low_snr</c>.</param>
public sealed record AudioQuality(
    double PeakDbfs, double RmsDbfs, double ClippedFraction, double SilentFraction, double SnrDb, IReadOnlyList<string> Warnings)
{
    public bool IsSilent => Warnings.Contains(AudioWarnings.Silent);

    public bool IsVeryShort => Warnings.Contains(AudioWarnings.VeryShort);
}
