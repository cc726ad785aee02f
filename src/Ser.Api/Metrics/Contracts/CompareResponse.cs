using Ser.Core.Evaluation;

namespace Ser.Api.Metrics.Contracts;

/// <summary><c>GET /metrics/compare</c>.</summary>
public sealed record CompareResponse(CompareSplit Split, IReadOnlyList<RunMetrics> Runs, McNemar? Mcnemar, HumanSummary? Human,
    string? HumanAbsentReason, IReadOnlyList<string> Notes)
{
    /// <summary>Speaker-dependent minus speaker-independent WA and UA, per architecture, when both kinds of run are compared.</summary>
    public IReadOnlyList<SplitInflation> Inflation { get; init; } = [];
}
