using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>An inference-only copy of a <see cref="ResNet18"/> in eval mode with every batch norm folded into
/// the convolution before it (w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε)): the same function with half the ops.
/// Built from the model's current weights; rebuild it after the model changes. On CPU it runs on oneDNN tensors
/// (<see cref="OneDnnTensors"/>: weights packed once, activations in oneDNN's layout from the first convolution to the
/// pooling) where libtorch allows, otherwise on plain tensors; both give the same function.</summary>
public sealed class FusedResNet18 : IDisposable
{
    private const double BatchNormEps = 1e-5;
    private readonly Dictionary<string, (Tensor Weight, Tensor Bias, long Stride, long Padding)> _convs = new(StringComparer.Ordinal);
    private readonly Tensor _fcWeight;
    private readonly Tensor _fcBias;
    private readonly ScalarType _dtype;
    private readonly bool _oneDnn;
    private readonly long _inChannels;

    /// <param name="dtype">Precision of the folded weights (folding itself is done in float32).</param>
    public FusedResNet18(ResNet18 model, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(model);
        _dtype = dtype;
        _oneDnn = UseOneDnn(model, dtype);
        using var guard = no_grad();
        var state = model.state_dict();
        _inChannels = state["conv1.weight"].shape[1];
        Fold(state, "conv1", "bn1", 2, 3);
        for (var stage = 1; stage <= 4; stage++)
            for (var block = 0; block < 2; block++)
            {
                var prefix = $"layer{stage}.{block}.";
                var stride = stage > 1 && block == 0 ? 2 : 1;
                Fold(state, prefix + "conv1", prefix + "bn1", stride, 1);
                Fold(state, prefix + "conv2", prefix + "bn2", 1, 1);
                if (state.ContainsKey(prefix + "downsample.0.weight")) Fold(state, prefix + "downsample.0", prefix + "downsample.1", stride, 0);
            }
        _fcWeight = state["fc.weight"].detach().to(dtype).clone();
        _fcBias = state["fc.bias"].detach().to(dtype).clone();
    }

    /// <summary>[batch, channels, mels, frames] → logits, equal to the source model's eval-mode forward.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        // Checked here because a libtorch error inside the oneDNN operators cannot be caught; the plain path reports it.
        var oneDnn = _oneDnn && input.device_type == DeviceType.CPU && input.dtype == _dtype && input.dim() == 4 && input.shape[1] == _inChannels;
        var x = Conv(oneDnn ? OneDnnTensors.FromDense(input) : input, "conv1", oneDnn).relu_();
        x = nn.functional.max_pool2d(x, 3, 2, 1);
        for (var stage = 1; stage <= 4; stage++)
            for (var block = 0; block < 2; block++)
            {
                var prefix = $"layer{stage}.{block}.";
                var h = Conv(x, prefix + "conv1", oneDnn).relu_();
                h = Conv(h, prefix + "conv2", oneDnn);
                var shortcut = _convs.ContainsKey(prefix + "downsample.0") ? Conv(x, prefix + "downsample.0", oneDnn) : x;
                x = h.add_(shortcut, Scalars.One).relu_();
            }
        x = nn.functional.adaptive_avg_pool2d(x, [1, 1]);
        if (oneDnn) x = OneDnnTensors.ToDense(x);
        return nn.functional.linear(x.flatten(1), _fcWeight, _fcBias).MoveToOuterDisposeScope();
    }

    private Tensor Conv(Tensor x, string name, bool oneDnn)
    {
        var (weight, bias, stride, padding) = _convs[name];
        return oneDnn
            ? OneDnnTensors.Conv2d(x, weight, bias, stride, padding)
            : nn.functional.conv2d(x, weight, bias, strides: [stride, stride], padding: [padding, padding]);
    }

    // oneDNN tensors are CPU-only; libtorch refuses bf16 ones on CPUs without AVX-512 (an error that would end the process
    // here), so bf16 takes this path only where oneDNN multiplies bf16 in hardware.
    private static bool UseOneDnn(ResNet18 model, ScalarType dtype) =>
        OneDnnTensors.IsAvailable && model.parameters().First().device_type == DeviceType.CPU
        && (dtype == ScalarType.Float32 || (dtype == ScalarType.BFloat16 && CpuInfo.Current.Bf16Kernels != CpuInfo.EmulatedBf16));

    private void Fold(Dictionary<string, Tensor> state, string conv, string bn, long stride, long padding)
    {
        using var scope = NewDisposeScope();
        var scale = state[bn + ".weight"] / state[bn + ".running_var"].add(Scalars.Of(BatchNormEps), Scalars.One).sqrt();
        var weight = state[conv + ".weight"] * scale.view(-1, 1, 1, 1);
        var bias = state[bn + ".bias"] - state[bn + ".running_mean"] * scale;
        weight = weight.to(_dtype).contiguous();
        bias = bias.to(_dtype).contiguous();
        if (_oneDnn)
        {
            weight = OneDnnTensors.PackConv2dWeight(weight, stride, padding);
            bias = OneDnnTensors.FromDense(bias);
        }
        _convs[conv] = (weight.DetachFromDisposeScope(), bias.DetachFromDisposeScope(), stride, padding);
    }

    public void Dispose()
    {
        foreach (var (w, b, _, _) in _convs.Values)
        {
            w.Dispose();
            b.Dispose();
        }
        _fcWeight.Dispose();
        _fcBias.Dispose();
    }
}
