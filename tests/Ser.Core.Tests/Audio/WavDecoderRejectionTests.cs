using System.Text;
using Ser.Core.Audio;

namespace Ser.Core.Tests.Audio;

public class WavDecoderRejectionTests
{
    private static readonly WavDecoder Decoder = new();
    private static readonly double[] Tenth = WavBuilder.Sine(440, 16_000, 0.1);

    private static AudioFormatException Reject(byte[] wav, WavDecoder? decoder = null) =>
        Assert.Throws<AudioFormatException>(() => (decoder ?? Decoder).Decode(wav));

    [Fact]
    public void An_empty_stream_is_rejected_as_empty()
    {
        var e = Reject([]);
        Assert.Equal(AudioError.Empty, e.Error);
        Assert.Contains("empty", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("OggS\0\u0002\0\0\0\0\0\0\0\0OpusHead", "Ogg/Opus")]
    [InlineData("ID3\u0004\0\0\0\0\0\0", "MP3")]
    [InlineData("fLaC\0\0\0\"", "FLAC")]
    [InlineData("\0\0\0\u0020ftypM4A \0\0\0\0", "MP4/M4A")]
    [InlineData("hello, this is not audio at all", "text")]
    [InlineData("RIFF\u0004\0\0\0AVI LIST", "RIFF 'AVI '")]
    public void Other_formats_are_rejected_and_named(string content, string named)
    {
        var e = Reject(Encoding.Latin1.GetBytes(content));
        Assert.Equal(AudioError.NotWave, e.Error);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WebM_is_named()
    {
        var e = Reject([0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01]);
        Assert.Contains("WebM", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(20)]
    [InlineData(30)]
    [InlineData(43)]
    public void A_truncated_header_is_rejected(int keep)
    {
        var wav = new WavBuilder().Build(Tenth)[..keep];
        var e = Reject(wav);
        Assert.Equal(AudioError.Truncated, e.Error);
    }

    [Fact]
    public void Truncated_data_is_rejected_with_the_sizes()
    {
        var wav = new WavBuilder().Build(Tenth);
        var e = Reject(wav[..(wav.Length - 1000)]);
        Assert.Equal(AudioError.Truncated, e.Error);
        Assert.Contains("3200", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x7FFF_FFF0u)]
    [InlineData(0xFFFF_FFF0u)]
    public void A_chunk_claiming_more_than_the_stream_holds_is_rejected_without_allocating_it(uint claimed)
    {
        var builder = new WavBuilder();
        builder.ChunksBeforeFmt.Add(("LIST", new byte[8], true));
        var wav = builder.Build(Tenth);
        WavBuilder.U32(claimed).CopyTo(wav, 16);

        var e = Reject(wav);
        Assert.Equal(AudioError.Truncated, e.Error);
        Assert.Contains("LIST", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_channels_are_rejected() =>
        Assert.Contains("zero channels", Reject(new WavBuilder { Channels = 0, BlockAlignOverride = 2 }.Build(new byte[100])).Message,
            StringComparison.Ordinal);

    [Fact]
    public void A_zero_sample_rate_is_rejected() =>
        Assert.Contains("0 Hz", Reject(new WavBuilder { SampleRate = 0 }.Build(Tenth)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(2, "Adpcm")]
    [InlineData(0x55, "MpegLayer3")]
    [InlineData(0x1234, "0x1234")]
    public void An_unsupported_codec_is_named(ushort tag, string name)
    {
        var e = Reject(new WavBuilder { FormatTag = tag, Bits = 4, BlockAlignOverride = 256 }.Build(new byte[512]));
        Assert.Equal(AudioError.Unsupported, e.Error);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 12)]
    [InlineData(3, 16)]
    [InlineData(7, 16)]
    public void An_unsupported_bit_depth_is_rejected(ushort tag, int bits) =>
        Assert.Equal(AudioError.Unsupported, Reject(new WavBuilder { FormatTag = tag, Bits = bits }.Build(new byte[64])).Error);

    [Theory]
    [InlineData(9, 16_000)]
    [InlineData(1, 4_000)]
    [InlineData(1, 384_000)]
    public void Channel_counts_and_rates_out_of_range_are_rejected(int channels, int rate) =>
        Assert.Equal(AudioError.Unsupported,
            Reject(new WavBuilder { Channels = channels, SampleRate = rate }.Build(new byte[channels * 2 * 10])).Error);

    [Fact]
    public void A_block_align_that_contradicts_the_format_is_rejected() =>
        Assert.Equal(AudioError.Malformed, Reject(new WavBuilder { BlockAlignOverride = 3 }.Build(Tenth)).Error);

    [Fact]
    public void A_missing_fmt_or_data_chunk_is_rejected()
    {
        Assert.Contains("'fmt '", Reject(new WavBuilder { WriteFmt = false }.Build(Tenth)).Message, StringComparison.Ordinal);
        Assert.Contains("'data'", Reject(new WavBuilder { WriteData = false }.Build(Tenth)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "infinite")]
    [InlineData(double.NegativeInfinity, "infinite")]
    public void Non_finite_float_samples_are_rejected(double bad, string word)
    {
        var samples = (double[])Tenth.Clone();
        samples[123] = bad;
        foreach (var bits in new[] { 32, 64 })
        {
            var e = Reject(new WavBuilder { FormatTag = 3, Bits = bits }.Build(samples));
            Assert.Equal(AudioError.NonFiniteSamples, e.Error);
            Assert.Contains(word, e.Message, StringComparison.Ordinal);
            Assert.Contains("123", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Audio_longer_than_the_limit_is_rejected_as_too_long()
    {
        var decoder = new WavDecoder(new AudioOptions { MaxSeconds = 0.05 });
        var e = Reject(new WavBuilder().Build(Tenth), decoder);
        Assert.Equal(AudioError.TooLong, e.Error);
    }

    [Fact]
    public async Task A_stream_over_the_byte_limit_is_rejected_before_it_is_all_read()
    {
        var decoder = new WavDecoder(new AudioOptions { MaxBytes = 1000 });
        await using var endless = new EndlessStream();

        var e = await Assert.ThrowsAsync<AudioFormatException>(() => decoder.DecodeAsync(endless, TestContext.Current.CancellationToken));
        Assert.Equal(AudioError.TooLarge, e.Error);
        Assert.True(endless.Position < 200_000);
    }

    [Fact]
    public void Random_corruption_never_escapes_as_anything_but_AudioFormatException()
    {
        var random = new Random(1234);
        var valid = new WavBuilder { Channels = 2, Extensible = true }.Build([Tenth, Tenth]);
        for (var i = 0; i < 3000; i++)
        {
            var wav = (byte[])valid.Clone();
            var edits = random.Next(1, 6);
            for (var k = 0; k < edits; k++) wav[random.Next(Math.Min(wav.Length, 80))] = (byte)random.Next(256);
            if (random.Next(4) == 0) wav = wav[..random.Next(wav.Length)];
            try { Decoder.Decode(wav); }
            catch (AudioFormatException) { }
        }
    }

    private sealed class EndlessStream : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) { _position += count; return count; }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
