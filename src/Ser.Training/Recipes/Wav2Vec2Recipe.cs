using Ser.Core.Data;
using Ser.Core.Features;
using Ser.Core.Models;
using Ser.Core.Models.Wav2Vec2;
using Ser.Training.Optimizers;
using Ser.Training.Loops;
using TorchSharp;
using TorchSharp.Modules;
using Ser.Training.Runs;
using static TorchSharp.torch;

namespace Ser.Training.Recipes;

/// <summary>Fine-tuning Wav2Vec2 for sequence classification: feature encoder frozen by default, AdamW with separate
/// encoder and head learning rates, linear warm-up and decay, random crops. Base (group-norm) models are trained on
/// equal-length crops per batch (no padding, as they take no mask); stable models are padded and masked.</summary>
public sealed class Wav2Vec2Recipe : ITrainableModel
{
    private readonly Wav2Vec2ForSequenceClassification _model;
    private readonly double _maxSeconds;

    public Wav2Vec2Recipe(Wav2Vec2ForSequenceClassification model, string preset, ResolvedHyperParameters hyper, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(hyper);
        ArgumentNullException.ThrowIfNull(model);
        Device = device ?? CPU;
        _model = model;
        _model.to(Device);
        Preset = preset;
        _maxSeconds = hyper.MaxSeconds;
        if (hyper.FreezeBaseModel) model.FreezeBaseModel();
        else if (hyper.FreezeFeatureEncoder) model.FreezeFeatureEncoder();
    }

    public static ResolvedHyperParameters Defaults(HyperParameters h, ModelPreset preset)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(preset);
        if (preset.ReferenceOf is not null) return ReferenceStudy(h, preset);
        return new()
        {
            Epochs = h.Epochs ?? 10, BatchSize = h.BatchSize ?? 8, LearningRate = h.LearningRate ?? 1e-3,
            EncoderLearningRate = h.EncoderLearningRate ?? (preset.Name == "wav2vec2-tiny" ? 1e-3 : 3e-5), WeightDecay = h.WeightDecay ?? 0.01,
            WarmupFraction = h.WarmupFraction ?? 0.1, GradientClip = h.GradientClip ?? 1.0, GradientAccumulation = h.GradientAccumulation ?? 1,
            MaxSeconds = h.MaxSeconds ?? preset.MaxSeconds, Patience = h.Patience ?? 4, CheckpointEverySteps = h.CheckpointEverySteps ?? 200,
            ClassBalancedLoss = h.ClassBalancedLoss ?? false, Optimizer = h.Optimizer ?? OptimizerNames.AdamW,
            FreezeFeatureEncoder = h.FreezeFeatureEncoder ?? preset.Name != "wav2vec2-tiny", FreezeBaseModel = h.FreezeBaseModel ?? false,
            SpecAugmentMasks = 0, Seed = h.Seed, Precision = h.Precision ?? TrainingPrecision.Float32,
        };
    }

    // SEED.md: the HF Trainer's AdamW at 1.2565e-5 for the whole model (feature encoder included), weight decay 0.04, batch
    // 16, 8 epochs, linear decay without warm-up, gradient norm clipped at 1 (the Trainer's default).
    private static ResolvedHyperParameters ReferenceStudy(HyperParameters h, ModelPreset preset) => new()
    {
        Epochs = h.Epochs ?? 8, BatchSize = h.BatchSize ?? 16, LearningRate = h.LearningRate ?? 1.2565e-5,
        EncoderLearningRate = h.EncoderLearningRate ?? 1.2565e-5, WeightDecay = h.WeightDecay ?? 0.04, WarmupFraction = h.WarmupFraction ?? 0,
        GradientClip = h.GradientClip ?? 1.0, GradientAccumulation = h.GradientAccumulation ?? 1, MaxSeconds = h.MaxSeconds ?? preset.MaxSeconds,
        Patience = h.Patience ?? 0, CheckpointEverySteps = h.CheckpointEverySteps ?? 200, ClassBalancedLoss = h.ClassBalancedLoss ?? false,
        Optimizer = h.Optimizer ?? OptimizerNames.AdamW, FreezeFeatureEncoder = h.FreezeFeatureEncoder ?? false,
        FreezeBaseModel = h.FreezeBaseModel ?? false, SpecAugmentMasks = 0, Seed = h.Seed, Precision = h.Precision ?? TrainingPrecision.Float32,
    };

    public string Architecture => ModelArchitectures.Wav2Vec2;

    public string Preset { get; }

    public nn.Module Network => _model;

    public Wav2Vec2ForSequenceClassification Model => _model;

    public Device Device { get; }

    public (OptimizerHelper, IReadOnlyList<double>) CreateOptimizer(ResolvedHyperParameters hyper)
    {
        ArgumentNullException.ThrowIfNull(hyper);
        var groups = new List<(IEnumerable<Parameter>, double)>();
        var rates = new List<double>();
        var encoder = _model.EncoderParameters().ToArray();
        if (encoder.Length > 0 && hyper.EncoderLearningRate > 0)
        {
            groups.Add((encoder, hyper.EncoderLearningRate));
            rates.Add(hyper.EncoderLearningRate);
        }
        groups.Add((_model.HeadParameters(), hyper.LearningRate));
        rates.Add(hyper.LearningRate);
        return (new SafeAdamW(groups, hyper.WeightDecay), rates);
    }

    public TrainingBatch Collate(IReadOnlyList<(float[] Samples, int Label)> clips, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(random);
        var max = (int)(_maxSeconds * 16_000);
        var masked = _model.Config.FeatExtractNorm == "layer";
        var minimum = _model.Config.ReceptiveField;
        var length = masked
            ? Math.Min(max, RoundUp(clips.Max(c => c.Samples.Length)))
            : Math.Min(max, RoundDown(clips.Min(c => c.Samples.Length)));
        length = Math.Max(length, minimum);
        var inputs = new float[clips.Count * length];
        var lengths = new long[clips.Count];
        for (var i = 0; i < clips.Count; i++)
        {
            var samples = clips[i].Samples;
            var take = Math.Min(length, samples.Length);
            var start = samples.Length > take ? random.Next(samples.Length - take + 1) : 0;
            Wav2Vec2InputNormalizer.Normalize(samples.AsSpan(start, take), inputs.AsSpan(i * length, take));
            lengths[i] = Math.Max(take, minimum);
        }
        return new TrainingBatch(tensor(inputs, [clips.Count, length]), masked ? tensor(lengths) : null,
            tensor(clips.Select(c => (long)c.Label).ToArray()), clips.Count);
    }

    /// <summary>Batch lengths move in steps of 0.1 s: oneDNN compiles its kernels for each input shape, and with a fresh
    /// length in every batch that compilation took half of each step (68 against 119 clips/s for wav2vec2-tiny).</summary>
    public const int LengthStep = 1_600;

    private static int RoundDown(int samples) => samples >= LengthStep ? samples / LengthStep * LengthStep : samples;

    private static int RoundUp(int samples) => (samples + LengthStep - 1) / LengthStep * LengthStep;

    public Tensor Forward(TrainingBatch batch, nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return ((Wav2Vec2ForSequenceClassification)network).forward(batch.Inputs, batch.Lengths);
    }

    public nn.Module CreateTwin()
    {
        var twin = new Wav2Vec2ForSequenceClassification(_model.Config);
        twin.to(Device);
        return twin;
    }

    public IEmotionClassifier ToClassifier() => new Wav2Vec2EmotionClassifier(_model, Preset, Device, ownsModel: false);

    public void SaveModel(string directory) => Wav2Vec2Checkpoint.Save(_model, directory);

    public void Dispose() => _model.Dispose();
}
