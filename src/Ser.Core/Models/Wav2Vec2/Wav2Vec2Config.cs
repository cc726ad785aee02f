using System.Text.Json;
using System.Text.Json.Nodes;
using Ser.Core.Features;
using Ser.Core.Models.Checkpoints;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>The fields of a Hugging Face <c>config.json</c> (Wav2Vec2Config) that define the network.
/// Defaults are facebook/wav2vec2-base's. Unknown fields are kept and written back on save.</summary>
public sealed record Wav2Vec2Config
{
    public string FeatExtractNorm { get; init; } = "group";
    public bool DoStableLayerNorm { get; init; }
    public bool ConvBias { get; init; }
    public IReadOnlyList<int> ConvDim { get; init; } = [512, 512, 512, 512, 512, 512, 512];
    public IReadOnlyList<int> ConvKernel { get; init; } = [10, 3, 3, 3, 3, 2, 2];
    public IReadOnlyList<int> ConvStride { get; init; } = [5, 2, 2, 2, 2, 2, 2];
    public int HiddenSize { get; init; } = 768;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int IntermediateSize { get; init; } = 3072;
    public int NumConvPosEmbeddings { get; init; } = 128;
    public int NumConvPosEmbeddingGroups { get; init; } = 16;
    public double LayerNormEps { get; init; } = 1e-5;
    public double HiddenDropout { get; init; } = 0.1;
    public double AttentionDropout { get; init; } = 0.1;
    public double ActivationDropout { get; init; }
    public double FeatProjDropout { get; init; }
    public double FinalDropout { get; init; }
    public int ClassifierProjSize { get; init; } = 256;
    public bool UseWeightedLayerSum { get; init; }

    /// <summary>HF's SpecAugment probabilities. Ser fine-tunes without them; they decide only whether the model holds
    /// HF's <c>masked_spec_embed</c> (<see cref="HasMaskedSpecEmbed"/>).</summary>
    public double MaskTimeProb { get; init; } = 0.05;

    public double MaskFeatureProb { get; init; }

    /// <summary>Whether HF's model has <c>masked_spec_embed</c>: kept from the checkpoint and saved, so transformers
    /// finds every key of a folder Ser wrote.</summary>
    public bool HasMaskedSpecEmbed => MaskTimeProb > 0 || MaskFeatureProb > 0;

    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>The JSON the config was read from (null for one built in code); other fields survive a save.</summary>
    public JsonObject? Source { get; init; }

    public int NumLabels => Labels.Count;

    /// <summary>Wav2Vec2 frames per input: the conv stack's output length for <paramref name="samples"/>.</summary>
    public long FrameCount(long samples) => FrameLength.ConvStack(samples, ConvKernel, ConvStride);

    /// <summary>Fewest input samples that yield one frame (400 = 25 ms at 16 kHz for the standard stack).</summary>
    public int ReceptiveField => FrameLength.ReceptiveField(ConvKernel, ConvStride);

    /// <summary>Throws <see cref="CheckpointException"/> when the fields contradict each other.</summary>
    public Wav2Vec2Config Validate()
    {
        var errors = new List<string>();
        if (ConvDim.Count == 0 || ConvDim.Count != ConvKernel.Count || ConvDim.Count != ConvStride.Count)
            errors.Add($"conv_dim ({ConvDim.Count}), conv_kernel ({ConvKernel.Count}) and conv_stride ({ConvStride.Count}) must have the same non-zero length");
        if (ConvDim.Concat(ConvKernel).Concat(ConvStride).Any(v => v <= 0)) errors.Add("conv_dim, conv_kernel and conv_stride must be positive");
        if (FeatExtractNorm is not ("group" or "layer")) errors.Add($"feat_extract_norm must be 'group' or 'layer', not '{FeatExtractNorm}'");
        if (HiddenSize <= 0 || NumAttentionHeads <= 0 || HiddenSize % NumAttentionHeads != 0)
            errors.Add($"hidden_size ({HiddenSize}) must be a positive multiple of num_attention_heads ({NumAttentionHeads})");
        if (NumConvPosEmbeddingGroups <= 0 || HiddenSize % NumConvPosEmbeddingGroups != 0)
            errors.Add($"hidden_size ({HiddenSize}) must be a multiple of num_conv_pos_embedding_groups ({NumConvPosEmbeddingGroups})");
        if (NumHiddenLayers <= 0 || IntermediateSize <= 0 || NumConvPosEmbeddings <= 0 || ClassifierProjSize <= 0)
            errors.Add("num_hidden_layers, intermediate_size, num_conv_pos_embeddings and classifier_proj_size must be positive");
        if (MaskTimeProb is < 0 or > 1 || MaskFeatureProb is < 0 or > 1) errors.Add("mask_time_prob and mask_feature_prob must be between 0 and 1");
        if (errors.Count > 0) throw new CheckpointException("Invalid Wav2Vec2 config: " + string.Join("; ", errors) + ".");
        return this;
    }

    /// <summary>Reads a Hugging Face <c>config.json</c>.</summary>
    public static Wav2Vec2Config Load(string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new CheckpointException($"'{path}' does not hold a JSON object.");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"Cannot read Wav2Vec2 config '{path}': {e.Message}", e);
        }
        return FromJson(json, path);
    }

    public static Wav2Vec2Config FromJson(JsonObject json, string origin = "config.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        var type = json["model_type"]?.GetValue<string>();
        if (type is not null && type != "wav2vec2")
            throw new CheckpointException($"{origin} describes a '{type}' model, not 'wav2vec2'.");
        var d = new Wav2Vec2Config();
        try
        {
            return new Wav2Vec2Config
            {
                FeatExtractNorm = Get(json, "feat_extract_norm", d.FeatExtractNorm),
                DoStableLayerNorm = Get(json, "do_stable_layer_norm", d.DoStableLayerNorm),
                ConvBias = Get(json, "conv_bias", d.ConvBias),
                ConvDim = GetList(json, "conv_dim", d.ConvDim),
                ConvKernel = GetList(json, "conv_kernel", d.ConvKernel),
                ConvStride = GetList(json, "conv_stride", d.ConvStride),
                HiddenSize = Get(json, "hidden_size", d.HiddenSize),
                NumHiddenLayers = Get(json, "num_hidden_layers", d.NumHiddenLayers),
                NumAttentionHeads = Get(json, "num_attention_heads", d.NumAttentionHeads),
                IntermediateSize = Get(json, "intermediate_size", d.IntermediateSize),
                NumConvPosEmbeddings = Get(json, "num_conv_pos_embeddings", d.NumConvPosEmbeddings),
                NumConvPosEmbeddingGroups = Get(json, "num_conv_pos_embedding_groups", d.NumConvPosEmbeddingGroups),
                LayerNormEps = Get(json, "layer_norm_eps", d.LayerNormEps),
                HiddenDropout = Get(json, "hidden_dropout", d.HiddenDropout),
                AttentionDropout = Get(json, "attention_dropout", d.AttentionDropout),
                ActivationDropout = Get(json, "activation_dropout", d.ActivationDropout),
                FeatProjDropout = Get(json, "feat_proj_dropout", d.FeatProjDropout),
                FinalDropout = Get(json, "final_dropout", d.FinalDropout),
                ClassifierProjSize = Get(json, "classifier_proj_size", d.ClassifierProjSize),
                UseWeightedLayerSum = Get(json, "use_weighted_layer_sum", d.UseWeightedLayerSum),
                MaskTimeProb = Get(json, "mask_time_prob", d.MaskTimeProb),
                MaskFeatureProb = Get(json, "mask_feature_prob", d.MaskFeatureProb),
                Labels = ReadLabels(json),
                Source = (JsonObject)json.DeepClone(),
            }.Validate();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            throw new CheckpointException($"{origin} has a field of the wrong type: {e.Message}", e);
        }
    }

    /// <summary>The config as Hugging Face writes it, with id2label/label2id from <see cref="Labels"/>.</summary>
    public JsonObject ToJson()
    {
        var json = Source is null ? new JsonObject() : (JsonObject)Source.DeepClone();
        json["model_type"] = "wav2vec2";
        json["architectures"] = new JsonArray("Wav2Vec2ForSequenceClassification");
        json["feat_extract_norm"] = FeatExtractNorm;
        json["do_stable_layer_norm"] = DoStableLayerNorm;
        json["conv_bias"] = ConvBias;
        json["conv_dim"] = new JsonArray(ConvDim.Select(v => (JsonNode)v).ToArray());
        json["conv_kernel"] = new JsonArray(ConvKernel.Select(v => (JsonNode)v).ToArray());
        json["conv_stride"] = new JsonArray(ConvStride.Select(v => (JsonNode)v).ToArray());
        json["num_feat_extract_layers"] = ConvDim.Count;
        json["hidden_size"] = HiddenSize;
        json["num_hidden_layers"] = NumHiddenLayers;
        json["num_attention_heads"] = NumAttentionHeads;
        json["intermediate_size"] = IntermediateSize;
        json["num_conv_pos_embeddings"] = NumConvPosEmbeddings;
        json["num_conv_pos_embedding_groups"] = NumConvPosEmbeddingGroups;
        json["layer_norm_eps"] = LayerNormEps;
        json["hidden_dropout"] = HiddenDropout;
        json["attention_dropout"] = AttentionDropout;
        json["activation_dropout"] = ActivationDropout;
        json["feat_proj_dropout"] = FeatProjDropout;
        json["final_dropout"] = FinalDropout;
        json["classifier_proj_size"] = ClassifierProjSize;
        json["use_weighted_layer_sum"] = UseWeightedLayerSum;
        json["mask_time_prob"] = MaskTimeProb;
        json["mask_feature_prob"] = MaskFeatureProb;
        json["hidden_act"] = "gelu";
        json["feat_extract_activation"] = "gelu";
        json["num_labels"] = NumLabels;
        var id2Label = new JsonObject();
        var label2Id = new JsonObject();
        for (var i = 0; i < Labels.Count; i++)
        {
            id2Label[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Labels[i];
            label2Id[Labels[i]] = i;
        }
        json["id2label"] = id2Label;
        json["label2id"] = label2Id;
        return json;
    }

    private static string[] ReadLabels(JsonObject json)
    {
        if (json["id2label"] is JsonObject map && map.Count > 0)
            return map.Select(p => (Index: int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture), Name: p.Value!.GetValue<string>()))
                .OrderBy(p => p.Index).Select(p => p.Name).ToArray();
        var count = json["num_labels"]?.GetValue<int>() ?? 0;
        return Enumerable.Range(0, count).Select(i => $"LABEL_{i}").ToArray();
    }

    private static T Get<T>(JsonObject json, string key, T fallback) => json[key] is { } node ? node.GetValue<T>() : fallback;

    private static IReadOnlyList<int> GetList(JsonObject json, string key, IReadOnlyList<int> fallback) =>
        json[key] is JsonArray array ? array.Select(n => n!.GetValue<int>()).ToArray() : fallback;
}
