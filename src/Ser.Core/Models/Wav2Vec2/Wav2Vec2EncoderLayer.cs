using Ser.Core.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Transformer block. Post-LN (base models: attention → add → norm → FF → add → norm) or, with
/// <c>do_stable_layer_norm</c>, pre-LN (norm → attention → add; norm → FF → add), as HF's two classes.</summary>
public sealed class Wav2Vec2EncoderLayer : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly Wav2Vec2Attention attention;
    private readonly Dropout dropout;
    private readonly LayerNorm layer_norm;
    private readonly Wav2Vec2FeedForward feed_forward;
    private readonly LayerNorm final_layer_norm;
    private readonly bool _preNorm;

    public Wav2Vec2EncoderLayer(Wav2Vec2Config config) : base(nameof(Wav2Vec2EncoderLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        attention = new Wav2Vec2Attention(config.HiddenSize, config.NumAttentionHeads, config.AttentionDropout);
        dropout = nn.Dropout(config.HiddenDropout);
        layer_norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        feed_forward = new Wav2Vec2FeedForward(config);
        final_layer_norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        _preNorm = config.DoStableLayerNorm;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor? keyMask)
    {
        using var scope = NewDisposeScope();
        Tensor result;
        if (_preNorm)
        {
            var h = x.add(DropoutKernel.Forward(dropout, attention.forward(layer_norm.forward(x), keyMask)), Scalars.One);
            result = h.add(feed_forward.forward(final_layer_norm.forward(h)), Scalars.One);
        }
        else
        {
            var h = layer_norm.forward(x.add(DropoutKernel.Forward(dropout, attention.forward(x, keyMask)), Scalars.One));
            result = final_layer_norm.forward(h.add(feed_forward.forward(h), Scalars.One));
        }
        return result.MoveToOuterDisposeScope();
    }
}
