using Ser.Training.Runs;

namespace Ser.Api.Jobs.Contracts;

/// <param name="ResumedFromStep">The optimizer step a restarted attempt continued from, if any.</param>
public sealed record JobRun(string RunId, string Architecture, string State, TrainingProgress? Progress, long? ResumedFromStep);
