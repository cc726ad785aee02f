namespace Ser.Core.Tests.Audio;

/// <summary>Level of one frequency in a signal (single-bin DFT), for resampler and decoder tests.</summary>
internal static class ToneAnalysis
{
    /// <summary>Amplitude of <paramref name="frequency"/> in dB relative to a full-scale sine.</summary>
    public static double LevelDb(ReadOnlySpan<float> x, double frequency, int rate)
    {
        double re = 0, im = 0;
        for (var i = 0; i < x.Length; i++)
        {
            // Hann window keeps leakage from other content negligible.
            var w = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (x.Length - 1));
            var phase = 2 * Math.PI * frequency * i / rate;
            re += w * x[i] * Math.Cos(phase);
            im -= w * x[i] * Math.Sin(phase);
        }
        var amplitude = 2 * Math.Sqrt(re * re + im * im) / (x.Length * 0.5);
        return 20 * Math.Log10(Math.Max(amplitude, 1e-12));
    }

    /// <summary>RMS level in dBFS.</summary>
    public static double RmsDb(ReadOnlySpan<float> x)
    {
        double e = 0;
        foreach (var s in x) e += (double)s * s;
        return 10 * Math.Log10(Math.Max(e / Math.Max(x.Length, 1), 1e-24));
    }
}
