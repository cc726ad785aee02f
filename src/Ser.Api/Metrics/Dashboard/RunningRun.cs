using Ser.Training.Runs;

namespace Ser.Api.Metrics.Dashboard;

/// <summary>A run in training and its last reported progress (null before its first step).</summary>
public sealed record RunningRun(string RunId, string Architecture, string Preset, TrainingProgress? Progress);
