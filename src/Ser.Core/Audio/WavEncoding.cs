namespace Ser.Core.Audio;

/// <summary>Sample encodings the decoder takes; names are what the API reports as <c>sourceEncoding</c>.</summary>
public enum WavEncoding
{
    Pcm8,
    Pcm16,
    Pcm24,
    Pcm32,
    Float32,
    Float64,
    MuLaw,
    ALaw,
}
