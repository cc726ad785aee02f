using Ser.Core.Evaluation;

namespace Ser.Api.Metrics.Contracts;

/// <summary>The full evaluation of a run (<c>GET /metrics/runs/{id}</c>).</summary>
public sealed record RunMetrics(string RunId, string Architecture, string Preset, string Dataset, SplitInfo Split, FullMetrics Metrics,
    HumanBaseline? Human, string? HumanAbsentReason, TrainingInfo Training);
