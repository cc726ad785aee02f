using System.Buffers.Binary;

namespace Ser.Api.Tests.Wav;

/// <summary>PCM WAVs built byte by byte for the API tests.</summary>
internal static class TestWav
{
    public static byte[] Tone(double seconds, int rate = 16_000, int channels = 1, int bits = 16, double frequency = 330)
    {
        var frames = (int)(seconds * rate);
        var bytesPerSample = Math.Max(1, bits / 8);
        var data = new byte[frames * channels * bytesPerSample];
        for (var f = 0; f < frames; f++)
        {
            var value = 0.4 * Math.Sin(2 * Math.PI * frequency * f / rate) * (1 + 0.3 * Math.Sin(2 * Math.PI * 3 * f / rate));
            for (var c = 0; c < channels; c++)
            {
                var at = (f * channels + c) * bytesPerSample;
                if (bytesPerSample == 2) BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(at), (short)(value * 32767));
                else data[at] = (byte)(128 + value * 127);
            }
        }
        return Wrap(data, format: 1, channels, rate, bits);
    }

    /// <summary>A 32-bit float WAV carrying <paramref name="samples"/> exactly.</summary>
    public static byte[] Float32(ReadOnlySpan<float> samples, int rate = 16_000)
    {
        var data = new byte[samples.Length * 4];
        for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), samples[i]);
        return Wrap(data, format: 3, channels: 1, rate, bits: 32);
    }

    private static byte[] Wrap(byte[] data, ushort format, int channels, int rate, int bits)
    {
        var bytesPerSample = Math.Max(1, bits / 8);
        var wav = new byte[44 + data.Length];
        "RIFF"u8.CopyTo(wav);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4), (uint)(36 + data.Length));
        "WAVEfmt "u8.CopyTo(wav.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(20), format);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(22), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(24), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(28), (uint)(rate * channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(32), (ushort)(channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(34), (ushort)bits);
        "data"u8.CopyTo(wav.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(40), (uint)data.Length);
        data.CopyTo(wav, 44);
        return wav;
    }
}
