namespace Ser.Core.Audio;

/// <summary>Computes <see cref="AudioQuality"/> on the mono signal at its source rate. The SNR is a
/// heuristic estimate (no reference signal exists): the larger of a loud/quiet frame ratio and a
/// correlation-based figure; it separates clean recordings from noise, not 20 dB from 25 dB.</summary>
public static class AudioQualityAnalyzer
{
    private const double Floor = -120;
    private const double SilenceDbfs = -60;
    private const double ClipLevel = 0.999;
    private const double LowSnrDb = 10;

    public static AudioQuality Analyze(ReadOnlySpan<float> mono, int sampleRate)
    {
        double peak = 0, energy = 0;
        long clipped = 0;
        foreach (var s in mono)
        {
            var a = Math.Abs(s);
            peak = Math.Max(peak, a);
            energy += (double)s * s;
            if (a >= ClipLevel) clipped++;
        }
        var n = Math.Max(mono.Length, 1);
        var framePowers = FramePowers(mono, Math.Max(sampleRate / 50, 1));
        var silentFrames = framePowers.Count(p => PowerDb(p) < SilenceDbfs);
        var sorted = framePowers.Order().ToArray();
        var snr = sorted.Length == 0 ? 0 : Math.Max(
            SnrDb(sorted[(int)(0.9 * (sorted.Length - 1))], sorted[(int)(0.1 * (sorted.Length - 1))]),
            CorrelationSnrDb(mono));

        var peakDb = Db(peak);
        var seconds = (double)mono.Length / sampleRate;
        var warnings = new List<string>();
        if (seconds < 0.1) warnings.Add(AudioWarnings.VeryShort);
        if (seconds < 1) warnings.Add(AudioWarnings.Short);
        if (peakDb < SilenceDbfs) warnings.Add(AudioWarnings.Silent);
        if ((double)clipped / n > 0.001) warnings.Add(AudioWarnings.Clipped);
        if (peakDb >= SilenceDbfs && snr < LowSnrDb) warnings.Add(AudioWarnings.LowSnr);
        return new AudioQuality(peakDb, PowerDb(energy / n), (double)clipped / n,
            framePowers.Length == 0 ? 1 : (double)silentFrames / framePowers.Length, snr, warnings);
    }

    private static double[] FramePowers(ReadOnlySpan<float> mono, int frame)
    {
        var count = mono.Length / frame;
        if (count == 0 && !mono.IsEmpty) count = 1;
        var powers = new double[count];
        for (var i = 0; i < count; i++)
        {
            var slice = mono.Slice(i * frame, Math.Min(frame, mono.Length - i * frame));
            double e = 0;
            foreach (var s in slice) e += (double)s * s;
            powers[i] = e / slice.Length;
        }
        return powers;
    }

    // Steady sounds have no quiet frames to measure noise in; white noise is uncorrelated from sample
    // to sample while voiced sound is not, so |lag-1 autocorrelation| r gives a second estimate r/(1-r).
    private static double CorrelationSnrDb(ReadOnlySpan<float> x)
    {
        double lag0 = 0, lag1 = 0;
        for (var i = 1; i < x.Length; i++)
        {
            lag0 += (double)x[i] * x[i];
            lag1 += (double)x[i] * x[i - 1];
        }
        if (lag0 <= 0) return 0;
        var r = Math.Min(Math.Abs(lag1 / lag0), 1 - 1e-10);
        return SnrDb(r, 1 - r);
    }

    private static double SnrDb(double loud, double quiet) =>
        loud <= 0 ? 0 : quiet <= 0 ? 100 : Math.Min(100, 10 * Math.Log10(loud / quiet));

    private static double Db(double amplitude) => amplitude <= 0 ? Floor : Math.Max(Floor, 20 * Math.Log10(amplitude));

    private static double PowerDb(double power) => power <= 0 ? Floor : Math.Max(Floor, 10 * Math.Log10(power));
}
