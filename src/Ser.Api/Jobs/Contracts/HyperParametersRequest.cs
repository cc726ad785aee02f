namespace Ser.Api.Jobs.Contracts;

/// <summary>Overrides of the recipe's defaults in <c>POST /jobs/train</c>; a null field keeps the default.</summary>
public sealed record HyperParametersRequest
{
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public double? EncoderLearningRate { get; init; }
    public double? WeightDecay { get; init; }
    public double? WarmupFraction { get; init; }
    public double? GradientClip { get; init; }
    public int? GradientAccumulation { get; init; }
    public double? MaxSeconds { get; init; }
    public int? Patience { get; init; }
    public int? CheckpointEverySteps { get; init; }
    public bool? ClassBalancedLoss { get; init; }
    /// <summary><c>adamw</c> or <c>sgd</c> (ResNet18 only).</summary>
    public string? Optimizer { get; init; }
    public bool? FreezeFeatureEncoder { get; init; }
    public bool? FreezeBaseModel { get; init; }
    public int? SpecAugmentMasks { get; init; }
    public long? Seed { get; init; }
}
