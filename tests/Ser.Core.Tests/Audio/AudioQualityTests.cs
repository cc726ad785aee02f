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
}
