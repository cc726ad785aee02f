using Ser.Core.Audio;

namespace Ser.Core.Tests.Audio;

/// <summary>Issue 12: the decoder's memory and CPU follow the audio, not the source rate or the rate's arithmetic.</summary>
public class DecoderBudgetTests
{
    private static readonly WavDecoder Decoder = new();

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void Resampling_in_blocks_gives_the_same_samples_as_in_one_piece(int block)
    {
        var input = WavBuilder.Sine(1_234, 44_100, 0.5, 0.4).Select(v => (float)v).ToArray();
        var resampler = new KaiserSincResampler(44_100, 16_000);
        var whole = resampler.Process(input);

        var pieces = new float[whole.Length];
        var pass = resampler.Open(pieces);
        for (var i = 0; i < input.Length; i += block) pass.Write(input.AsSpan(i, Math.Min(block, input.Length - i)));
        pass.Complete();

        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void Quality_measured_in_blocks_equals_quality_measured_at_once()
    {
        var signal = WavBuilder.Sine(300, 8_000, 2.3, 0.7).Select((v, i) => (float)(i % 5_000 < 1_000 ? 0 : v)).ToArray();
        var whole = AudioQualityAnalyzer.Analyze(signal, 8_000);
        var analyzer = new AudioQualityAnalyzer(8_000);
        for (var i = 0; i < signal.Length; i += 333) analyzer.Add(signal.AsSpan(i, Math.Min(333, signal.Length - i)));
        var blocks = analyzer.Result();

        Assert.Equal(whole with { Warnings = [] }, blocks with { Warnings = [] });
        Assert.Equal(whole.Warnings, blocks.Warnings);
    }

    [Fact]
    public void A_96_kHz_8_bit_clip_is_decoded_without_holding_its_source_rate_samples()
    {
        // 10 s: 960 KB of bytes, 640 KB of 16 kHz floats; the source-rate floats alone would be 3.8 MB.
        var wav = new WavBuilder { SampleRate = 96_000, Bits = 8 }.Build(WavBuilder.Sine(440, 96_000, 10, 0.5));
        Decoder.Decode(wav); // warm the resampler cache

        var before = GC.GetAllocatedBytesForCurrentThread();
        var audio = Decoder.Decode(wav);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(160_000, audio.Samples.Length);
        Assert.True(allocated < 640_000 + 400_000, $"decoding allocated {allocated:N0} bytes");
    }

    [Fact]
    public void An_odd_rate_builds_its_filter_once_and_only_the_phases_its_audio_uses()
    {
        // 9.6 KB at 191,999 Hz: 4,096 phases of 808 taps (13 MB) in full, ~800 outputs here.
        var wav = new WavBuilder { SampleRate = 191_999, Bits = 8 }.Build(WavBuilder.Sine(440, 191_999, 0.05, 0.5));

        var before = GC.GetAllocatedBytesForCurrentThread();
        Decoder.Decode(wav);
        var first = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        Decoder.Decode(wav);
        var second = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(first < 5_000_000, $"first decode allocated {first:N0} bytes");
        Assert.True(second < 200_000, $"second decode allocated {second:N0} bytes (filter rebuilt?)");
        Assert.Same(KaiserSincResampler.For(191_999, 16_000), KaiserSincResampler.For(191_999, 16_000));
    }

    [Fact]
    public void The_resampler_cache_stays_bounded_when_a_caller_cycles_through_rates()
    {
        var first = KaiserSincResampler.For(191_993, 16_000);
        for (var rate = 180_001; rate < 180_040; rate += 2) KaiserSincResampler.For(rate, 16_000);

        // Each of those rates' full tables is ~13 MB; the cache keeps at most 64 MB of them, so the first is gone.
        Assert.NotSame(first, KaiserSincResampler.For(191_993, 16_000));
    }
}
