namespace Ser.Api.Classification.Contracts;

/// <summary>A stretch of the clip that voice-activity detection kept for scoring.</summary>
public sealed record SpeechSpan(double StartSeconds, double EndSeconds);
