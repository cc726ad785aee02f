namespace Ser.Training.Runs;

/// <summary>The split a request asks for; null fields take <see cref="SplitSpec"/>'s defaults.</summary>
public sealed record TrainingSplit
{
    /// <summary><c>actor</c> (default), <c>actor-kfold</c>, <c>random</c> or <c>standard</c>.</summary>
    public string? Strategy { get; init; }

    public long? Seed { get; init; }

    public int? Folds { get; init; }

    public int? Fold { get; init; }

    public double? Validation { get; init; }

    public double? Test { get; init; }
}
