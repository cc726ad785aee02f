using Ser.Core.Data;
using Ser.Core.Features;
using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Inference with a <see cref="Wav2Vec2ForSequenceClassification"/>. Group-norm (base) models take no
/// attention mask, so clips are batched only with clips of the same length; layer-norm (stable) models are
/// padded and masked. Either way a clip's result does not depend on its batch neighbours.</summary>
public sealed class Wav2Vec2EmotionClassifier : IEmotionClassifier
{
    private readonly Wav2Vec2ForSequenceClassification _model;
    private readonly Device _device;
    private readonly int[] _labelMap;
    private readonly bool _usesMask;
    private readonly ScalarType _dtype;
    private readonly bool _ownsModel;

    /// <param name="model">Disposed with this classifier unless <paramref name="ownsModel"/> is false (a trainer's
    /// validation view; the model is switched to eval mode either way).</param>
    public Wav2Vec2EmotionClassifier(Wav2Vec2ForSequenceClassification model, string preset, Device? device = null, int maxBatch = 16,
        InferencePrecision precision = InferencePrecision.Float32, bool ownsModel = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        _device = device ?? CPU;
        _model = model;
        Precision = precision;
        _ownsModel = ownsModel;
        _dtype = precision == InferencePrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        _model.to(_device);
        if (_dtype != ScalarType.Float32) _model.to(_dtype);
        _model.eval();
        if (ownsModel && _device.type == DeviceType.CPU) _model.PrepareForInference();
        Preset = preset;
        MaxBatch = Math.Max(1, maxBatch);
        _usesMask = model.Config.FeatExtractNorm == "layer";
        _labelMap = EmotionLabels.MapModelLabels(model.Config.Labels);
        LabelsSupported = EmotionLabels.All.Where((_, i) => _labelMap[i] >= 0).ToArray();
        ParameterCount = model.parameters().Sum(p => p.numel());
    }

    public string Architecture => ModelArchitectures.Wav2Vec2;

    public string Preset { get; }

    public IReadOnlyList<string> ModelLabels => _model.Config.Labels;

    public IReadOnlyList<string> LabelsSupported { get; }

    public long ParameterCount { get; }

    public string DeviceName => _device.ToString();

    public int MaxBatch { get; }

    public InferencePrecision Precision { get; }

    public int MinSamples => _model.Config.ReceptiveField;

    public Wav2Vec2ForSequenceClassification Model => _model;

    public IReadOnlyList<float[]> PredictBatch(IReadOnlyList<ReadOnlyMemory<float>> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        var results = new float[clips.Count][];
        // Clips shorter than one frame's receptive field are zero-padded (after normalisation, i.e. with the clip's
        // mean) so every clip yields at least one frame.
        var lengths = clips.Select((clip, i) => clip.IsEmpty
            ? throw new ArgumentException($"Clip {i} is empty.", nameof(clips))
            : Math.Max(clip.Length, MinSamples)).ToArray();
        var groups = _usesMask
            ? lengths.Select((x, i) => i).OrderBy(i => lengths[i]).Chunk(MaxBatch)
            : lengths.Select((x, i) => i).GroupBy(i => lengths[i]).SelectMany(g => g.Chunk(MaxBatch));
        using var mode = inference_mode();
        foreach (var group in groups)
        {
            using var scope = NewDisposeScope();
            var longest = group.Max(i => lengths[i]);
            var batch = zeros(group.Length, longest);
            // Normalised straight into the batch (HF's feature extractor, per clip): no managed copy of a window.
            for (var b = 0; b < group.Length; b++)
            {
                using var row = batch[b];
                Wav2Vec2InputNormalizer.Normalize(clips[group[b]].Span, HostTensors.AsSpan(row));
            }
            var sizes = _usesMask ? tensor(group.Select(i => (long)lengths[i]).ToArray()).to(_device) : null;
            var probabilities = _model.forward(batch.to(_dtype, _device), sizes).to(ScalarType.Float32).softmax(-1).cpu();
            for (var b = 0; b < group.Length; b++)
                results[group[b]] = EmotionLabels.Reorder(probabilities[b].data<float>().ToArray(), _labelMap);
        }
        return results;
    }

    public void Dispose()
    {
        if (_ownsModel) _model.Dispose();
    }
}
