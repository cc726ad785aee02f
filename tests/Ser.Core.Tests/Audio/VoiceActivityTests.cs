using Ser.Core.Audio;

namespace Ser.Core.Tests.Audio;

public sealed class VoiceActivityTests
{
    private const int Rate = 16_000;

    // Pieces of (seconds, amplitude): a 220 Hz tone at that amplitude, 0 for silence (with noise at −80 dBFS).
    private static float[] Signal(params (double Seconds, double Amplitude)[] pieces)
    {
        var random = new Random(1);
        var samples = new List<float>();
        foreach (var (seconds, amplitude) in pieces)
            for (var i = 0; i < (int)(seconds * Rate); i++)
                samples.Add((float)(amplitude * Math.Sin(2 * Math.PI * 220 * samples.Count / Rate) + 1e-4 * (random.NextDouble() - 0.5)));
        return [.. samples];
    }

    private static (double Start, double End)[] Seconds(IReadOnlyList<SpeechRegion> regions) =>
        regions.Select(r => ((double)r.Start / Rate, (double)r.End / Rate)).ToArray();

    [Fact]
    public void Speech_between_silences_is_found_and_padded_by_a_tenth_of_a_second()
    {
        var regions = Seconds(VoiceActivity.Detect(Signal((1, 0), (2, 0.3), (1.5, 0), (1, 0.05), (1, 0)), Rate));

        Assert.Equal(2, regions.Length);
        Assert.Equal(0.9, regions[0].Start, 0.03);
        Assert.Equal(3.1, regions[0].End, 0.03);
        Assert.Equal(4.4, regions[1].Start, 0.03);
        Assert.Equal(5.6, regions[1].End, 0.03);
    }

    [Fact]
    public void Short_gaps_are_bridged_and_clicks_dropped()
    {
        var bridged = VoiceActivity.Detect(Signal((0.5, 0), (1, 0.3), (0.2, 0), (1, 0.3), (0.5, 0)), Rate);
        var click = VoiceActivity.Detect(Signal((1, 0), (0.05, 0.5), (1, 0), (1, 0.3), (0.5, 0)), Rate);

        Assert.Single(bridged);
        Assert.Equal(2.4, (double)bridged[0].Length / Rate, 0.05); // frames reach 15 ms past each edge
        var kept = Assert.Single(click);
        Assert.Equal(1.95, (double)kept.Start / Rate, 0.03);
    }

    [Fact]
    public void Steady_sound_is_one_region_and_near_silence_none()
    {
        var steady = Signal((3, 0.2));

        Assert.Equal([new SpeechRegion(0, steady.Length)], VoiceActivity.Detect(steady, Rate));
        Assert.Empty(VoiceActivity.Detect(Signal((3, 0.0005)), Rate)); // about −69 dBFS: under the floor
        Assert.Empty(VoiceActivity.Detect(new float[100], Rate));
    }
}
