namespace Ser.Core.Audio;

/// <summary>A clip as both models take it: mono float32 at 16 kHz, with what the source was.</summary>
/// <param name="Samples">Mono samples at <see cref="AudioOptions.ModelSampleRate"/>.</param>
public sealed record DecodedAudio(
    float[] Samples, int SourceSampleRate, int SourceChannels, WavEncoding SourceEncoding, AudioQuality Quality)
{
    public static int SampleRate => AudioOptions.ModelSampleRate;

    public double DurationSeconds => (double)Samples.Length / SampleRate;
}
