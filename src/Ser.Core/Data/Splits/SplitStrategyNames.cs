namespace Ser.Core.Data.Splits;

/// <summary>The names the API, files and console use: <c>actor</c>, <c>actor-kfold</c>, <c>random</c>, <c>standard</c>.</summary>
public static class SplitStrategyNames
{
    /// <summary>Every name, for error messages and usage text.</summary>
    public const string Listed = "actor, actor-kfold, random or standard";

    public static string Name(this SplitStrategy strategy) => strategy switch
    {
        SplitStrategy.ActorKFold => "actor-kfold",
        SplitStrategy.Random => "random",
        SplitStrategy.Standard => "standard",
        _ => "actor",
    };

    public static SplitStrategy? Parse(string? name) => name switch
    {
        "actor" => SplitStrategy.Actor,
        "actor-kfold" => SplitStrategy.ActorKFold,
        "random" => SplitStrategy.Random,
        "standard" => SplitStrategy.Standard,
        _ => null,
    };

    /// <summary>False only for the per-clip split, whose results must be labelled speaker-dependent.</summary>
    public static bool IsSpeakerIndependent(this SplitStrategy strategy) => strategy != SplitStrategy.Random;
}
