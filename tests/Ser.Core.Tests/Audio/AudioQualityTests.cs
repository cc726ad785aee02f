using Ser.Core.Audio;

namespace Ser.Core.Tests.Audio;

public class AudioQualityTests
{
    private static readonly WavDecoder Decoder = new();

    [Fact]
    public void Digital_silence_is_valid_and_reported_as_silent()
    {
        var audio = Decoder.Decode(new WavBuilder().Build(new double[16_000]));

        Assert.Equal(16_000, audio.Samples.Length);
        Assert.True(audio.Quality.IsSilent);
        Assert.Equal(1.0, audio.Quality.SilentFraction);
        Assert.DoesNotContain(AudioWarnings.Short, audio.Quality.Warnings);
    }

    [Fact]
    public void A_clip_under_a_tenth_of_a_second_is_valid_and_reported_as_very_short()
    {
        var audio = Decoder.Decode(new WavBuilder().Build(WavBuilder.Sine(440, 16_000, 0.05)));

        Assert.Equal(800, audio.Samples.Length);
        Assert.True(audio.Quality.IsVeryShort);
        Assert.Contains(AudioWarnings.Short, audio.Quality.Warnings);
        Assert.False(audio.Quality.IsSilent);
    }

    [Fact]
    public void A_clean_tone_reports_its_level_and_no_warnings()
    {
        var audio = Decoder.Decode(new WavBuilder().Build(WavBuilder.Sine(440, 16_000, 1.5, amplitude: 0.5)));

        Assert.Equal(20 * Math.Log10(0.5), audio.Quality.PeakDbfs, 0.01);
        Assert.Equal(20 * Math.Log10(0.5 / Math.Sqrt(2)), audio.Quality.RmsDbfs, 0.05);
        Assert.Empty(audio.Quality.Warnings);
    }

    [Fact]
    public void Clipping_is_reported()
    {
        var clipped = WavBuilder.Sine(440, 16_000, 1.5, amplitude: 3).Select(v => Math.Clamp(v, -1, 1)).ToArray();

        var audio = Decoder.Decode(new WavBuilder().Build(clipped));

        Assert.Contains(AudioWarnings.Clipped, audio.Quality.Warnings);
        Assert.True(audio.Quality.ClippedFraction > 0.3);
    }

    [Fact]
    public void Noise_as_loud_as_the_signal_is_reported_as_low_snr()
    {
        var random = new Random(7);
        var noise = Enumerable.Range(0, 24_000).Select(_ => random.NextDouble() - 0.5).ToArray();

        var audio = Decoder.Decode(new WavBuilder().Build(noise));

        Assert.Contains(AudioWarnings.LowSnr, audio.Quality.Warnings);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(319)]
    [InlineData(321)]
    [InlineData(16_384)]
    public void Blocks_of_any_size_give_the_whole_clips_figures_exactly(int blockSize)
    {
        var random = new Random(11);
        // A loud half with noise and a few clipped samples, then a near-silent half (-80 dBFS), so every figure is away
        // from its default: 73 whole frames of 320 samples, the last 35 silent.
        var samples = Enumerable.Range(0, 23_457)
            .Select(i => (float)(i < 12_000
                ? Math.Clamp((0.8 * Math.Sin(i * 0.07)) + (0.02 * (random.NextDouble() - 0.5)) + (i % 997 == 0 ? 2 : 0), -1, 1)
                : 1e-4 * Math.Sin(i * 0.07)))
            .ToArray();
        var analyzer = new AudioQualityAnalyzer(16_000);
        for (var first = 0; first < samples.Length; first += blockSize)
            analyzer.Add(samples.AsSpan(first, Math.Min(blockSize, samples.Length - first)));

        var blocks = analyzer.Result();
        var whole = AudioQualityAnalyzer.Analyze(samples, 16_000);

        Assert.Equal(whole.PeakDbfs, blocks.PeakDbfs);
        Assert.Equal(whole.RmsDbfs, blocks.RmsDbfs);
        Assert.Equal(whole.ClippedFraction, blocks.ClippedFraction);
        Assert.Equal(whole.SilentFraction, blocks.SilentFraction);
        Assert.Equal(whole.SnrDb, blocks.SnrDb);
        // The figures themselves, from the samples directly (energy summed in the analyzer's order).
        double energy = 0;
        foreach (var s in samples) energy += (double)s * s;
        Assert.Equal(20 * Math.Log10(samples.Max(Math.Abs)), whole.PeakDbfs, 12);
        Assert.Equal(10 * Math.Log10(energy / samples.Length), whole.RmsDbfs, 12);
        Assert.Equal(samples.Count(s => Math.Abs(s) >= 0.999) / (double)samples.Length, whole.ClippedFraction);
        Assert.Equal(35.0 / 73, whole.SilentFraction);
    }
}
