namespace Ser.Training.Runs;

/// <summary>Training settings. Null fields take the recipe's default for the architecture (see Recipes/).</summary>
public sealed record HyperParameters
{
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    /// <summary>Learning rate of the head (and of the whole ResNet).</summary>
    public double? LearningRate { get; init; }
    /// <summary>Wav2Vec2 only: learning rate of the pretrained encoder.</summary>
    public double? EncoderLearningRate { get; init; }
    public double? WeightDecay { get; init; }
    /// <summary>Share of the steps spent warming the learning rate up linearly.</summary>
    public double? WarmupFraction { get; init; }
    /// <summary>Global gradient-norm clip; 0 turns it off.</summary>
    public double? GradientClip { get; init; }
    /// <summary>Batches whose gradients are summed before one optimizer step.</summary>
    public int? GradientAccumulation { get; init; }
    /// <summary>Longest training crop, in seconds.</summary>
    public double? MaxSeconds { get; init; }
    /// <summary>Epochs without a better validation UA before stopping; 0 never stops early.</summary>
    public int? Patience { get; init; }
    /// <summary>Write a resumable checkpoint every this many optimizer steps (and at every epoch end).</summary>
    public int? CheckpointEverySteps { get; init; }
    /// <summary>Weight the loss by inverse class frequency.</summary>
    public bool? ClassBalancedLoss { get; init; }
    /// <summary><c>adamw</c> or <c>sgd</c> (ResNet18 only).</summary>
    public string? Optimizer { get; init; }
    /// <summary>Wav2Vec2: keep the conv feature encoder fixed (default true).</summary>
    public bool? FreezeFeatureEncoder { get; init; }
    /// <summary>Wav2Vec2: keep the whole backbone fixed, a linear probe.</summary>
    public bool? FreezeBaseModel { get; init; }
    /// <summary>ResNet18: SpecAugment masks per example (time and frequency each).</summary>
    public int? SpecAugmentMasks { get; init; }
    /// <summary><c>float32</c> (default) or <c>bfloat16</c>: mixed precision, convolutions and linear layers in bf16 with
    /// fp32 master weights (Loops/Bf16Twin); fp32 on CPUs where bf16 is not faster (CpuInfo.Bf16Speed).</summary>
    public string? Precision { get; init; }
    /// <summary>Seed of initialisation, data order, crops and augmentation.</summary>
    public long Seed { get; init; } = 42;
}
