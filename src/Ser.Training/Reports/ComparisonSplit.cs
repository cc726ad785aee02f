namespace Ser.Training.Reports;

/// <summary>The split the runs share (or the first run's, when different splits were allowed).</summary>
public sealed record ComparisonSplit(string Hash, string Strategy, bool SpeakerIndependent, long Seed, int TestClips);
