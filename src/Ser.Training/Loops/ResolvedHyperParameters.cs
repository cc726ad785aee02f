namespace Ser.Training.Loops;

/// <summary>Hyper-parameters with every default filled in; what a run records.</summary>
public sealed record ResolvedHyperParameters
{
    public required int Epochs { get; init; }
    public required int BatchSize { get; init; }
    public required double LearningRate { get; init; }
    public required double EncoderLearningRate { get; init; }
    public required double WeightDecay { get; init; }
    public required double WarmupFraction { get; init; }
    public required double GradientClip { get; init; }
    public required int GradientAccumulation { get; init; }
    public required double MaxSeconds { get; init; }
    public required int Patience { get; init; }
    public required int CheckpointEverySteps { get; init; }
    public required bool ClassBalancedLoss { get; init; }
    public required string Optimizer { get; init; }
    public required bool FreezeFeatureEncoder { get; init; }
    public required bool FreezeBaseModel { get; init; }
    public required int SpecAugmentMasks { get; init; }
    public required long Seed { get; init; }
    /// <summary>What was asked for (<see cref="TrainingPrecision"/>); the run's result says what it trained in.</summary>
    public string Precision { get; init; } = TrainingPrecision.Float32;

    /// <summary>Every out-of-range value, by field (empty when all are valid).</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>();
        void Check(bool ok, string field, string message)
        {
            if (!ok) errors[field] = message;
        }
        Check(Epochs is >= 1 and <= 1000, "epochs", "must be 1 to 1000");
        Check(BatchSize is >= 1 and <= 512, "batchSize", "must be 1 to 512");
        Check(LearningRate is > 0 and <= 1, "learningRate", "must be in (0, 1]");
        Check(EncoderLearningRate is >= 0 and <= 1, "encoderLearningRate", "must be in [0, 1]");
        Check(WeightDecay is >= 0 and <= 1, "weightDecay", "must be in [0, 1]");
        Check(WarmupFraction is >= 0 and < 1, "warmupFraction", "must be in [0, 1)");
        Check(GradientClip is >= 0 and <= 1000, "gradientClip", "must be 0 to 1000");
        Check(GradientAccumulation is >= 1 and <= 64, "gradientAccumulation", "must be 1 to 64");
        Check(MaxSeconds is >= 0.5 and <= 30, "maxSeconds", "must be 0.5 to 30");
        Check(Patience is >= 0 and <= 1000, "patience", "must be 0 to 1000");
        Check(CheckpointEverySteps is >= 1 and <= 1_000_000, "checkpointEverySteps", "must be 1 to 1000000");
        Check(OptimizerNames.IsKnown(Optimizer), "optimizer", $"must be {OptimizerNames.AdamW} or {OptimizerNames.Sgd}");
        Check(SpecAugmentMasks is >= 0 and <= 10, "specAugmentMasks", "must be 0 to 10");
        Check(TrainingPrecision.IsKnown(Precision), "precision", $"must be {TrainingPrecision.Float32} or {TrainingPrecision.BFloat16}");
        return errors;
    }
}
