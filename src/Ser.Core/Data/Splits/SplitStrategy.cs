using System.Text.Json.Serialization;

namespace Ser.Core.Data.Splits;

/// <summary>How clips are divided. <c>Actor</c>, <c>ActorKFold</c> and <c>Standard</c> are speaker-independent (no voice
/// on both sides); <c>Random</c> is per clip, so the same voices are in train and test (speaker-dependent).</summary>
public enum SplitStrategy
{
    [JsonStringEnumMemberName("actor")]
    Actor,
    [JsonStringEnumMemberName("actor-kfold")]
    ActorKFold,
    [JsonStringEnumMemberName("random")]
    Random,
    /// <summary>CREMA-D's published actor split (<see cref="StandardSplit"/>): the same actors on every machine and in every tool.</summary>
    [JsonStringEnumMemberName("standard")]
    Standard,
}
