using System.Buffers.Binary;
using System.Globalization;
using NAudio.Wave;

namespace Ser.Core.Audio;

/// <summary>Where a WAV's samples are and how they are encoded, read from its RIFF chunks.</summary>
/// <remarks>Tolerant where the meaning is clear (RIFF size 0 or too large, a streaming writer's data size
/// of 0 or 0xFFFFFFFF, a missing pad byte, LIST/junk chunks anywhere, a trailing partial frame); strict
/// otherwise. Never allocates what a header claims: every size is checked against the bytes present.</remarks>
public sealed record WavLayout(WavEncoding Encoding, int Channels, int SampleRate, int BytesPerSample, int DataOffset, int DataLength)
{
    public const int MinRate = 8_000;
    public const int MaxRate = 192_000;
    public const int MaxChannels = 8;

    public int FrameSize => Channels * BytesPerSample;

    public long Frames => DataLength / FrameSize;

    /// <summary>Parses the RIFF structure of <paramref name="wav"/>.</summary>
    /// <exception cref="AudioFormatException">The bytes are not a usable WAV.</exception>
    public static WavLayout Parse(ReadOnlySpan<byte> wav)
    {
        if (wav.IsEmpty) throw new AudioFormatException(AudioError.Empty, "The audio stream is empty.");
        if (wav.Length < 12 && wav.Length >= 4 && wav[..4].SequenceEqual("RIFF"u8))
            throw Truncated($"The RIFF header is truncated: {wav.Length} bytes.");
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav[8..12].SequenceEqual("WAVE"u8))
            throw new AudioFormatException(AudioError.NotWave, FormatSniffer.DescribeNonWave(wav));

        (int Offset, int Length)? fmt = null, data = null;
        var pos = 12;
        while (pos + 8 <= wav.Length)
        {
            var id = wav.Slice(pos, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(wav.Slice(pos + 4, 4));
            var body = pos + 8;
            var remaining = wav.Length - body;
            if (id.SequenceEqual("data"u8))
            {
                // Streaming writers leave 0 or 0xFFFFFFFF: the data runs to the end of the stream.
                var streaming = size == uint.MaxValue || (size == 0 && remaining > 0);
                if (!streaming && size > remaining)
                    throw Truncated($"The data chunk claims {size} bytes but only {remaining} follow (file truncated?).");
                data = (body, streaming ? remaining : (int)size);
                if (fmt is not null) break;
            }
            else
            {
                if (size > remaining)
                    throw Truncated($"The '{ChunkName(id)}' chunk claims {size} bytes but only {remaining} follow (file truncated?).");
                if (id.SequenceEqual("fmt "u8)) fmt = (body, (int)size);
                if (fmt is not null && data is not null) break;
            }
            pos = NextChunk(wav, body, (int)Math.Min(size, (uint)remaining));
        }

        if (fmt is null)
            throw wav.Length < 44 && data is null
                ? Truncated($"The WAV header is truncated: {wav.Length} bytes and no 'fmt ' chunk.")
                : new AudioFormatException(AudioError.Malformed, "The WAV has no 'fmt ' chunk.");
        if (data is null)
            throw new AudioFormatException(AudioError.Truncated, "The WAV has no 'data' chunk (file truncated?).");
        return FromFormat(wav.Slice(fmt.Value.Offset, fmt.Value.Length), data.Value.Offset, data.Value.Length);
    }

    private static WavLayout FromFormat(ReadOnlySpan<byte> fmt, int dataOffset, int dataLength)
    {
        if (fmt.Length < 16)
            throw Truncated($"The 'fmt ' chunk holds {fmt.Length} bytes; at least 16 are needed.");
        var tag = (WaveFormatEncoding)BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        if (tag == WaveFormatEncoding.Extensible)
        {
            // WAVE_FORMAT_EXTENSIBLE: cbSize (2), valid bits (2), channel mask (4), sub-format GUID (16)
            // whose first two bytes are the real format tag.
            if (fmt.Length < 40)
                throw Truncated($"The WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk holds {fmt.Length} bytes; 40 are needed.");
            tag = (WaveFormatEncoding)BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }

        if (channels == 0) throw Malformed("The WAV header declares zero channels.");
        if (rate == 0) throw Malformed("The WAV header declares a sample rate of 0 Hz.");
        if (channels > MaxChannels)
            throw Unsupported($"{channels} channels are not supported (1 to {MaxChannels}).");
        if (rate is < MinRate or > MaxRate)
            throw Unsupported($"A sample rate of {rate} Hz is not supported ({MinRate} to {MaxRate} Hz).");

        var encoding = (tag, bits) switch
        {
            (WaveFormatEncoding.Pcm, 8) => WavEncoding.Pcm8,
            (WaveFormatEncoding.Pcm, 16) => WavEncoding.Pcm16,
            (WaveFormatEncoding.Pcm, 24) => WavEncoding.Pcm24,
            (WaveFormatEncoding.Pcm, 32) => WavEncoding.Pcm32,
            (WaveFormatEncoding.IeeeFloat, 32) => WavEncoding.Float32,
            (WaveFormatEncoding.IeeeFloat, 64) => WavEncoding.Float64,
            (WaveFormatEncoding.MuLaw, 8) => WavEncoding.MuLaw,
            (WaveFormatEncoding.ALaw, 8) => WavEncoding.ALaw,
            (WaveFormatEncoding.Pcm or WaveFormatEncoding.IeeeFloat or WaveFormatEncoding.MuLaw or WaveFormatEncoding.ALaw, _)
                => throw Unsupported($"{CodecName(tag)} with {bits} bits per sample is not supported."),
            _ => throw Unsupported($"The WAV codec {CodecName(tag)} is not supported; use PCM, IEEE float, µ-law or A-law."),
        };
        var bytesPerSample = bits / 8;
        if (blockAlign != channels * bytesPerSample)
            throw Malformed($"The WAV header's block align ({blockAlign}) does not match {channels} channel(s) of {bits}-bit samples.");

        var whole = dataLength - dataLength % blockAlign;
        if (whole == 0)
            throw new AudioFormatException(AudioError.Truncated, "The WAV's data chunk holds no complete sample frame.");
        return new WavLayout(encoding, channels, (int)rate, bytesPerSample, dataOffset, whole);
    }

    // Chunks are word-aligned; some writers omit the pad byte after an odd size, so accept the unpadded
    // position when only it holds a plausible chunk id.
    private static int NextChunk(ReadOnlySpan<byte> wav, int body, int size)
    {
        var unpadded = body + size;
        if (size % 2 == 0) return unpadded;
        var padded = unpadded + 1;
        return LooksLikeId(wav, padded) || !LooksLikeId(wav, unpadded) ? padded : unpadded;
    }

    private static bool LooksLikeId(ReadOnlySpan<byte> wav, int at)
    {
        if (at + 8 > wav.Length) return false;
        foreach (var b in wav.Slice(at, 4))
            if (b is < 0x20 or > 0x7e) return false;
        return true;
    }

    private static string ChunkName(ReadOnlySpan<byte> id)
    {
        Span<char> chars = stackalloc char[4];
        for (var i = 0; i < 4; i++) chars[i] = id[i] is >= 0x20 and <= 0x7e ? (char)id[i] : '?';
        return new string(chars);
    }

    private static string CodecName(WaveFormatEncoding tag) =>
        Enum.IsDefined(tag)
            ? $"'{tag}' (format tag 0x{(int)tag:X4})"
            : string.Create(CultureInfo.InvariantCulture, $"format tag 0x{(int)tag:X4}");

    private static AudioFormatException Truncated(string message) => new(AudioError.Truncated, message);

    private static AudioFormatException Malformed(string message) => new(AudioError.Malformed, message);

    private static AudioFormatException Unsupported(string message) => new(AudioError.Unsupported, message);
}
