using Ser.Core.Data;
using Ser.Core.Features;
using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;

namespace Ser.Core.Models;

/// <summary>The presets Ser offers. Full-size ones match public checkpoints (facebook/wav2vec2-base,
/// torchvision resnet18); tiny ones are narrow enough to train on two CPU cores in minutes.</summary>
public static class ModelPresets
{
    public static readonly ModelPreset Wav2Vec2Base = new("wav2vec2-base", ModelArchitectures.Wav2Vec2,
        "facebook/wav2vec2-base layout (95M parameters): group-norm feature encoder, post-LN, 12 × 768.", 5.0,
        Wav2Vec2: new Wav2Vec2Config { Labels = EmotionLabels.All, HiddenDropout = 0.1, AttentionDropout = 0.1 });

    public static readonly ModelPreset Wav2Vec2Tiny = new("wav2vec2-tiny", ModelArchitectures.Wav2Vec2,
        "Narrow Wav2Vec2 for CPU demos and tests: the real 7-layer conv stack at 64 channels, 2 × 64 transformer.", 2.0,
        Wav2Vec2: new Wav2Vec2Config
        {
            ConvDim = [64, 64, 64, 64, 64, 64, 64],
            HiddenSize = 64,
            NumHiddenLayers = 2,
            NumAttentionHeads = 4,
            IntermediateSize = 128,
            NumConvPosEmbeddings = 16,
            NumConvPosEmbeddingGroups = 4,
            ClassifierProjSize = 32,
            HiddenDropout = 0.0,
            AttentionDropout = 0.0,
            Labels = EmotionLabels.All,
        });

    /// <summary>128 Slaney mels, 25 ms / 10 ms, 3 s windows (128 × 301 input).</summary>
    public static readonly ModelPreset ResNet18 = new("resnet18", ModelArchitectures.ResNet18,
        "torchvision resnet18 on a 1-channel 128-mel log spectrogram, 3 s windows.", 3.0,
        ResNet: new ResNetSpec(64, 1, new LogMelOptions(), 3.0));

    public static readonly ModelPreset ResNet18Tiny = new("resnet18-tiny", ModelArchitectures.ResNet18,
        "ResNet18 at a quarter of the width (16–128 channels) on 64 mels, 2 s windows: for CPU demos and tests.", 2.0,
        ResNet: new ResNetSpec(16, 1, new LogMelOptions { NMels = 64 }, 2.0));

    /// <summary>The reference study's Wav2Vec2 (SEED.md): wav2vec2-base fine-tuned whole; its hyper-parameters are the
    /// recipe's defaults for this preset, and its runs default to the study's random per-clip split.</summary>
    public static readonly ModelPreset Wav2Vec2BaseSeed = Wav2Vec2Base with
    {
        Name = "wav2vec2-base-seed",
        Description = "The reference study's recipe (SEED.md): wav2vec2-base fine-tuned whole, AdamW 1.2565e-5, weight decay 0.04, batch 16, 8 epochs, random per-clip 80/20 split.",
        ReferenceOf = "wav2vec2-base",
    };

    /// <summary>The reference study's ResNet18 (SEED.md): MelSpectrogram(n_fft 400, hop 200, 128 HTK mels, power 2) →
    /// AmplitudeToDB without a floor, 256 frames (3.1875 s).</summary>
    public static readonly ModelPreset ResNet18Seed = new("resnet18-seed", ModelArchitectures.ResNet18,
        "The reference study's recipe (SEED.md): 128 HTK mels at hop 200, 256 frames, Adam 1e-4, weight decay 1e-5, batch 128, 10 epochs, random per-clip 80/20 split.",
        3.1875, ResNet: new ResNetSpec(64, 1, new LogMelOptions { HopLength = 200, MelScale = MelScale.Htk, Norm = MelNorm.None, TopDb = null }, 3.1875),
        ReferenceOf: "resnet18");

    public static readonly IReadOnlyList<ModelPreset> All = [Wav2Vec2Base, Wav2Vec2Tiny, ResNet18, ResNet18Tiny, Wav2Vec2BaseSeed, ResNet18Seed];

    /// <exception cref="ArgumentException">No preset has that name.</exception>
    public static ModelPreset Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown preset '{name}'; known: {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));
}
