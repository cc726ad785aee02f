using Ser.Core.Runtime;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ser.Core.Audio;
using Ser.Core.IO;
using Ser.Core.Models.Checkpoints;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Loads and saves Hugging Face Wav2Vec2 model folders (<c>config.json</c> + <c>model.safetensors</c>,
/// sharded safetensors or <c>pytorch_model.bin</c>).</summary>
public static class Wav2Vec2Checkpoint
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string PreprocessorFile = "preprocessor_config.json";
    private const string Prefix = "wav2vec2.";

    /// <summary>HF's SpecAugment fill: kept when the checkpoint has it, left at its init when not (older Ser folders;
    /// <see cref="Wav2Vec2Model"/> declares it optional).</summary>
    public const string MaskedSpecEmbed = Prefix + Wav2Vec2Model.MaskedSpecEmbedKey;

    // Pre-training and other tasks' keys that a classification model has no use for.
    private static readonly string[] IgnoredPrefixes = ["quantizer.", "project_q.", "project_hid.", "lm_head.", "dropout_features."];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Builds a classifier from a model folder. A backbone-only checkpoint (e.g. facebook/wav2vec2-base)
    /// gets a freshly initialised head with <paramref name="labels"/>; a classification checkpoint keeps its own
    /// labels unless <paramref name="labels"/> differ (then its head is replaced).</summary>
    /// <exception cref="CheckpointException">Missing files, a wrong config or weights that do not fit.</exception>
    public static Wav2Vec2ForSequenceClassification Load(string directory, IReadOnlyList<string>? labels = null,
        Func<Wav2Vec2Config, Wav2Vec2Config>? adjust = null)
    {
        var configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath)) throw new CheckpointException($"No {ConfigFile} in '{directory}'.");
        var config = Wav2Vec2Config.Load(configPath);
        var weights = ReadWeights(directory);
        try
        {
            var renamed = Rename(weights);
            var hasHead = renamed.ContainsKey("classifier.weight");
            var headFits = hasHead && (labels is null || labels.SequenceEqual(config.Labels));
            if (!headFits)
            {
                config = config with { Labels = labels ?? (config.NumLabels > 0 ? config.Labels : throw new CheckpointException(
                    $"'{directory}' holds no classification head and no labels were given.")) };
                foreach (var key in renamed.Keys.Where(IsHeadKey).ToList()) renamed.Remove(key);
            }
            if (adjust is not null) config = adjust(config).Validate();
            if (config.UseWeightedLayerSum == false) renamed.Remove("layer_weights");
            if (!config.HasMaskedSpecEmbed) renamed.Remove(MaskedSpecEmbed);
            var model = new Wav2Vec2ForSequenceClassification(config);
            try
            {
                StateDictLoader.Load(model, renamed, key => IsHeadKey(key) && (!headFits || key == "layer_weights"),
                    $"'{directory}'");
            }
            catch
            {
                model.Dispose();
                throw;
            }
            return model;
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }

    /// <summary>Writes <paramref name="model"/> as a Hugging Face folder that <c>transformers</c> loads as it is, with the
    /// feature extractor's settings Ser's input follows (<c>pipeline("audio-classification", folder)</c> runs on it).
    /// The folder appears complete or not at all (written beside it, then renamed into place).</summary>
    public static void Save(Wav2Vec2ForSequenceClassification model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        // The module's own names are HF's: "wav2vec2.…" for the backbone, bare names for the head.
        var tensors = model.state_dict();
        AtomicDirectory.Write(directory, temp =>
        {
            SafeTensorsFile.Write(Path.Combine(temp, WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
            File.WriteAllText(Path.Combine(temp, ConfigFile), model.Config.ToJson().ToJsonString(Indented));
            File.WriteAllText(Path.Combine(temp, PreprocessorFile), Preprocessor(model.Config).ToJsonString(Indented));
        });
    }

    // HF's Wav2Vec2FeatureExtractor as Wav2Vec2InputNormalizer and the classifier's batching use it: 16 kHz mono,
    // normalised per clip, zero padding, attention masks for layer-norm (stable) models only.
    private static JsonObject Preprocessor(Wav2Vec2Config config) => new()
    {
        ["feature_extractor_type"] = "Wav2Vec2FeatureExtractor",
        ["feature_size"] = 1,
        ["sampling_rate"] = AudioOptions.ModelSampleRate,
        ["padding_side"] = "right",
        ["padding_value"] = 0.0,
        ["do_normalize"] = true,
        ["return_attention_mask"] = config.FeatExtractNorm == "layer",
    };

    private static bool IsHeadKey(string key) =>
        key.StartsWith("projector.", StringComparison.Ordinal) || key.StartsWith("classifier.", StringComparison.Ordinal)
        || key == "layer_weights";

    private static Dictionary<string, Tensor> ReadWeights(string directory)
    {
        var safetensors = Path.Combine(directory, WeightsFile);
        if (File.Exists(safetensors)) return SafeTensorsFile.Read(safetensors);
        var index = Path.Combine(directory, WeightsFile + ".index.json");
        if (File.Exists(index)) return ReadSharded(directory, index);
        var bin = Path.Combine(directory, "pytorch_model.bin");
        if (File.Exists(bin)) return StateDictFile.Read(bin);
        throw new CheckpointException($"No weights in '{directory}': expected {WeightsFile}, {WeightsFile}.index.json or pytorch_model.bin.");
    }

    private static Dictionary<string, Tensor> ReadSharded(string directory, string index)
    {
        var map = JsonNode.Parse(File.ReadAllText(index))?["weight_map"] as JsonObject
            ?? throw new CheckpointException($"'{index}' has no weight_map.");
        var all = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var shard in map.Select(p => p.Value!.GetValue<string>()).Distinct())
        {
            if (shard.Contains('/', StringComparison.Ordinal) || shard.Contains('\\', StringComparison.Ordinal) || shard.Contains("..", StringComparison.Ordinal))
                throw new CheckpointException($"'{index}' names a shard outside its folder: {shard}.");
            foreach (var (k, v) in SafeTensorsFile.Read(Path.Combine(directory, shard))) all[k] = v;
        }
        return all;
    }

    // Checkpoint names → this model's names: strip nothing from head keys, keep "wav2vec2." for the backbone,
    // map weight-norm parametrisations to weight_g/weight_v, drop other tasks' keys.
    private static Dictionary<string, Tensor> Rename(Dictionary<string, Tensor> weights)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        Tensor? plainPosWeight = null;
        foreach (var (raw, tensor) in weights)
        {
            var key = raw.StartsWith(Prefix, StringComparison.Ordinal) ? raw[Prefix.Length..] : raw;
            if (IgnoredPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal))) continue;
            key = key.Replace("pos_conv_embed.conv.parametrizations.weight.original0", "pos_conv_embed.conv.weight_g", StringComparison.Ordinal)
                     .Replace("pos_conv_embed.conv.parametrizations.weight.original1", "pos_conv_embed.conv.weight_v", StringComparison.Ordinal);
            if (key == "encoder.pos_conv_embed.conv.weight")
            {
                plainPosWeight = tensor;
                continue;
            }
            result[IsHeadKey(key) ? key : Prefix + key] = tensor;
        }
        // A checkpoint saved with weight norm removed: g = ‖w‖ over dims 0 and 1, v = w.
        if (plainPosWeight is not null && !result.ContainsKey(Prefix + "encoder.pos_conv_embed.conv.weight_v"))
        {
            result[Prefix + "encoder.pos_conv_embed.conv.weight_v"] = plainPosWeight;
            using var scope = NewDisposeScope();
            result[Prefix + "encoder.pos_conv_embed.conv.weight_g"] = plainPosWeight.to_type(ScalarType.Float32).pow(Scalars.OfInteger(2))
                .sum([0, 1], keepdim: true).sqrt().DetachFromDisposeScope();
        }
        return result;
    }
}
