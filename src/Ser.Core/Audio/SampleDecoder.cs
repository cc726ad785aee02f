using System.Buffers.Binary;
using NAudio.Codecs;

namespace Ser.Core.Audio;

/// <summary>Turns the data chunk into mono float samples in [-1, 1], averaging the channels.</summary>
internal static class SampleDecoder
{
    /// <summary>Decodes frames <paramref name="first"/> .. first + destination.Length.</summary>
    public static void DecodeMono(ReadOnlySpan<byte> wav, WavLayout layout, long first, Span<float> destination)
    {
        var data = wav.Slice(layout.DataOffset, layout.DataLength);
        if (layout.Encoding == WavEncoding.Pcm16 && layout.Channels == 1)
        {
            DecodePcm16Mono(data.Slice((int)(first * 2), destination.Length * 2), destination);
            return;
        }
        var channels = layout.Channels;
        var size = layout.BytesPerSample;
        var scale = 1f / channels;
        for (var i = 0; i < destination.Length; i++)
        {
            var f = first + i;
            var frame = data.Slice((int)(f * layout.FrameSize), layout.FrameSize);
            double sum = 0;
            for (var c = 0; c < channels; c++)
            {
                var sample = Read(frame.Slice(c * size, size), layout.Encoding);
                if (!double.IsFinite(sample))
                    throw new AudioFormatException(AudioError.NonFiniteSamples,
                        $"Sample {f} of channel {c} is {(double.IsNaN(sample) ? "NaN" : "infinite")}; float WAVs must hold finite values.");
                // Float WAVs may go past full scale; up there (to 1e308) the mean or the resampler would overflow to ±inf.
                sum += Math.Clamp(sample, -1, 1);
            }
            destination[i] = (float)(sum * scale);
        }
    }

    // The common case (CREMA-D, most uploads) without the general loop's per-sample dispatch: the same values, as
    // x / 32768 is exact in float and double alike and never needs the clamp.
    private static void DecodePcm16Mono(ReadOnlySpan<byte> data, Span<float> destination)
    {
        for (var i = 0; i < destination.Length; i++)
            destination[i] = BinaryPrimitives.ReadInt16LittleEndian(data.Slice(2 * i, 2)) * (1f / 32768);
    }

    private static double Read(ReadOnlySpan<byte> s, WavEncoding encoding) => encoding switch
    {
        WavEncoding.Pcm8 => (s[0] - 128) / 128.0,
        WavEncoding.Pcm16 => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
        WavEncoding.Pcm24 => ((s[0] | (s[1] << 8) | (s[2] << 16)) << 8 >> 8) / 8388608.0,
        WavEncoding.Pcm32 => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
        WavEncoding.Float32 => BinaryPrimitives.ReadSingleLittleEndian(s),
        WavEncoding.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(s),
        WavEncoding.MuLaw => MuLawDecoder.MuLawToLinearSample(s[0]) / 32768.0,
        WavEncoding.ALaw => ALawDecoder.ALawToLinearSample(s[0]) / 32768.0,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
    };
}
