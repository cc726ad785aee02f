namespace Ser.Core.Features;

/// <summary>Log-mel front-end parameters, named as torchaudio's <c>MelSpectrogram</c> and <c>AmplitudeToDB</c>.</summary>
/// <remarks>Defaults are for 16 kHz speech: a 25 ms Hann window (400) with a 10 ms hop (160), 128 mels
/// from 0 to 8 kHz on the Slaney scale with Slaney area norm, power spectrum, 80 dB dynamic range.</remarks>
public sealed record LogMelOptions
{
    public int SampleRate { get; init; } = 16_000;
    public int NFft { get; init; } = 400;
    public int? WinLength { get; init; }
    public int HopLength { get; init; } = 160;
    public double FMin { get; init; }
    public double? FMax { get; init; }
    public int NMels { get; init; } = 128;
    public double Power { get; init; } = 2.0;
    public bool Center { get; init; } = true;
    public MelScale MelScale { get; init; } = MelScale.Slaney;
    public MelNorm Norm { get; init; } = MelNorm.Slaney;
    /// <summary>dB floor below each clip's own maximum; null keeps the full range.</summary>
    public double? TopDb { get; init; } = 80;

    public int EffectiveWinLength => WinLength ?? NFft;

    public double EffectiveFMax => FMax ?? SampleRate / 2.0;

    /// <summary>Number of frames for <paramref name="samples"/> input samples.</summary>
    public long Frames(long samples) => FrameLength.Stft(samples, NFft, HopLength, Center);

    /// <summary>Throws <see cref="ArgumentException"/> when the parameters contradict each other.</summary>
    public void Validate()
    {
        if (SampleRate <= 0 || NFft <= 0 || HopLength <= 0 || NMels <= 0)
            throw new ArgumentException("Sample rate, n_fft, hop length and n_mels must be positive.");
        if (EffectiveWinLength > NFft) throw new ArgumentException("The window is longer than n_fft.");
        if (FMin < 0 || EffectiveFMax <= FMin || EffectiveFMax > SampleRate / 2.0)
            throw new ArgumentException($"Need 0 ≤ f_min < f_max ≤ {SampleRate / 2.0} Hz.");
        if (Power <= 0) throw new ArgumentException("Power must be positive.");
    }
}
