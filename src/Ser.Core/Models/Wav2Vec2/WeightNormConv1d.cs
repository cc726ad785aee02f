using Ser.Core.Runtime;
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

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return nn.functional.conv1d(input, Weight(), bias, stride: 1, padding: _padding, dilation: 1, groups: _groups)
            .MoveToOuterDisposeScope();
    }

    private static Tensor NormExceptDim2(Tensor v) => v.pow(Scalars.OfInteger(2)).sum([0, 1], keepdim: true).sqrt();
}
