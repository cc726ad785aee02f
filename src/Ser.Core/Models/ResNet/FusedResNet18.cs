using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>An inference-only copy of a <see cref="ResNet18"/> in eval mode with every batch norm folded into
/// the convolution before it (w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε)): the same function with half the ops.
/// Built from the model's current weights; rebuild it after the model changes. On CPU it runs on oneDNN's fused
/// convolutions (<see cref="ResNet18OneDnn"/>) where libtorch has them, otherwise on plain tensors; both give the same
/// function. Safe for concurrent callers.</summary>
public sealed class FusedResNet18 : IDisposable
{
    private const double BatchNormEps = 1e-5;

    // Weights are packed per input size (oneDNN picks its kernels, and so the weights' layout, by shape): one pack for
    // single clips and one, made for 8, for batches (at 8, weights packed for 1 made one layer repack per call: 3.7 ms).
    private const int BatchedPackSize = 8;

    // Window sizes a model meets are few (its own, a test's); past this many, the nearest pack serves (still exact).
    private const int MaxPacks = 4;

    // Ser's kernels split work on .NET's thread pool, libtorch's on OpenMP threads that spin for a while after each
    // forward: timed back to back, each would run beside the other's spinning threads.
    private static readonly TimeSpan ChoiceSettle = TimeSpan.FromMilliseconds(20);

    private readonly List<(Tensor Weight, Tensor Bias, long Stride, long Padding)> _convs = [];
    private readonly Tensor[] _biases;
    private readonly Dictionary<(bool Batched, long Height, long Width), Lazy<Tensor[]>> _packs = [];
    private readonly Tensor _fcWeight;
    private readonly Tensor _fcBias;
    private readonly ScalarType _dtype;
    private readonly long _inChannels;
    private readonly ResNet18Direct? _direct;

    /// <param name="dtype">Precision of the folded weights (folding itself is done in float32).</param>
    public FusedResNet18(ResNet18 model, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(model);
        _dtype = dtype;
        RunsOnOneDnn = UseOneDnn(model, dtype);
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
                // ResNet18 has a downsample exactly where a block halves the resolution (torchvision's layout).
                if (stride == 2) Fold(state, prefix + "downsample.0", prefix + "downsample.1", stride, 0);
            }
        _biases = [.. _convs.Select(c => c.Bias)];
        _fcWeight = state["fc.weight"].detach().to(dtype).clone();
        _fcBias = state["fc.bias"].detach().to(dtype).clone();
        if (dtype == ScalarType.Float32 && model.parameters().First().device_type == DeviceType.CPU)
            _direct = ResNet18Direct.TryCreate(_convs, _fcWeight, _fcBias);
    }

    /// <summary>Whether CPU inputs of this precision run on oneDNN's fused convolutions.</summary>
    public bool RunsOnOneDnn { get; }

    /// <summary>[batch, channels, mels, frames] → logits, equal to the source model's eval-mode forward.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var onCpu = input.device_type == DeviceType.CPU && input.dtype == _dtype && input.dim() == 4 && input.shape[1] == _inChannels;
        var logits = _direct is not null && onCpu && UsesDirect(input) ? _direct.Forward(input) : LibTorchForward(input);
        return logits.MoveToOuterDisposeScope();

        // Ser's kernels against libtorch's, timed once per input size in this process (MeasuredChoice): faster on
        // AMD Zen 5, where oneDNN's direct kernels fall behind; libtorch's stay wherever they win. The key names the
        // widths: a wider model loaded beside this one times its own layers.
        bool UsesDirect(Tensor x) => MeasuredChoice.PrefersSecond(
            $"resnet18 width {_convs[0].Weight.shape[0]} {_inChannels}x{x.shape[2]}x{x.shape[3]} {(x.shape[0] > 1 ? "batched" : "single")} Ser kernels",
            () => x.alias(), LibTorchForward, _direct.Forward, ChoiceSettle);
    }

    /// <summary><see cref="Forward"/> on libtorch's kernels (oneDNN's fused convolutions where <see cref="RunsOnOneDnn"/>)
    /// whatever was measured faster (tests, benchmarks).</summary>
    public Tensor ForwardOnLibTorch(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        return LibTorchForward(input).MoveToOuterDisposeScope();
    }

    private Tensor LibTorchForward(Tensor x) =>
        RunsOnOneDnn && x.device_type == DeviceType.CPU && x.dtype == _dtype && x.dim() == 4 && x.shape[1] == _inChannels
            ? ResNet18OneDnn.Forward(x, PacksFor(x), _biases, _fcWeight, _fcBias)
            : PlainForward(x);

    /// <summary>Whether Ser's own convolutions can run this copy (float32 on a CPU with AVX-512, or AVX2 and FMA, every layer's
    /// width a multiple of 64); <see cref="Forward"/> then uses them for an input size where they were faster.</summary>
    public bool HasSerKernels => _direct is not null;

    /// <summary><see cref="Forward"/> on Ser's own convolutions whatever was measured faster (tests, benchmarks).</summary>
    /// <exception cref="NotSupportedException">Not <see cref="HasSerKernels"/>, or the input is not float32 [batch,
    /// channels, mels, frames] on CPU.</exception>
    public Tensor ForwardOnSerKernels(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_direct is null || input.device_type != DeviceType.CPU || input.dtype != ScalarType.Float32 || input.dim() != 4 || input.shape[1] != _inChannels)
            throw new NotSupportedException("Ser's kernels run float32 CPU inputs of a copy whose layers they support (HasSerKernels).");
        using var scope = NewDisposeScope();
        return _direct.Forward(input).MoveToOuterDisposeScope();
    }

    private Tensor PlainForward(Tensor input)
    {
        var x = Conv(input, 0).relu_();
        x = nn.functional.max_pool2d(x, 3, 2, 1);
        var i = 1;
        for (var stage = 1; stage <= 4; stage++)
            for (var block = 0; block < 2; block++)
            {
                var downsample = stage > 1 && block == 0;
                var h = Conv(Conv(x, i).relu_(), i + 1);
                x = h.add_(downsample ? Conv(x, i + 2) : x, Scalars.One).relu_();
                i += downsample ? 3 : 2;
            }
        x = nn.functional.adaptive_avg_pool2d(x, [1, 1]);
        return nn.functional.linear(x.flatten(1), _fcWeight, _fcBias);
    }

    private Tensor Conv(Tensor x, int index)
    {
        var (weight, bias, stride, padding) = _convs[index];
        return nn.functional.conv2d(x, weight, bias, strides: [stride, stride], padding: [padding, padding]);
    }

    private Tensor[] PacksFor(Tensor input)
    {
        var key = (Batched: input.shape[0] > 1, Height: input.shape[2], Width: input.shape[3]);
        Lazy<Tensor[]> packs;
        lock (_packs)
        {
            if (!_packs.TryGetValue(key, out packs!))
            {
                if (_packs.Count < MaxPacks) _packs[key] = packs = new(() => Pack(key.Batched ? BatchedPackSize : 1, key.Height, key.Width));
                else packs = _packs.FirstOrDefault(p => p.Key.Batched == key.Batched).Value ?? _packs.First().Value;
            }
        }
        try
        {
            return packs.Value;
        }
        catch
        {
            // A failed pack (say, out of memory) is not kept: the next call tries again.
            lock (_packs)
                if (_packs.TryGetValue(key, out var kept) && ReferenceEquals(kept, packs)) _packs.Remove(key);
            throw;
        }
    }

    private Tensor[] Pack(long batch, long height, long width)
    {
        using var scope = NewDisposeScope();
        var packed = ResNet18OneDnn.Pack([.. _convs.Select(c => c.Weight)], batch, height, width);
        foreach (var p in packed) p.DetachFromDisposeScope();
        return packed;
    }

    // The fused convolutions are CPU-only; libtorch refuses bf16 ones on CPUs without AVX-512, so bf16 takes this path
    // only where oneDNN multiplies bf16 in hardware.
    private static bool UseOneDnn(ResNet18 model, ScalarType dtype) =>
        ResNet18OneDnn.IsAvailable && model.parameters().First().device_type == DeviceType.CPU
        && (dtype == ScalarType.Float32 || (dtype == ScalarType.BFloat16 && CpuInfo.Current.Bf16Kernels != CpuInfo.EmulatedBf16));

    private void Fold(Dictionary<string, Tensor> state, string conv, string bn, long stride, long padding)
    {
        using var scope = NewDisposeScope();
        var scale = state[bn + ".weight"] / state[bn + ".running_var"].add(Scalars.Of(BatchNormEps), Scalars.One).sqrt();
        var weight = (state[conv + ".weight"] * scale.view(-1, 1, 1, 1)).to(_dtype).contiguous();
        var bias = (state[bn + ".bias"] - state[bn + ".running_mean"] * scale).to(_dtype).contiguous();
        _convs.Add((weight.DetachFromDisposeScope(), bias.DetachFromDisposeScope(), stride, padding));
    }

    public void Dispose()
    {
        foreach (var (w, b, _, _) in _convs)
        {
            w.Dispose();
            b.Dispose();
        }
        foreach (var packs in _packs.Values.Where(p => p.IsValueCreated))
            foreach (var p in packs.Value) p.Dispose();
        _fcWeight.Dispose();
        _fcBias.Dispose();
        _direct?.Dispose();
    }
}
