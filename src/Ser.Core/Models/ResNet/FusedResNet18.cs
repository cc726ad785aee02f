using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>An inference-only copy of a <see cref="ResNet18"/> in eval mode with every batch norm folded into
/// the convolution before it (w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε)): the same function with half the ops.
/// Built from the model's current weights; rebuild it after the model changes.</summary>
public sealed class FusedResNet18 : IDisposable
{
    private const double BatchNormEps = 1e-5;
    private readonly Dictionary<string, (Tensor Weight, Tensor Bias)> _convs = new(StringComparer.Ordinal);
    private readonly Tensor _fcWeight;
    private readonly Tensor _fcBias;
    private readonly ScalarType _dtype;

    /// <param name="dtype">Precision of the folded weights (folding itself is done in float32).</param>
    public FusedResNet18(ResNet18 model, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(model);
        _dtype = dtype;
        using var guard = no_grad();
        var state = model.state_dict();
        Fold(state, "conv1", "bn1");
        for (var stage = 1; stage <= 4; stage++)
            for (var block = 0; block < 2; block++)
            {
                var prefix = $"layer{stage}.{block}.";
                Fold(state, prefix + "conv1", prefix + "bn1");
                Fold(state, prefix + "conv2", prefix + "bn2");
                if (state.ContainsKey(prefix + "downsample.0.weight")) Fold(state, prefix + "downsample.0", prefix + "downsample.1");
            }
        _fcWeight = state["fc.weight"].detach().to(dtype).clone();
        _fcBias = state["fc.bias"].detach().to(dtype).clone();
    }

    /// <summary>[batch, channels, mels, frames] → logits, equal to the source model's eval-mode forward.</summary>
    public Tensor Forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = Conv(input, "conv1", 2, 3).relu_();
        x = nn.functional.max_pool2d(x, 3, 2, 1);
        for (var stage = 1; stage <= 4; stage++)
            for (var block = 0; block < 2; block++)
            {
                var prefix = $"layer{stage}.{block}.";
                var stride = stage > 1 && block == 0 ? 2 : 1;
                var h = Conv(x, prefix + "conv1", stride, 1).relu_();
                h = Conv(h, prefix + "conv2", 1, 1);
                var shortcut = _convs.ContainsKey(prefix + "downsample.0") ? Conv(x, prefix + "downsample.0", stride, 0) : x;
                x = h.add_(shortcut, Scalars.One).relu_();
            }
        x = nn.functional.adaptive_avg_pool2d(x, [1, 1]).flatten(1);
        return nn.functional.linear(x, _fcWeight, _fcBias).MoveToOuterDisposeScope();
    }

    private Tensor Conv(Tensor x, string name, long stride, long padding)
    {
        var (weight, bias) = _convs[name];
        return nn.functional.conv2d(x, weight, bias, strides: [stride, stride], padding: [padding, padding]);
    }

    private void Fold(Dictionary<string, Tensor> state, string conv, string bn)
    {
        using var scope = NewDisposeScope();
        var scale = state[bn + ".weight"] / state[bn + ".running_var"].add(Scalars.Of(BatchNormEps), Scalars.One).sqrt();
        var weight = state[conv + ".weight"] * scale.view(-1, 1, 1, 1);
        var bias = state[bn + ".bias"] - state[bn + ".running_mean"] * scale;
        _convs[conv] = (weight.to(_dtype).contiguous().DetachFromDisposeScope(), bias.to(_dtype).contiguous().DetachFromDisposeScope());
    }

    public void Dispose()
    {
        foreach (var (w, b) in _convs.Values)
        {
            w.Dispose();
            b.Dispose();
        }
        _fcWeight.Dispose();
        _fcBias.Dispose();
    }
}
