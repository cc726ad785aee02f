namespace Ser.Training.Runs;

/// <summary>A run as the registry lists it: what it is, on which split, its state (the source of truth; status.json is
/// a copy) and headline test figures.</summary>
public sealed record RunSummary(
    string RunId, string Kind, string? Name, string Architecture, string Preset, string Dataset, string SplitStrategy, long SplitSeed,
    string? SplitHash, bool SpeakerIndependent, RunState State, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt,
    double? Wa, double? Ua, double? MacroF1, double? TrainingSeconds, string Device, string? Error, int Attempt = 0,
    DateTimeOffset? StartedAt = null, TrainingProgress? Progress = null, long? ResumedFromStep = null)
{
    /// <summary>The run's state as status.json holds it.</summary>
    public RunStatus Status => new(State, StartedAt, FinishedAt, Error, Progress, ResumedFromStep, Attempt);
}
