using Ser.Core.Models.Checkpoints;
using Ser.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Grouped Conv1d with weight normalisation over dim 2, as <c>weight_norm(conv, dim=2)</c>:
/// weight = g · v / ‖v‖, the norm taken over output and input channels for each kernel tap.
/// Keys <c>weight_g</c> [1, 1, kernel], <c>weight_v</c> [out, in/groups, kernel], <c>bias</c>.</summary>
public sealed class WeightNormConv1d : nn.Module<Tensor, Tensor>, IDerivedFromWeights
{
    private readonly Parameter weight_g;
    private readonly Parameter weight_v;
    private readonly Parameter bias;
    private readonly long _padding;
    private readonly long _groups;
    private readonly long _kernel;
    private readonly string _choiceKey;
    private Tensor? _frozenWeight;
    private Tensor? _frozenG;
    private Tensor? _frozenSpectra;

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
        (_padding, _groups, _kernel) = (padding, groups, kernel);
        _choiceKey = $"wav2vec2 positional conv {channels}x{channels / groups}x{kernel}/{groups}";
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

    public Tensor Weight() => WeightOf(weight_v, weight_g);

    private static Tensor WeightOf(Tensor v, Tensor g)
    {
        using var scope = NewDisposeScope();
        return (v * (g / NormExceptDim2(v))).MoveToOuterDisposeScope();
    }

    /// <summary>Computes g·v/‖v‖ once, for a model that only infers: forward then skips the norms, ~2.6 ms a call for
    /// wav2vec2-base's positional conv (Zen 5), and on CPU may run the convolution by FFT on the weight's spectra, also
    /// computed here (<see cref="SpectralConv1d"/>; 38 MB for wav2vec2-base). It computes them again in training mode,
    /// and for good once g, the dtype or the device changed (a move after this call); a checkpoint loaded through
    /// <see cref="StateDictLoader"/> freezes them anew (a copy into v by other means needs this call again). Not to be
    /// called while forwards run.</summary>
    public void FreezeWeight()
    {
        using var noGrad = no_grad();
        _frozenWeight?.Dispose();
        _frozenG?.Dispose();
        _frozenSpectra?.Dispose();
        _frozenSpectra = null;
        _frozenWeight = Weight().detach().DetachFromDisposeScope();
        _frozenG = weight_g.detach().clone().DetachFromDisposeScope();
        if (_frozenWeight.device_type == DeviceType.CPU)
            _frozenSpectra = SpectralConv1d.Spectra(_frozenWeight, _groups).DetachFromDisposeScope();
    }

    void IDerivedFromWeights.WeightsLoaded()
    {
        if (_frozenWeight is not null) FreezeWeight();
    }

    // Read-only, so concurrent forwards may share the frozen weight; a stale one is left for FreezeWeight or Dispose.
    private Tensor CurrentWeight() =>
        _frozenWeight is { } frozen && _frozenG is { } g && !training && SamePlace(frozen, weight_v) && SamePlace(g, weight_g)
            && SameValues(g, weight_g)
            ? frozen
            : Weight();

    private static bool SamePlace(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.device_type == b.device_type && a.device_index == b.device_index;

    private static bool SameValues(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.eq(b).all().item<bool>();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _frozenWeight?.Dispose();
            _frozenG?.Dispose();
            _frozenSpectra?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>[batch, channels, time] → [batch, channels, time + 2·padding − kernel + 1].</summary>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var weight = CurrentWeight();
        var output = UseSpectral(input, weight) ? SpectralConv1d.Forward(input, _frozenSpectra!, bias, _kernel, _padding)
            : TrainsSpectral(input, weight) ? Spectral(input, weight) : Direct(input, weight);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>The same convolution always by FFT (<see cref="SpectralConv1d"/>), on the spectra <see cref="FreezeWeight"/>
    /// computed if they are current, else on the current weight's (for tests and benchmarks).</summary>
    public Tensor ForwardSpectral(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var weight = CurrentWeight();
        var spectra = ReferenceEquals(weight, _frozenWeight) && _frozenSpectra is { } frozen ? frozen : SpectralConv1d.Spectra(weight, _groups);
        return SpectralConv1d.Forward(input, spectra, bias, _kernel, _padding).MoveToOuterDisposeScope();
    }

    private Tensor Direct(Tensor input, Tensor weight) => UseChannelsLast(input, weight) ? ChannelsLast(input, weight) : Plain(input, weight);

    private Tensor Plain(Tensor input, Tensor weight) =>
        nn.functional.conv1d(input, weight, bias, stride: 1, padding: _padding, dilation: 1, groups: _groups);

    /// <summary>The same convolution always as the 2-D channels-last form that <see cref="forward"/> may choose from
    /// 200 frames on (for tests and benchmarks).</summary>
    public Tensor ForwardChannelsLast(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        return ChannelsLast(input, Weight()).MoveToOuterDisposeScope();
    }

    private Tensor ChannelsLast(Tensor input, Tensor weight) =>
        nn.functional.conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, strides: [1, 1], padding: [0, _padding],
            dilation: [1, 1], groups: _groups).squeeze(2);

    // On CPU, as a 2-D convolution over [batch, channels, 1, time] with the input channels-last in memory (the
    // encoder's [batch, time, channels] transposed), oneDNN runs a brgemm kernel instead of im2col + gemm: on AMD Zen 4
    // 1.2x faster at 400 frames, 1.3x (fp32) and 1.5x (bf16) at 1,500; it reorders the weight each call (~1 ms), which
    // costs more than it gains below ~200 frames (4 s). On Zen 5 (an AVX2 brgemm kernel there) it was 1.25-1.4x slower
    // at every length. So from 200 frames on, each process measures both forms once per dtype (MeasuredChoice).
    private const long ChannelsLastMinFrames = 200;
    private const long MeasuredFrames = 1500;

    private bool UseChannelsLast(Tensor input, Tensor weight)
    {
        if (input.device_type != DeviceType.CPU || input.dim() != 3 || input.shape[2] < ChannelsLastMinFrames
            || input.stride(1) != 1) return false;
        return MeasuredChoice.PrefersSecond($"{_choiceKey} {input.dtype}", () => TimeSample(input, MeasuredFrames),
            x => Plain(x, weight), x => ChannelsLast(x, weight));
    }

    // The input's first item (or every item) repeated along time to `frames`, with its layout kept ([1, channels, time],
    // channels-last in memory for the encoder's transposed states): what a measurement runs on.
    private static Tensor TimeSample(Tensor input, long frames, bool everyItem = false)
    {
        using var rows = input.transpose(1, 2);
        using var repeated = everyItem ? MeasuredChoice.Repeated(rows, 1, frames) : MeasuredChoice.FirstItemRepeated(rows, 1, frames);
        return repeated.transpose(1, 2);
    }

    // By FFT from 100 frames on (2 s), for a frozen weight on CPU: wav2vec2-base's positional conv on AMD Zen 5 took 3.7
    // against 6.8 ms at 100 frames, 5.1 against 15 at 250, 9.8 against 71 at 1,500, 33 against 245 for 16 clips of
    // 250 frames; at 50 frames both ~3.5 ms. Measured once per dtype on 250 frames (a 5 s window) against the direct
    // form that would run, and kept only if faster and in agreement (MeasuredChoice).
    private const long SpectralMinFrames = 100;
    private const long SpectralMeasuredFrames = 250;

    private bool UseSpectral(Tensor input, Tensor weight)
    {
        if (_frozenSpectra is null || !ReferenceEquals(weight, _frozenWeight) || input.device_type != DeviceType.CPU
            || input.dim() != 3 || input.shape[2] < SpectralMinFrames || is_grad_enabled()) return false;
        return MeasuredChoice.PrefersSecond($"{_choiceKey} {input.dtype} spectral", () => TimeSample(input, SpectralMeasuredFrames),
            x => Direct(x, weight), x => SpectralConv1d.Forward(x, _frozenSpectra, bias, _kernel, _padding));
    }

    // In training on the CPU, by FFT on the spectra of the weight of the call, libtorch differentiating every step
    // (rfft, complex products, irfft): wav2vec2-base's positional conv, forward and backward of 8 clips (AMD Zen 5), took
    // 68-90 against 165-190 ms at 100 frames and 95-107 against 435 at 250 in fp32, 82-90 against 165-192 and 91-92
    // against 291-298 in bf16, where oneDNN runs im2col convolutions; equal at ~50 frames. A CPU whose direct form is
    // faster keeps it: measured once per dtype and batch size on the batch at 100 frames, forward and backward
    // (MeasuredChoice; the spectra's cost is per call, so one clip alone favours the direct form). Small kernels stay
    // direct (the FFT's saving grows with the kernel: 16 for wav2vec2-tiny, 128 for base and large).
    private const long SpectralTrainingMinKernel = 64;
    private const long SpectralTrainingMeasuredFrames = 100;

    private bool TrainsSpectral(Tensor input, Tensor weight)
    {
        if (!is_grad_enabled() || input.device_type != DeviceType.CPU || input.dim() != 3 || _kernel < SpectralTrainingMinKernel)
            return false;
        return MeasuredChoice.PrefersSecond($"{_choiceKey} {input.dtype} spectral training batch {input.shape[0]}",
            () => TimeSample(input, SpectralTrainingMeasuredFrames, everyItem: true), x => Differentiated(x, Direct),
            x => Differentiated(x, Spectral));
    }

    private Tensor Spectral(Tensor input, Tensor weight) =>
        SpectralConv1d.Forward(input, SpectralConv1d.Spectra(weight, _groups), bias, _kernel, _padding);

    // What a training step runs: the form on a weight computed from v and g, then the gradients of its sum with respect to
    // the input, v and g (returned: the input's). v and g are copies, so the parameters' .grad are left alone; libtorch's
    // backward, not autograd.grad, whose errors TorchSharp does not catch (they would end the process).
    private Tensor Differentiated(Tensor sample, Func<Tensor, Tensor, Tensor> form)
    {
        using var grad = enable_grad();
        var input = sample.detach().requires_grad_(true);
        var v = weight_v.detach().clone().requires_grad_(true);
        var g = weight_g.detach().clone().requires_grad_(true);
        using var total = form(input, WeightOf(v, g)).sum();
        total.backward(inputs: [input, v, g]);
        return input.grad!;
    }

    private static Tensor NormExceptDim2(Tensor v) => v.pow(Scalars.OfInteger(2)).sum([0, 1], keepdim: true).sqrt();
}
