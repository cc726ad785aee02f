namespace Ser.Core.Data.Splits;

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
