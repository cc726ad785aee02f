using System.Text.Json.Serialization;

namespace Ser.Api.Classification.Contracts;

/// <summary>One scored window of a timeline (windows lie inside speech regions; silence is not scored).</summary>
public sealed record Segment(double StartSeconds, double EndSeconds, IReadOnlyDictionary<string, SegmentPrediction> Predictions)
{
    /// <summary>Whether the models' top labels agree on this window; null with one model.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Agree { get; init; }
}
