namespace Ser.Training.Runs;

/// <summary>A run's current state (<c>status.json</c>), rewritten atomically as it progresses.</summary>
public sealed record RunStatus(RunState State, DateTimeOffset? StartedAt = null, DateTimeOffset? FinishedAt = null, string? Error = null,
    TrainingProgress? Progress = null, long? ResumedFromStep = null, int Attempt = 0);
