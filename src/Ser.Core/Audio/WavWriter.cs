using NAudio.Wave;

namespace Ser.Core.Audio;

/// <summary>Writes mono float samples as a 16-bit PCM WAV (NAudio's writer), for generated data and examples.</summary>
public static class WavWriter
{
    public static byte[] Pcm16(ReadOnlySpan<float> samples, int sampleRate)
    {
        using var memory = new MemoryStream();
        using (var writer = new WaveFileWriter(memory, new WaveFormat(sampleRate, 16, 1)))
        {
            var bytes = new byte[samples.Length * 2];
            for (var i = 0; i < samples.Length; i++)
                BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), (short)Math.Round(Math.Clamp(samples[i], -1f, 1f) * short.MaxValue));
            writer.Write(bytes, 0, bytes.Length);
        }
        return memory.ToArray();
    }
}
