using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>One block of the conv feature encoder: conv → (group norm | layer norm over channels | none) → GELU.
/// Keys: <c>conv.weight</c>, <c>conv.bias</c>, <c>layer_norm.*</c> (HF names its GroupNorm layer_norm too).</summary>
public sealed class Wav2Vec2ConvLayer : nn.Module<Tensor, Tensor>
{
    private readonly Conv1d conv;
    private readonly nn.Module<Tensor, Tensor>? layer_norm;
    private readonly bool _channelLayerNorm;

    public enum Norm { None, Group, Layer }

    public Wav2Vec2ConvLayer(int inChannels, int outChannels, int kernel, int stride, bool bias, Norm norm, double eps = 1e-5)
        : base(nameof(Wav2Vec2ConvLayer))
    {
        conv = nn.Conv1d(inChannels, outChannels, kernel, stride: stride, bias: bias);
        layer_norm = norm switch
        {
            Norm.Group => nn.GroupNorm(outChannels, outChannels, eps, affine: true),
            Norm.Layer => nn.LayerNorm(outChannels, eps),
            _ => null,
        };
        _channelLayerNorm = norm == Norm.Layer;
        RegisterComponents();
    }

    /// <summary>[batch, channels, time] → [batch, out_channels, frames].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = conv.forward(input);
        if (layer_norm is not null)
            x = _channelLayerNorm ? layer_norm.forward(x.transpose(-2, -1)).transpose(-2, -1) : layer_norm.forward(x);
        return nn.functional.gelu(x).MoveToOuterDisposeScope();
    }
}
