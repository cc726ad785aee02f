using System.Text.Json.Serialization;
using Ser.Core.Evaluation;

namespace Ser.Training.Reports;

/// <summary>Two or more runs side by side on the same test clips: figures with CIs, per class, confusion, McNemar's
/// test between the first two, the crowd baseline on those clips, and training cost (the API's /metrics/compare).</summary>
public sealed record ComparisonReport(ComparisonSplit Split, IReadOnlyList<RunComparison> Runs,
    [property: JsonPropertyName("mcnemar")] McNemar? McNemar, HumanBaseline? Human,
    string? HumanAbsentReason, IReadOnlyList<string> Notes)
{
    /// <summary>Per architecture with runs on both kinds of split of one corpus: how much speaker overlap flatters it.</summary>
    public IReadOnlyList<SplitInflation> Inflation { get; init; } = [];
}
