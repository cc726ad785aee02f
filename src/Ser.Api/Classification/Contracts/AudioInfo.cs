namespace Ser.Api.Classification.Contracts;

/// <param name="SourceEncoding">pcm8, pcm16, pcm24, pcm32, float32, float64, mulaw or alaw.</param>
public sealed record AudioInfo(double DurationSeconds, int SourceSampleRate, int SourceChannels, string SourceEncoding, QualityInfo Quality);
