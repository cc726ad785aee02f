using Ser.Core.Data.Splits;

namespace Ser.Api.Metrics.Contracts;

/// <summary>A run's split as the metrics endpoints show it.</summary>
public sealed record SplitInfo(string Strategy, long Seed, string? Hash, bool SpeakerIndependent)
{
    /// <summary>Speakers, sentences and identical audio shared between the split's sides (<c>GET /metrics/runs/{id}</c>
    /// and <c>/metrics/compare</c>); null for runs made before the audit existed.</summary>
    public LeakageAudit? Leakage { get; init; }
}
