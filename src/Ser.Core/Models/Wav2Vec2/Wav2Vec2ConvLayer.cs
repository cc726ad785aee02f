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
    private readonly long _kernel;
    private readonly long _stride;

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
        (_kernel, _stride) = (kernel, stride);
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

    /// <summary>Whether <see cref="ForwardFrames"/> computes this layer: every norm but the group norm, whose statistics
    /// run over time.</summary>
    public bool RunsOnFrames => layer_norm is null || _channelLayerNorm;

    /// <summary>The same layer on time-major input: [batch, time, channels] → [batch, frames, out_channels], both
    /// contiguous. Each output frame's window of <c>kernel</c> input frames is one row of a strided view of the input,
    /// so the convolution is one matrix product with the weight as [out, kernel·in].</summary>
    public Tensor ForwardFrames(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!RunsOnFrames) throw new InvalidOperationException("A group-normalised layer normalises over time; use forward.");
        using var scope = NewDisposeScope();
        var rows = input.contiguous();
        var (batch, time, channels) = (rows.shape[0], rows.shape[1], rows.shape[2]);
        var frames = (time - _kernel) / _stride + 1;
        var windows = rows.as_strided([batch, frames, _kernel * channels], [time * channels, _stride * channels, 1],
            rows.storage_offset());
        var weight = conv.weight.permute(0, 2, 1).reshape(conv.weight.shape[0], _kernel * channels);
        var x = nn.functional.linear(windows, weight, conv.bias);
        if (layer_norm is not null) x = layer_norm.forward(x);
        return (is_grad_enabled() ? nn.functional.gelu(x) : x.gelu_()).MoveToOuterDisposeScope();
    }
}
