using Ser.Core.Runtime;
using TorchSharp;
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
    private readonly double _eps;

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
        (_kernel, _stride, _eps) = (kernel, stride, eps);
        RegisterComponents();
    }

    /// <summary>[batch, channels, time] → [batch, out_channels, frames].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = conv.forward(input);
        if (layer_norm is null) return VectorGelu.OnTensor(x).MoveToOuterDisposeScope();
        var normed = _channelLayerNorm ? layer_norm.forward(x.transpose(-2, -1)).transpose(-2, -1) : layer_norm.forward(x);
        // Without autograd nothing reads the convolution's output again: freed before the GELU, which then runs in place,
        // so the first layer (the encoder's largest activation) holds two copies at once instead of three.
        if (!is_grad_enabled()) x.Dispose();
        return VectorGelu.OnTensor(normed).MoveToOuterDisposeScope();
    }

    /// <summary>Whether the conv weight is stored tap by tap (<see cref="StoreWeightTapMajor"/>).</summary>
    public bool WeightTapMajor
    {
        get
        {
            var weight = conv.weight!;
            var (outChannels, inChannels) = (weight.shape[0], weight.shape[1]);
            return weight.stride(0) == 1 && weight.stride(1) == outChannels && weight.stride(2) == outChannels * inChannels;
        }
    }

    /// <summary>Stores the conv weight tap by tap: same [out, in, kernel] shape and values, [kernel, in, out] in memory,
    /// so <see cref="ForwardFrames"/> reads each tap as a matrix without copying it (checkpoints still load into it in
    /// place). For models that only infer: an optimizer's state and TorchSharp's save need contiguous parameters.</summary>
    public void StoreWeightTapMajor()
    {
        if (WeightTapMajor) return;
        using var noGrad = no_grad();
        var weight = conv.weight!;
        using var taps = weight.permute(2, 1, 0).contiguous();
        conv.weight = new Parameter(taps.permute(2, 1, 0), weight.requires_grad);
    }

    /// <summary>Whether <see cref="ForwardFrames"/> computes this layer: not with a group norm (its statistics run over
    /// time) nor with a stride longer than the kernel.</summary>
    public bool RunsOnFrames => (layer_norm is null || _channelLayerNorm) && _stride <= _kernel;

    /// <summary>The same layer on time-major input, for inference: [batch, time, channels] → [batch, frames,
    /// out_channels], both contiguous. The <c>stride</c> input frames that start an output frame's window lie side
    /// by side in memory, so a strided view of the input holds them as one row: the convolution is one matrix
    /// product over those rows plus one per remaining kernel tap, with no copy of the input.</summary>
    public Tensor ForwardFrames(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!RunsOnFrames) throw new InvalidOperationException("This layer does not run time-major; use forward.");
        if (input.dim() != 3) throw new ArgumentException($"Expected [batch, time, channels], got [{string.Join(", ", input.shape)}].");
        using var scope = NewDisposeScope();
        var rows = input.contiguous();
        var (batch, time, channels) = (rows.shape[0], rows.shape[1], rows.shape[2]);
        var frames = (time - _kernel) / _stride + 1;
        var taps = conv.weight!.permute(2, 1, 0).contiguous(); // [kernel, in, out]: a view once StoreWeightTapMajor ran
        var outChannels = taps.shape[2];
        var lead = taps[..(int)_stride].reshape(_stride * channels, outChannels);
        var output = empty([batch, frames, outChannels], rows.dtype, rows.device);
        for (var b = 0; b < batch; b++)
        {
            using var item = output[b];
            var start = rows.storage_offset() + b * time * channels;
            using var windows = rows.as_strided([frames, _stride * channels], [_stride * channels, 1], start);
            item.addmm_(windows, lead, beta: 0, alpha: 1);
            for (var tap = _stride; tap < _kernel; tap++)
            {
                using var shifted = rows.as_strided([frames, channels], [_stride * channels, 1], start + tap * channels);
                using var weight = taps[tap];
                item.addmm_(shifted, weight, beta: 1, alpha: 1);
            }
        }
        return BiasNormGelu(output).MoveToOuterDisposeScope();
    }

    // The rest of the layer after a time-major product: conv bias, layer norm over channels if any, GELU in place.
    private Tensor BiasNormGelu(Tensor output)
    {
        if (conv.bias is not null) output.add_(conv.bias, Scalars.One);
        var x = layer_norm is null ? output : layer_norm.forward(output);
        return x.gelu_();
    }

    /// <summary>Whether <see cref="ForwardSamples"/> computes this layer: a first layer, on one input channel.</summary>
    public bool RunsOnSamples => conv.weight!.shape[1] == 1 && _stride <= _kernel;

    /// <summary>The first layer straight from raw samples to time-major frames, for inference: [batch, samples] →
    /// [batch, frames, out_channels], contiguous. Each frame's window of samples is copied out (kernel floats a frame,
    /// against out_channels written), so the convolution is one product; a group norm's per-channel statistics over
    /// time follow from the windows' mean and covariance (in float64), so the norm folds into that product's weights
    /// and bias. The channels-first form wrote the layer's output (the encoder's largest) three times before
    /// transposing it: at 3 s on AMD Zen 5, 6.7-9.2 ms against 2.3.</summary>
    public Tensor ForwardSamples(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!RunsOnSamples) throw new InvalidOperationException("This layer does not take raw samples; use forward.");
        if (input.dim() != 2 || input.shape[1] < _kernel)
            throw new ArgumentException(
                $"Expected [batch, samples] with at least {_kernel} samples, got [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = NewDisposeScope();
        var samples = input.contiguous();
        var (batch, length) = (samples.shape[0], samples.shape[1]);
        var frames = (length - _kernel) / _stride + 1;
        var windows = samples.as_strided([batch, frames, _kernel], [length, _stride, 1], samples.storage_offset()).contiguous();
        var weight = conv.weight!.reshape(conv.weight.shape[0], _kernel); // [out, kernel]
        if (layer_norm is not GroupNorm norm) return BiasNormGelu(windows.matmul(weight.t())).MoveToOuterDisposeScope();
        var (folded, shift) = FoldGroupNorm(windows, weight, norm);
        // TorchSharp's batch1.baddbmm(batch2, addend) is PyTorch's addend.baddbmm(batch1, batch2).
        return windows.baddbmm(folded.transpose(1, 2), shift).gelu_().MoveToOuterDisposeScope();
    }

    /// <summary>Whether Ser's kernel computes this layer (<see cref="FeatureEncoderKernel"/>, for inference): float32
    /// weights on the CPU stored tap by tap, outputs in groups of 64, no layer norm, and a group norm only on a first
    /// layer (one input channel).</summary>
    public bool RunsOnKernel
    {
        get
        {
            var weight = conv.weight!;
            var (outputs, inputs) = (weight.shape[0], weight.shape[1]);
            var normFits = inputs == 1 ? !_channelLayerNorm : layer_norm is null;
            return normFits && _stride <= _kernel && WeightTapMajor && weight.dtype == ScalarType.Float32
                && weight.device_type == DeviceType.CPU && FeatureEncoderKernel.Supports(inputs, outputs, 0, 0);
        }
    }

    /// <summary><see cref="ForwardSamples"/> on Ser's kernel (<see cref="RunsOnKernel"/>, a first layer): float32 [batch,
    /// samples] → [batch, frames, out_channels].</summary>
    internal Tensor ForwardSamplesOnKernel(Tensor samples)
    {
        var (batch, length) = ((int)samples.shape[0], (int)samples.shape[1]);
        var outputs = (int)conv.weight!.shape[0];
        var (kernel, stride) = ((int)_kernel, (int)_stride);
        var weights = Taps(); // [kernel, out]
        var taps = new float[batch * kernel * outputs];
        var shift = new float[batch * outputs];
        var data = HostTensors.AsSpan(samples);
        for (var b = 0; b < batch; b++)
        {
            var item = data.Slice(b * length, length);
            var itemTaps = taps.AsSpan(b * kernel * outputs, kernel * outputs);
            var itemShift = shift.AsSpan(b * outputs, outputs);
            if (layer_norm is GroupNorm norm)
                GroupNormFold.Fold(item, kernel, stride, weights, HostTensors.AsSpan(norm.weight!), HostTensors.AsSpan(norm.bias!),
                    _eps, itemTaps, itemShift);
            else
            {
                weights.CopyTo(itemTaps);
                if (conv.bias is not null) HostTensors.AsSpan(conv.bias).CopyTo(itemShift);
            }
        }
        return FeatureEncoderKernel.FirstLayer(samples, kernel, stride, taps, shift);
    }

    /// <summary><see cref="ForwardFrames"/> on Ser's kernel (<see cref="RunsOnKernel"/>): contiguous float32 [batch, time,
    /// channels] → [batch, frames, out_channels].</summary>
    internal Tensor ForwardFramesOnKernel(Tensor rows)
    {
        using var taps = conv.weight!.permute(2, 1, 0); // [kernel, in, out], contiguous: the weight is tap-major
        var bias = conv.bias is null ? ReadOnlySpan<float>.Empty : HostTensors.AsSpan(conv.bias);
        return FeatureEncoderKernel.Layer(rows, taps, (int)_stride, bias);
    }

    // The tap-major weight as [kernel × in, out] floats, in place.
    private ReadOnlySpan<float> Taps()
    {
        using var taps = conv.weight!.permute(2, 1, 0);
        return HostTensors.AsSpan(taps);
    }

    // Per item: weights [batch, out, kernel] and bias [batch, 1, out] with group_norm(conv(x)) = windows · weightsᵀ + bias.
    // A channel's output is w·x + b over windows x, so its mean over time is w·μ + b and its variance wᵀΣw, with μ and Σ
    // the windows' mean and (biased) covariance; the conv bias cancels. One group per channel, as wav2vec2's.
    private (Tensor Weights, Tensor Bias) FoldGroupNorm(Tensor windows, Tensor weight, GroupNorm norm)
    {
        var x = windows.to(ScalarType.Float64);
        var mean = x.mean([1], keepdim: true);
        var centered = x - mean;
        var covariance = centered.transpose(1, 2).bmm(centered).div_(tensor((double)x.shape[1], ScalarType.Float64));
        var w = weight.to(ScalarType.Float64);
        var variance = (w.matmul(covariance) * w).sum(-1); // [batch, out]
        var scale = norm.weight!.to(ScalarType.Float64) / variance.add_(Scalars.Of(_eps), Scalars.One).sqrt_();
        var shift = norm.bias!.to(ScalarType.Float64) - (scale * mean.matmul(w.t()).squeeze(1));
        return ((w * scale.unsqueeze(-1)).to(windows.dtype), shift.unsqueeze(1).to(windows.dtype));
    }
}
