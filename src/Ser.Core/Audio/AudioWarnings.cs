namespace Ser.Core.Audio;

/// <summary>Warning codes reported in <see cref="AudioQuality.Warnings"/>.</summary>
public static class AudioWarnings
{
    public const string VeryShort = "very_short";
    public const string Short = "short";
    public const string Silent = "silent";
    public const string Clipped = "clipped";
    public const string LowSnr = "low_snr";
}
