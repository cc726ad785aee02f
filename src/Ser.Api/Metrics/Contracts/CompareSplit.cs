namespace Ser.Api.Metrics.Contracts;

public sealed record CompareSplit(string Hash, string Strategy, bool SpeakerIndependent, int TestClips);
