using System.Text.Json.Serialization;

namespace Ser.Core.Data.Splits;

/// <summary>How clips are divided. <c>Actor</c> and <c>ActorKFold</c> are speaker-independent (no voice on both
/// sides); <c>Random</c> is per clip, so the same voices are in train and test (speaker-dependent).</summary>
public enum SplitStrategy
{
    [JsonStringEnumMemberName("actor")]
    Actor,
    [JsonStringEnumMemberName("actor-kfold")]
    ActorKFold,
    [JsonStringEnumMemberName("random")]
    Random,
}
