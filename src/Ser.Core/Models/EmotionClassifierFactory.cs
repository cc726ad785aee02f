using Ser.Core.Data;
using Ser.Core.Models.Checkpoints;
using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;
using static TorchSharp.torch;

namespace Ser.Core.Models;

/// <summary>Builds <see cref="IEmotionClassifier"/>s from presets (random init) or from saved models.</summary>
public static class EmotionClassifierFactory
{
    /// <summary>A randomly initialised model of <paramref name="preset"/> (seeded), e.g. for tests and benchmarks.</summary>
    public static IEmotionClassifier Create(ModelPreset preset, Device? device = null, long seed = 0,
        InferencePrecision precision = InferencePrecision.Float32)
    {
        ArgumentNullException.ThrowIfNull(preset);
        manual_seed(seed);
        if (preset.Wav2Vec2 is { } config)
            return new Wav2Vec2EmotionClassifier(new Wav2Vec2ForSequenceClassification(config), preset.Name, device, precision: precision);
        var spec = preset.ResNet!;
        return new ResNetEmotionClassifier(new ResNet18(EmotionLabels.Count, spec.InChannels, spec.BaseWidth), spec,
            EmotionLabels.All, preset.Name, device, precision: precision);
    }

    /// <summary>Loads a saved model of <paramref name="architecture"/>: a Hugging Face folder for Wav2Vec2; a Ser
    /// ResNet folder, or a torchvision state dict (<c>.pth</c>/<c>.safetensors</c>) with six outputs, for ResNet18.</summary>
    /// <exception cref="CheckpointException">Nothing loadable at <paramref name="path"/>.</exception>
    public static IEmotionClassifier Load(string architecture, string path, Device? device = null, string? preset = null,
        InferencePrecision precision = InferencePrecision.Float32)
    {
        switch (architecture)
        {
            case ModelArchitectures.Wav2Vec2:
                if (!Directory.Exists(path)) throw new CheckpointException($"Wav2Vec2 models are folders; '{path}' is not one.");
                var model = Wav2Vec2Checkpoint.Load(path);
                return new Wav2Vec2EmotionClassifier(model, preset ?? PresetOf(model.Config), device, precision: precision);
            case ModelArchitectures.ResNet18 when Directory.Exists(path):
                var (resnet, description) = ResNetModelFolder.Load(path);
                return new ResNetEmotionClassifier(resnet, description.Spec, description.Labels, preset ?? description.Preset, device,
                    precision: precision);
            case ModelArchitectures.ResNet18 when File.Exists(path):
                var spec = ModelPresets.ResNet18.ResNet!;
                var plain = new ResNet18(EmotionLabels.Count, spec.InChannels, spec.BaseWidth);
                try
                {
                    var fresh = ResNetCheckpoint.LoadInto(plain, path);
                    if (fresh.Count > 0)
                        throw new CheckpointException($"'{path}' has no 6-class head (fc); train it before serving it.");
                }
                catch
                {
                    plain.Dispose();
                    throw;
                }
                return new ResNetEmotionClassifier(plain, spec, EmotionLabels.All, preset ?? ModelPresets.ResNet18.Name, device,
                    precision: precision);
            case ModelArchitectures.ResNet18:
                throw new CheckpointException($"No ResNet18 model at '{path}'.");
            default:
                throw new ArgumentException($"Unknown architecture '{architecture}'; known: {string.Join(", ", ModelArchitectures.All)}.", nameof(architecture));
        }
    }

    private static string PresetOf(Wav2Vec2Config config) =>
        config.HiddenSize == ModelPresets.Wav2Vec2Tiny.Wav2Vec2!.HiddenSize && config.NumHiddenLayers == ModelPresets.Wav2Vec2Tiny.Wav2Vec2.NumHiddenLayers
            ? ModelPresets.Wav2Vec2Tiny.Name
            : config.HiddenSize == 768 && config.NumHiddenLayers == 12 ? ModelPresets.Wav2Vec2Base.Name : "wav2vec2-custom";
}
