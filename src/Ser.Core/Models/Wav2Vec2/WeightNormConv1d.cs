using Ser.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Grouped Conv1d with weight normalisation over dim 2, as <c>weight_norm(conv, dim=2)</c>:
/// weight = g · v / ‖v‖, the norm taken over output and input channels for each kernel tap.
/// Keys <c>weight_g</c> [1, 1, kernel], <c>weight_v</c> [out, in/groups, kernel], <c>bias</c>.</summary>
public sealed class WeightNormConv1d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight_g;
    private readonly Parameter weight_v;
    private readonly Parameter bias;
    private readonly long _padding;
    private readonly long _groups;

    public WeightNormConv1d(int channels, int kernel, int groups, int padding) : base(nameof(WeightNormConv1d))
    {
        using var scope = NewDisposeScope();
        var v = empty(channels, channels / groups, kernel);
        // PyTorch's Conv1d default init, then g = ‖v‖ so the initial weight equals v (as weight_norm does).
        nn.init.kaiming_uniform_(v, Math.Sqrt(5));
        var bound = 1 / Math.Sqrt(channels / groups * kernel);
        // A Parameter takes over its tensor's handle, so g is computed before v is wrapped.
        weight_g = new Parameter(NormExceptDim2(v).DetachFromDisposeScope());
        weight_v = new Parameter(v.DetachFromDisposeScope());
        bias = new Parameter(empty(channels).uniform_(-bound, bound).DetachFromDisposeScope());
        (_padding, _groups) = (padding, groups);
        RegisterComponents();
    }

    /// <summary>HF's init for the positional conv: v ~ N(0, 2/√(kernel · in_channels)), g = ‖v‖, bias 0.</summary>
    public void Reinitialize()
    {
        using var guard = no_grad();
        var std = 2 * Math.Sqrt(1.0 / (weight_v.shape[2] * weight_v.shape[1] * _groups));
        weight_v.normal_(0, std);
        using var norm = NormExceptDim2(weight_v);
        weight_g.copy_(norm);
        bias.zero_();
    }

    public Tensor Weight()
    {
        using var scope = NewDisposeScope();
        return (weight_v * (weight_g / NormExceptDim2(weight_v))).MoveToOuterDisposeScope();
    }

    /// <summary>[batch, channels, time] → [batch, channels, time + 2·padding − kernel + 1].</summary>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var weight = Weight();
        var x = UseChannelsLast(input)
            ? nn.functional.conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, strides: [1, 1], padding: [0, _padding],
                dilation: [1, 1], groups: _groups).squeeze(2)
            : nn.functional.conv1d(input, weight, bias, stride: 1, padding: _padding, dilation: 1, groups: _groups);
        return x.MoveToOuterDisposeScope();
    }

    // On CPU, as a 2-D convolution over [batch, channels, 1, time] with the input channels-last in memory (the
    // encoder's [batch, time, channels] transposed), oneDNN runs its brgemm kernel instead of im2col + gemm: 1.2× faster
    // at 400 frames, 1.3× (fp32) and 1.5× (bf16) at 1,500 (Zen 4). It reorders the weight each call (~1 ms), which
    // costs more than it gains below ~200 frames (4 s). Same function either way.
    private const long ChannelsLastMinFrames = 200;

    private static bool UseChannelsLast(Tensor input) =>
        input.device_type == DeviceType.CPU && input.dim() == 3 && input.shape[2] >= ChannelsLastMinFrames && input.stride(1) == 1;

    private static Tensor NormExceptDim2(Tensor v) => v.pow(Scalars.OfInteger(2)).sum([0, 1], keepdim: true).sqrt();
}
