namespace Ser.Api.Metrics.Contracts;

/// <summary>One row of <c>GET /metrics/runs</c>.</summary>
public sealed record RunListItem(string RunId, string Kind, string Architecture, string Preset, string Dataset, SplitInfo Split, string State,
    DateTimeOffset CreatedAt, HeadlineMetrics? Metrics);
