using Ser.Core.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>HF <c>Wav2Vec2ForSequenceClassification</c>: backbone → (optional softmax-weighted sum of every
/// hidden state) → <c>projector</c> → mean over valid frames → <c>classifier</c>.</summary>
public sealed class Wav2Vec2ForSequenceClassification : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly Wav2Vec2Model wav2vec2;
    private readonly Linear projector;
    private readonly Linear classifier;
    private readonly Parameter? layer_weights;

    public Wav2Vec2ForSequenceClassification(Wav2Vec2Config config) : base(nameof(Wav2Vec2ForSequenceClassification))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.NumLabels == 0) throw new ArgumentException("The config names no labels (id2label).", nameof(config));
        Config = config;
        wav2vec2 = new Wav2Vec2Model(config);
        projector = nn.Linear(config.HiddenSize, config.ClassifierProjSize);
        classifier = nn.Linear(config.ClassifierProjSize, config.NumLabels);
        if (config.UseWeightedLayerSum)
            layer_weights = new Parameter(ones(config.NumHiddenLayers + 1).div(Scalars.OfInteger(config.NumHiddenLayers + 1)));
        RegisterComponents();
        Wav2Vec2Initializer.Apply(this);
    }

    public Wav2Vec2Config Config { get; }

    public Wav2Vec2Model Backbone => wav2vec2;

    /// <summary>Logits [batch, labels] for normalised inputs [batch, samples] and optional valid lengths [batch].</summary>
    public override Tensor forward(Tensor inputValues, Tensor? sampleLengths)
    {
        using var scope = NewDisposeScope();
        using var output = wav2vec2.Forward(inputValues, sampleLengths, allHiddenStates: layer_weights is not null);
        var hidden = layer_weights is null
            ? output.LastHiddenState
            : (stack(output.HiddenStates, 0) * layer_weights.softmax(0).view(-1, 1, 1, 1)).sum(dim: 0);
        var projected = projector.forward(hidden);
        Tensor pooled;
        if (output.FrameMask is null)
        {
            pooled = projected.mean(new long[] { 1 });
        }
        else
        {
            var mask = output.FrameMask.unsqueeze(-1).to_type(projected.dtype);
            pooled = (projected * mask).sum(dim: 1) / mask.sum(dim: 1).clamp_min(Scalars.Of(1));
        }
        return classifier.forward(pooled).MoveToOuterDisposeScope();
    }

    /// <summary>Readies a model that will only infer on CPU, after its weights are loaded: the feature encoder's conv
    /// weights are stored tap by tap (<see cref="Wav2Vec2FeatureEncoder.StoreWeightsTapMajor"/>), the positional
    /// conv's weight norm is computed once (<see cref="WeightNormConv1d.FreezeWeight"/>) and the backbone's linear
    /// weights are stored transposed (<see cref="LinearKernel.StoreTransposed"/>). Not for a model that will train: an
    /// optimizer's state and TorchSharp's save need contiguous parameters.</summary>
    public void PrepareForInference()
    {
        wav2vec2.FeatureEncoder.StoreWeightsTapMajor();
        wav2vec2.Encoder.PositionalConv.FreezeWeight();
        foreach (var linear in wav2vec2.modules().OfType<Linear>()) LinearKernel.StoreTransposed(linear);
    }

    /// <summary>Stops gradients into the conv feature encoder (the usual fine-tuning default).</summary>
    public void FreezeFeatureEncoder() => SetTrainable(wav2vec2.FeatureEncoder.parameters(), false);

    /// <summary>Stops gradients into the whole backbone (a linear probe on its features).</summary>
    public void FreezeBaseModel() => SetTrainable(wav2vec2.parameters(), false);

    /// <summary>Trainable backbone parameters (for their own learning rate).</summary>
    public IEnumerable<Parameter> EncoderParameters() => wav2vec2.parameters().Where(p => p.requires_grad);

    /// <summary>Trainable head parameters: projector, classifier, layer weights.</summary>
    public IEnumerable<Parameter> HeadParameters()
    {
        var backbone = wav2vec2.parameters().Select(p => p.Handle).ToHashSet();
        return parameters().Where(p => p.requires_grad && !backbone.Contains(p.Handle));
    }

    private static void SetTrainable(IEnumerable<Parameter> parameters, bool trainable)
    {
        foreach (var p in parameters) p.requires_grad = trainable;
    }
}
