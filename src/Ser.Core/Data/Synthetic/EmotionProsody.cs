namespace Ser.Core.Data.Synthetic;

/// <summary>How an emotion shifts a voice from its neutral delivery, in the directions the speech-emotion
/// literature reports for acted speech (anger and happiness: higher, louder, brighter, faster; sadness:
/// lower, quieter, darker, slower, breathier; fear: high and unsteady; disgust: low, slow, creaky).</summary>
/// <param name="PitchRatio">Mean F0 relative to the speaker's own.</param>
/// <param name="PitchRange">Size of the intonation contour, as a fraction of F0.</param>
/// <param name="Contour">Shape: 0 flat declination, 1 rise-fall, 2 falling, 3 dip-rise.</param>
/// <param name="RateRatio">Syllables per second relative to the speaker's own.</param>
/// <param name="GainDb">Loudness relative to neutral.</param>
/// <param name="TiltDbPerOctave">Spectral slope of the voice source (less negative = brighter).</param>
/// <param name="Jitter">Cycle-to-cycle F0 perturbation (fraction).</param>
/// <param name="Tremor">Slow F0 modulation depth (fraction), at about 6 Hz.</param>
/// <param name="Noise">Aspiration noise relative to the voiced signal.</param>
public sealed record EmotionProsody(double PitchRatio, double PitchRange, int Contour, double RateRatio, double GainDb,
    double TiltDbPerOctave, double Jitter, double Tremor, double Noise)
{
    /// <summary>In <see cref="EmotionLabels.All"/> order: neutral, happy, angry, sad, fear, disgust.</summary>
    public static readonly IReadOnlyList<EmotionProsody> ByLabel =
    [
        new(1.00, 0.08, 0, 1.00, 0.0, -12, 0.004, 0.00, 0.03),
        new(1.22, 0.35, 1, 1.10, 3.0, -9, 0.006, 0.00, 0.03),
        new(1.28, 0.25, 1, 1.15, 7.0, -5, 0.012, 0.00, 0.08),
        new(0.88, 0.06, 2, 0.78, -5.0, -16, 0.006, 0.00, 0.12),
        new(1.35, 0.18, 3, 1.22, -1.0, -10, 0.020, 0.06, 0.10),
        new(0.93, 0.14, 3, 0.85, 0.5, -11, 0.030, 0.00, 0.06),
    ];

    /// <summary>This emotion at an intensity: the deviation from neutral scaled by <paramref name="scale"/>.</summary>
    public EmotionProsody Scaled(double scale)
    {
        var n = ByLabel[0];
        double Mix(double neutral, double value) => neutral + (value - neutral) * scale;
        return new EmotionProsody(Mix(n.PitchRatio, PitchRatio), Mix(n.PitchRange, PitchRange), Contour, Mix(n.RateRatio, RateRatio),
            Mix(n.GainDb, GainDb), Mix(n.TiltDbPerOctave, TiltDbPerOctave), Mix(n.Jitter, Jitter), Mix(n.Tremor, Tremor), Mix(n.Noise, Noise));
    }

    /// <summary>Deviation scale of a CREMA-D intensity code (unspecified = medium).</summary>
    public static double IntensityScale(string intensity) => intensity switch
    {
        "LO" => 0.55,
        "HI" => 1.4,
        _ => 1.0,
    };
}
