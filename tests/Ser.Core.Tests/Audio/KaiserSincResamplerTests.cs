using Ser.Core.Audio;

namespace Ser.Core.Tests.Audio;

public class KaiserSincResamplerTests
{
    private static float[] Tone(double frequency, int rate, double seconds, double amplitude = 0.5) =>
        WavBuilder.Sine(frequency, rate, seconds, amplitude).Select(v => (float)v).ToArray();

    [Theory]
    [InlineData(44_100)]
    [InlineData(48_000)]
    [InlineData(96_000)]
    [InlineData(192_000)]
    public void A_7_kHz_tone_survives_within_1_dB(int rate)
    {
        var output = new KaiserSincResampler(rate, 16_000).Process(Tone(7_000, rate, 1.0));

        var level = ToneAnalysis.LevelDb(output.AsSpan(400, 15_000), 7_000, 16_000);
        Assert.InRange(level - 20 * Math.Log10(0.5), -1.0, 1.0);
    }

    [Theory]
    [InlineData(44_100, 12_000)]
    [InlineData(48_000, 12_000)]
    [InlineData(96_000, 12_000)]
    [InlineData(192_000, 30_000)]
    public void A_tone_above_the_new_nyquist_is_attenuated_by_at_least_40_dB(int rate, double frequency)
    {
        var input = Tone(frequency, rate, 1.0);
        var output = new KaiserSincResampler(rate, 16_000).Process(input);

        var attenuation = ToneAnalysis.RmsDb(input) - ToneAnalysis.RmsDb(output.AsSpan(400, 15_000));
        Assert.True(attenuation >= 40, $"attenuated by only {attenuation:0.0} dB");
    }

    [Fact]
    public void A_round_trip_through_44_1_kHz_keeps_speech_band_content()
    {
        var original = Tone(1_234, 16_000, 1.0, 0.3).Zip(Tone(3_210, 16_000, 1.0, 0.2), (a, b) => a + b).ToArray();
        var up = new KaiserSincResampler(16_000, 44_100).Process(original);
        var back = new KaiserSincResampler(44_100, 16_000).Process(up);

        var error = back.AsSpan(500, 15_000).ToArray().Zip(original.AsSpan(500, 15_000).ToArray(), (a, b) => a - b).ToArray();
        var snr = ToneAnalysis.RmsDb(original.AsSpan(500, 15_000)) - ToneAnalysis.RmsDb(error);
        Assert.True(snr > 60, $"round trip SNR {snr:0.0} dB");
    }

    [Theory]
    [InlineData(44_100, 1, 1)]
    [InlineData(44_100, 44_100, 16_000)]
    [InlineData(8_000, 1_000, 2_000)]
    public void Output_length_is_the_input_duration_at_the_new_rate(int rate, int inputLength, int expected)
    {
        var output = new KaiserSincResampler(rate, 16_000).Process(new float[inputLength]);

        Assert.Equal(expected, output.Length);
    }
}
