namespace Ser.Core.Audio;

/// <summary>A stretch of a clip judged to hold speech, in samples at the clip's rate.</summary>
public readonly record struct SpeechRegion(int Start, int Length)
{
    public int End => Start + Length;
}
