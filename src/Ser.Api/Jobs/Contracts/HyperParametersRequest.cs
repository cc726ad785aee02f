namespace Ser.Api.Jobs.Contracts;

public sealed record HyperParametersRequest(int? Epochs, int? BatchSize, double? LearningRate, double? EncoderLearningRate, double? WeightDecay,
    double? WarmupFraction, double? GradientClip, int? GradientAccumulation, double? MaxSeconds, int? Patience, int? CheckpointEverySteps,
    bool? ClassBalancedLoss, string? Optimizer, bool? FreezeFeatureEncoder, bool? FreezeBaseModel, int? SpecAugmentMasks, long? Seed);
