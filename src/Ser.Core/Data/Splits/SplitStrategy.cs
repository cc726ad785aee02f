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

/// <summary>The names the API, files and console use: <c>actor</c>, <c>actor-kfold</c>, <c>random</c>.</summary>
public static class SplitStrategyNames
{
    public static string Name(this SplitStrategy strategy) => strategy switch
    {
        SplitStrategy.ActorKFold => "actor-kfold",
        SplitStrategy.Random => "random",
        _ => "actor",
    };

    public static SplitStrategy? Parse(string? name) => name switch
    {
        "actor" => SplitStrategy.Actor,
        "actor-kfold" => SplitStrategy.ActorKFold,
        "random" => SplitStrategy.Random,
        _ => null,
    };
}
