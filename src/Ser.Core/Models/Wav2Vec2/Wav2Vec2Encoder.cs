using Ser.Core.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Positional conv embedding + transformer layers. Returns every hidden state in HF's
/// <c>output_hidden_states</c> convention: the input to each layer, then the final output
/// (after the closing layer norm in stable-layer-norm models).</summary>
public sealed class Wav2Vec2Encoder : nn.Module
{
    private readonly Wav2Vec2PositionalConvEmbedding pos_conv_embed;
    private readonly LayerNorm layer_norm;
    private readonly Dropout dropout;
    private readonly ModuleList<Wav2Vec2EncoderLayer> layers = new();
    private readonly bool _preNorm;

    /// <summary>The positional convolution (HF <c>pos_conv_embed</c>).</summary>
    public Wav2Vec2PositionalConvEmbedding PositionalConv => pos_conv_embed;

    public Wav2Vec2Encoder(Wav2Vec2Config config) : base(nameof(Wav2Vec2Encoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        pos_conv_embed = new Wav2Vec2PositionalConvEmbedding(config);
        layer_norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = nn.Dropout(config.HiddenDropout);
        for (var i = 0; i < config.NumHiddenLayers; i++) layers.Add(new Wav2Vec2EncoderLayer(config));
        _preNorm = config.DoStableLayerNorm;
        RegisterComponents();
    }

    /// <param name="hidden">[batch, frames, hidden].</param>
    /// <param name="frameMask">[batch, frames] bool, true for real frames; null when nothing is padded.</param>
    /// <param name="keepAllHiddenStates">False keeps only the last state (saves memory in inference).</param>
    public IReadOnlyList<Tensor> Forward(Tensor hidden, Tensor? frameMask, bool keepAllHiddenStates)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        using var scope = NewDisposeScope();
        Tensor? keyMask = null;
        if (frameMask is not null)
        {
            hidden = hidden.masked_fill(frameMask.logical_not().unsqueeze(-1), Scalars.Of(0.0));
            // Additive mask on keys, as HF: the dtype's most negative value where a frame is padding.
            keyMask = zeros(frameMask.shape[0], 1, 1, frameMask.shape[1], hidden.dtype, hidden.device)
                .masked_fill(frameMask.logical_not().view(frameMask.shape[0], 1, 1, -1), Scalars.Of(float.MinValue));
        }
        var x = hidden.add(pos_conv_embed.forward(hidden), Scalars.One);
        if (!_preNorm) x = layer_norm.forward(x);
        x = DropoutKernel.Forward(dropout, x);
        var states = new List<Tensor>();
        foreach (var layer in layers)
        {
            if (keepAllHiddenStates) states.Add(x);
            x = layer.forward(x, keyMask);
        }
        if (_preNorm) x = layer_norm.forward(x);
        states.Add(x);
        foreach (var s in states) s.MoveToOuterDisposeScope();
        return states;
    }
}
