namespace Ser.Core.Audio;

/// <summary>A WAV's layout and what its decoding yields: the duration and the number of 16 kHz samples.</summary>
public sealed record WavProbe(WavLayout Layout, double Seconds, long ModelSamples)
{
    /// <summary>Bytes the decoded 16 kHz float samples take.</summary>
    public long DecodedBytes => ModelSamples * sizeof(float);
}
