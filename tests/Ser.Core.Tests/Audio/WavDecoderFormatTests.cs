using Ser.Core.Audio;

namespace Ser.Core.Tests.Audio;

public class WavDecoderFormatTests
{
    private static readonly WavDecoder Decoder = new();

    public static TheoryData<ushort, int, bool, WavEncoding, double> Formats => new()
    {
        { 1, 8, false, WavEncoding.Pcm8, 1.0 / 64 },
        { 1, 16, false, WavEncoding.Pcm16, 1e-4 },
        { 1, 24, false, WavEncoding.Pcm24, 1e-6 },
        { 1, 32, false, WavEncoding.Pcm32, 1e-6 },
        { 3, 32, false, WavEncoding.Float32, 1e-7 },
        { 3, 64, false, WavEncoding.Float64, 1e-7 },
        { 7, 8, false, WavEncoding.MuLaw, 0.02 },
        { 6, 8, false, WavEncoding.ALaw, 0.02 },
        { 1, 16, true, WavEncoding.Pcm16, 1e-4 },
        { 1, 24, true, WavEncoding.Pcm24, 1e-6 },
        { 3, 32, true, WavEncoding.Float32, 1e-7 },
        { 7, 8, true, WavEncoding.MuLaw, 0.02 },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_supported_encoding_decodes_to_the_samples_it_was_built_from(
        ushort tag, int bits, bool extensible, WavEncoding expected, double tolerance)
    {
        var signal = WavBuilder.Sine(440, 16_000, 0.25);
        var wav = new WavBuilder { FormatTag = tag, Bits = bits, Extensible = extensible }.Build(signal);

        var audio = Decoder.Decode(wav);

        Assert.Equal(expected, audio.SourceEncoding);
        Assert.Equal(signal.Length, audio.Samples.Length);
        for (var i = 0; i < signal.Length; i++) Assert.True(Math.Abs(signal[i] - audio.Samples[i]) <= tolerance, $"sample {i}");
    }

    [Fact]
    public void Every_16_bit_value_decodes_to_its_exact_fraction_mono_as_stereo()
    {
        var values = Enumerable.Range(short.MinValue, 1 << 16).ToArray();
        var mono = values.SelectMany(v => BitConverter.GetBytes((short)v)).ToArray();
        var stereo = values.SelectMany(v => BitConverter.GetBytes((short)v).Concat(BitConverter.GetBytes((short)v))).ToArray();

        var one = Decoder.Decode(new WavBuilder().Build(mono)).Samples;
        var two = Decoder.Decode(new WavBuilder { Channels = 2 }.Build(stereo)).Samples;

        Assert.Equal(values.Select(v => (float)(v / 32768.0)), one);
        Assert.Equal(one, two); // mono takes its own path; stereo the general one
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(8)]
    public void Channels_are_downmixed_by_their_mean(int channels)
    {
        var perChannel = Enumerable.Range(0, channels)
            .Select(c => WavBuilder.Sine(300 + 100 * c, 16_000, 0.1, amplitude: 0.9 / channels * (c + 1)))
            .ToArray();
        var wav = new WavBuilder { FormatTag = 3, Bits = 32, Channels = channels }.Build(perChannel);

        var audio = Decoder.Decode(wav);

        Assert.Equal(channels, audio.SourceChannels);
        for (var i = 0; i < audio.Samples.Length; i++)
            Assert.Equal(perChannel.Average(ch => ch[i]), audio.Samples[i], 1e-6);
    }

    [Theory]
    [InlineData(8_000)]
    [InlineData(11_025)]
    [InlineData(22_050)]
    [InlineData(44_100)]
    [InlineData(48_000)]
    [InlineData(96_000)]
    [InlineData(192_000)]
    [InlineData(37_123)]
    public void Any_rate_from_8_to_192_kHz_comes_out_at_16_kHz_with_its_tone_intact(int rate)
    {
        var wav = new WavBuilder { FormatTag = 3, Bits = 32, SampleRate = rate }.Build(WavBuilder.Sine(1000, rate, 0.5));

        var audio = Decoder.Decode(wav);

        Assert.Equal(rate, audio.SourceSampleRate);
        Assert.InRange(audio.Samples.Length, 7_999, 8_001);
        Assert.InRange(audio.DurationSeconds, 0.4999, 0.5001);
        Assert.InRange(ToneAnalysis.LevelDb(audio.Samples.AsSpan(800, 6_400), 1000, 16_000), -6.5, -5.5);
    }

    [Fact]
    public void Chunks_before_fmt_and_a_missing_pad_byte_are_tolerated()
    {
        var builder = new WavBuilder();
        builder.ChunksBeforeFmt.Add(("LIST", new byte[] { 1, 2, 3, 4, 5, 6 }, true));
        builder.ChunksBeforeFmt.Add(("junk", new byte[] { 9, 9, 9 }, false));
        var signal = WavBuilder.Sine(440, 16_000, 0.1);

        var audio = Decoder.Decode(builder.Build(signal));

        Assert.Equal(signal.Length, audio.Samples.Length);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(uint.MaxValue)]
    [InlineData(123_456_789u)]
    public void A_riff_size_of_0_or_more_than_the_stream_holds_is_tolerated(uint riffSize)
    {
        var wav = new WavBuilder { RiffSizeOverride = riffSize }.Build(WavBuilder.Sine(440, 16_000, 0.1));

        Assert.Equal(1600, Decoder.Decode(wav).Samples.Length);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(uint.MaxValue)]
    public void A_streaming_writers_data_size_reads_to_the_end(uint dataSize)
    {
        var wav = new WavBuilder { DataSizeOverride = dataSize }.Build(WavBuilder.Sine(440, 16_000, 0.1));

        Assert.Equal(1600, Decoder.Decode(wav).Samples.Length);
    }

    [Fact]
    public void A_trailing_partial_frame_is_dropped()
    {
        var builder = new WavBuilder { Channels = 2 };
        var data = new byte[4 * 100 + 3];

        Assert.Equal(100, Decoder.Decode(builder.Build(data)).Samples.Length);
    }

    [Fact]
    public async Task A_non_seekable_stream_decodes_like_bytes()
    {
        var wav = new WavBuilder { SampleRate = 44_100 }.Build(WavBuilder.Sine(440, 44_100, 0.3));
        await using var stream = new NonSeekableStream(wav);

        var audio = await Decoder.DecodeAsync(stream, TestContext.Current.CancellationToken);

        Assert.Equal(Decoder.Decode(wav).Samples, audio.Samples);
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
