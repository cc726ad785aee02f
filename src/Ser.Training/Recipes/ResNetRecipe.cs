using Ser.Core.Data;
using Ser.Core.Features;
using Ser.Core.Models;
using Ser.Core.Models.ResNet;
using Ser.Core.Runtime;
using Ser.Training.Optimizers;
using Ser.Training.Loops;
using TorchSharp;
using TorchSharp.Modules;
using Ser.Training.Runs;
using static TorchSharp.torch;

namespace Ser.Training.Recipes;

/// <summary>ResNet18 on log-mel spectrograms: one random window per clip (the serving policy of
/// <see cref="SpectrogramWindows"/>), SpecAugment time and frequency masks, AdamW or SGD with cosine decay.</summary>
public sealed class ResNetRecipe : ITrainableModel
{
    private readonly ResNet18 _model;
    private readonly ResNetSpec _spec;
    private readonly LogMelSpectrogram _frontEnd;
    private readonly int _masks;

    public ResNetRecipe(ResNet18 model, ResNetSpec spec, string preset, ResolvedHyperParameters hyper, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(hyper);
        ArgumentNullException.ThrowIfNull(model);
        (_model, _spec, Preset, _masks) = (model, spec, preset, hyper.SpecAugmentMasks);
        Device = device ?? CPU;
        _model.to(Device);
        _frontEnd = new LogMelSpectrogram(spec.FrontEnd);
    }

    public static ResolvedHyperParameters Defaults(HyperParameters h, ModelPreset preset)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(preset);
        var study = preset.ReferenceOf is not null; // SEED.md: Adam 1e-4, weight decay 1e-5, batch 128, 10 epochs, no augmentation
        return new()
        {
            Epochs = h.Epochs ?? (study ? 10 : 15), BatchSize = h.BatchSize ?? (study ? 128 : 32), LearningRate = h.LearningRate ?? (study ? 1e-4 : 1e-3),
            EncoderLearningRate = 0, WeightDecay = h.WeightDecay ?? (study ? 1e-5 : 1e-4), WarmupFraction = h.WarmupFraction ?? (study ? 0 : 0.05),
            GradientClip = h.GradientClip ?? (study ? 0 : 5.0), GradientAccumulation = h.GradientAccumulation ?? 1, MaxSeconds = h.MaxSeconds ?? preset.MaxSeconds,
            Patience = h.Patience ?? (study ? 0 : 5), CheckpointEverySteps = h.CheckpointEverySteps ?? 200, ClassBalancedLoss = h.ClassBalancedLoss ?? false,
            Optimizer = h.Optimizer ?? OptimizerNames.AdamW, FreezeFeatureEncoder = false, FreezeBaseModel = false,
            SpecAugmentMasks = h.SpecAugmentMasks ?? (study ? 0 : 2), Seed = h.Seed, Precision = h.Precision ?? TrainingPrecision.Float32,
        };
    }

    public string Architecture => ModelArchitectures.ResNet18;

    public string Preset { get; }

    public nn.Module Network => _model;

    public ResNet18 Model => _model;

    public Device Device { get; }

    public (OptimizerHelper, IReadOnlyList<double>) CreateOptimizer(ResolvedHyperParameters hyper)
    {
        ArgumentNullException.ThrowIfNull(hyper);
        var parameters = _model.parameters().Where(p => p.requires_grad).ToArray();
        OptimizerHelper optimizer = hyper.Optimizer == OptimizerNames.Sgd
            ? new SafeSgd(parameters, hyper.LearningRate, momentum: 0.9, weightDecay: hyper.WeightDecay, nesterov: true)
            : new SafeAdamW([(parameters, hyper.LearningRate)], hyper.WeightDecay);
        return (optimizer, [hyper.LearningRate]);
    }

    public TrainingBatch Collate(IReadOnlyList<(float[] Samples, int Label)> clips, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(random);
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var window = _spec.WindowFrames;
        var planes = new List<Tensor>();
        foreach (var (samples, _) in clips)
        {
            var normalized = SpectrogramWindows.Normalize(_frontEnd.ComputeClip(samples));
            var frames = normalized.shape[1];
            var start = frames > window ? random.Next((int)(frames - window + 1)) : 0;
            planes.Add(SpecAugment(SpectrogramWindows.Window(normalized, start, window), random));
        }
        var inputs = stack(planes, 0).unsqueeze(1);
        if (_model.InChannels == 3) inputs = inputs.expand(-1, 3, -1, -1).contiguous();
        return new TrainingBatch(inputs.DetachFromDisposeScope(), null,
            tensor(clips.Select(c => (long)c.Label).ToArray()).DetachFromDisposeScope(), clips.Count);
    }

    // SpecAugment (Park et al. 2019): masks of up to 15 % of the frames and of the mel bands, filled with 0 (the mean).
    private Tensor SpecAugment(Tensor plane, DeterministicRandom random)
    {
        var (mels, frames) = ((int)plane.shape[0], (int)plane.shape[1]);
        var masked = plane.clone();
        for (var m = 0; m < _masks; m++)
        {
            var f = random.Next(Math.Max(1, mels * 15 / 100) + 1);
            var f0 = random.Next(Math.Max(1, mels - f + 1));
            if (f > 0) masked[TensorIndex.Slice(f0, f0 + f), TensorIndex.Colon].fill_(Scalars.Of(0));
            var t = random.Next(Math.Max(1, frames * 15 / 100) + 1);
            var t0 = random.Next(Math.Max(1, frames - t + 1));
            if (t > 0) masked[TensorIndex.Colon, TensorIndex.Slice(t0, t0 + t)].fill_(Scalars.Of(0));
        }
        return masked;
    }

    public Tensor Forward(TrainingBatch batch, nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return ((ResNet18)network).forward(batch.Inputs);
    }

    public nn.Module CreateTwin()
    {
        var twin = new ResNet18(_model.NumClasses, _model.InChannels, _model.BaseWidth);
        twin.to(Device);
        return twin;
    }

    public IEmotionClassifier ToClassifier() =>
        new ResNetEmotionClassifier(_model, _spec, EmotionLabels.All, Preset, Device, ownsModel: false);

    public void SaveModel(string directory) => ResNetModelFolder.Save(_model,
        new ResNetModelFolder.Description(Preset, _spec.BaseWidth, _spec.InChannels, _spec.FrontEnd, _spec.WindowSeconds, EmotionLabels.All),
        directory);

    public void Dispose()
    {
        _model.Dispose();
        _frontEnd.Dispose();
    }
}
