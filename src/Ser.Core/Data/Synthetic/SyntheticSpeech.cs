namespace Ser.Core.Data.Synthetic;

/// <summary>Renders one synthetic utterance: a harmonic voice source (F0 contour, jitter, tremor, spectral tilt)
/// shaped by per-syllable vowel formants, syllable envelopes and pauses at the speaking rate, plus aspiration
/// noise. Test data only: it exercises the same code paths as speech but is not speech.</summary>
internal static class SyntheticSpeech
{
    public const int SampleRate = 16_000;
    private const double MinSeconds = 1.3, MaxSeconds = 5.0;
    private const double MaxHarmonicHz = 5_000;
    private const int Block = 80; // formant gains and jitter are updated every 5 ms

    // F1, F2, F3 (Hz) of /a/, /e/, /i/, /o/, /u/ for an adult male tract; scaled per speaker.
    private static readonly double[][] Vowels =
    [
        [730, 1090, 2440], [530, 1840, 2480], [270, 2290, 3010], [570, 840, 2410], [300, 870, 2240],
    ];

    public static float[] Render(SyntheticVoice voice, EmotionProsody prosody, int syllables, DeterministicRandom random)
    {
        var rate = voice.Rate * prosody.RateRatio;
        var plan = PlanSyllables(syllables, rate, prosody, random);
        var total = Math.Clamp(plan[^1].End + 0.15, MinSeconds, MaxSeconds);
        var samples = new float[(int)(total * SampleRate)];
        var f0Mean = voice.F0 * prosody.PitchRatio * (1 + 0.03 * random.NextGaussian());
        double phase = 0, jitter = 0;
        var gains = new double[64];
        foreach (var syllable in plan)
        {
            var start = (int)(syllable.Start * SampleRate);
            var end = Math.Min(samples.Length, (int)(syllable.End * SampleRate));
            var vowel = Vowels[random.Next(Vowels.Length)];
            var accent = random.NextDouble() < 0.3 ? prosody.PitchRange * 0.4 : 0;
            for (var n = start; n < end; n++)
            {
                var t = (double)n / SampleRate;
                var u = t / total;
                if ((n - start) % Block == 0) jitter = prosody.Jitter * random.NextGaussian();
                var f0 = f0Mean * (Contour(prosody.Contour, prosody.PitchRange, u) + accent * Envelope((n - start) / (double)(end - start)))
                    * (1 + prosody.Tremor * Math.Sin(2 * Math.PI * 6 * t)) * (1 + jitter);
                var harmonics = Math.Min(gains.Length, (int)(MaxHarmonicHz / f0));
                if ((n - start) % Block == 0) FormantGains(gains, harmonics, f0, vowel, voice.TractScale, prosody.TiltDbPerOctave);
                phase += 2 * Math.PI * f0 / SampleRate;
                double value = 0;
                for (var h = 1; h <= harmonics; h++) value += gains[h - 1] * Math.Sin(h * phase);
                var breath = (prosody.Noise + voice.Breathiness) * random.NextGaussian();
                samples[n] = (float)((value + breath) * Envelope((n - start) / (double)(end - start)));
            }
        }
        Level(samples, voice.GainDb + prosody.GainDb, random);
        return samples;
    }

    private sealed record Syllable(double Start, double End);

    private static List<Syllable> PlanSyllables(int count, double rate, EmotionProsody prosody, DeterministicRandom random)
    {
        var plan = new List<Syllable>();
        var t = 0.12 + 0.05 * random.NextDouble();
        for (var i = 0; i < count; i++)
        {
            var duration = 0.2 / rate * random.Uniform(0.75, 1.3);
            if (t + duration > MaxSeconds - 0.15) break;
            plan.Add(new Syllable(t, t + duration));
            // Pauses grow as speech slows (sadness) and appear between phrases.
            t += duration + (random.NextDouble() < 0.2 ? 0.15 : 0.03) / Math.Min(prosody.RateRatio, 1.2);
        }
        return plan;
    }

    private static double Contour(int shape, double range, double u) => shape switch
    {
        1 => 1 + range * (Math.Sin(Math.PI * u) - 0.4),
        2 => 1 + range * (0.5 - u),
        3 => 1 + range * (u * 0.9 - 0.6 * Math.Sin(Math.PI * u)),
        _ => 1 + range * (0.5 - u) * 0.5,
    };

    // Raised-cosine attack (20 %) and release (30 %) of a syllable.
    private static double Envelope(double x) =>
        x < 0.2 ? 0.5 - 0.5 * Math.Cos(Math.PI * x / 0.2)
        : x > 0.7 ? 0.5 + 0.5 * Math.Cos(Math.PI * (x - 0.7) / 0.3)
        : 1.0;

    private static void FormantGains(double[] gains, int harmonics, double f0, double[] vowel, double tract, double tilt)
    {
        for (var h = 1; h <= harmonics; h++)
        {
            var f = h * f0;
            double resonance = 0.03;
            for (var k = 0; k < vowel.Length; k++)
            {
                var centre = vowel[k] * tract;
                var bandwidth = 60 + 40 * k;
                resonance += (1.0 / (k + 1)) / (1 + Math.Pow((f - centre) / bandwidth, 2));
            }
            gains[h - 1] = resonance * Math.Pow(10, tilt * Math.Log2(h) / 20);
        }
    }

    // RMS of the voiced part at −20 dBFS + gain, a −65 dBFS noise floor, peaks kept below full scale.
    private static void Level(float[] samples, double gainDb, DeterministicRandom random)
    {
        double energy = 0;
        var voiced = 0;
        foreach (var s in samples)
            if (s != 0) { energy += s * (double)s; voiced++; }
        var scale = voiced == 0 ? 0 : Math.Pow(10, (-20 + gainDb) / 20) / Math.Sqrt(energy / voiced);
        var peak = 0.0;
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)(samples[i] * scale + 0.0006 * random.NextGaussian());
            peak = Math.Max(peak, Math.Abs(samples[i]));
        }
        if (peak > 0.98)
            for (var i = 0; i < samples.Length; i++) samples[i] = (float)(samples[i] * 0.98 / peak);
    }
}
