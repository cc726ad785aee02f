using Ser.Core.Models.Checkpoints;
using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>The Wav2Vec2 backbone (HF <c>Wav2Vec2Model</c>): conv feature encoder → feature projection →
/// transformer encoder. Field names are the checkpoint keys under the <c>wav2vec2.</c> prefix.</summary>
public sealed class Wav2Vec2Model : nn.Module, IOptionalState
{
    private readonly Wav2Vec2FeatureEncoder feature_extractor;
    private readonly Wav2Vec2FeatureProjection feature_projection;
    private readonly Wav2Vec2Encoder encoder;

    public Wav2Vec2Model(Wav2Vec2Config config) : base(nameof(Wav2Vec2Model))
    {
        Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        feature_extractor = new Wav2Vec2FeatureEncoder(config);
        feature_projection = new Wav2Vec2FeatureProjection(config);
        encoder = new Wav2Vec2Encoder(config);
        RegisterComponents();
        if (config.HasMaskedSpecEmbed)
        {
            // HF's SpecAugment fill, unused by Ser: a buffer, so no optimizer sees it, carried from checkpoint to
            // saved folder, owned by the module whatever scope builds it. A fresh one is U(0, 1) as in HF, drawn from its
            // own generator so seeded inits stay as they were.
            using var generator = new Generator(0);
            register_buffer(MaskedSpecEmbedKey, empty(config.HiddenSize).uniform_(0, 1, generator).DetachFromDisposeScope());
        }
    }

    /// <summary>The name of HF's <c>masked_spec_embed</c> in this module (folders Ser saved before 2026-12 lack it).</summary>
    public const string MaskedSpecEmbedKey = "masked_spec_embed";

    // Checkpoints and training checkpoints saved before Ser kept it load with a fresh one.
    IEnumerable<string> IOptionalState.OptionalStateKeys => Config.HasMaskedSpecEmbed ? [MaskedSpecEmbedKey] : [];

    public Wav2Vec2Config Config { get; }

    public Wav2Vec2FeatureEncoder FeatureEncoder => feature_extractor;

    public Wav2Vec2Encoder Encoder => encoder;

    /// <param name="inputValues">[batch, samples], normalised per clip (see Wav2Vec2InputNormalizer).</param>
    /// <param name="sampleLengths">Valid samples per clip [batch] (int64), or null when nothing is padded.</param>
    /// <param name="allHiddenStates">Keep every layer's hidden state (needed for the weighted layer sum).</param>
    /// <exception cref="ArgumentException">Fewer samples than the receptive field (checked by the feature encoder).</exception>
    public Wav2Vec2Output Forward(Tensor inputValues, Tensor? sampleLengths = null, bool allHiddenStates = false)
    {
        ArgumentNullException.ThrowIfNull(inputValues);
        using var scope = NewDisposeScope();
        var conv = feature_extractor.forward(inputValues);
        var mask = sampleLengths is null ? null : FrameMask(sampleLengths, conv.shape[1]);
        var hidden = feature_projection.forward(conv);
        var states = encoder.Forward(hidden, mask, allHiddenStates);
        conv.MoveToOuterDisposeScope();
        mask?.MoveToOuterDisposeScope();
        foreach (var s in states) s.MoveToOuterDisposeScope();
        return new Wav2Vec2Output(conv, states, mask);
    }

    /// <summary>Frames per clip for sample lengths [batch] (int64): <see cref="Wav2Vec2Config.FrameCount"/> of each.</summary>
    public Tensor FrameLengths(Tensor sampleLengths)
    {
        ArgumentNullException.ThrowIfNull(sampleLengths);
        using var scope = NewDisposeScope();
        var frames = sampleLengths.to_type(ScalarType.Int64).cpu().contiguous().data<long>().Select(Config.FrameCount).ToArray();
        return tensor(frames, device: sampleLengths.device).MoveToOuterDisposeScope();
    }

    private Tensor FrameMask(Tensor sampleLengths, long frames)
    {
        using var scope = NewDisposeScope();
        var lengths = FrameLengths(sampleLengths).to(sampleLengths.device);
        using var stop = frames.ToScalar(); // one per call, held until the op returns
        return arange(Scalars.OfInteger(0), stop, Scalars.One, device: lengths.device).unsqueeze(0).lt(lengths.unsqueeze(1)).MoveToOuterDisposeScope();
    }
}
