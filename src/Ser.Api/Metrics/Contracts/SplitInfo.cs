namespace Ser.Api.Metrics.Contracts;

/// <summary>A run's split as the metrics endpoints show it.</summary>
public sealed record SplitInfo(string Strategy, long Seed, string? Hash, bool SpeakerIndependent);
