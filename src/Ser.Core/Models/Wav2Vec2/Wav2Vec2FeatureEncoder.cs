using Ser.Core.Features;
using Ser.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>The conv feature encoder (HF <c>feature_extractor</c>): raw 16 kHz samples → one frame per 20 ms.
/// Base models group-normalise only the first layer; stable-layer-norm models layer-normalise every layer.</summary>
public sealed class Wav2Vec2FeatureEncoder : nn.Module<Tensor, Tensor>
{
    // Frames of the first layer's output the one-time measurement of the two forms runs on (about 2 s of audio).
    private const long MeasuredFrames = 6400;

    private readonly long _measuredSamples;

    private readonly int _receptiveField;

    // The first layer's kernel, stride and width: its output is the encoder's largest tensor.
    private readonly (long Kernel, long Stride, long Width) _first;

    private readonly ModuleList<Wav2Vec2ConvLayer> conv_layers = new();
    private readonly string _shapeKey;

    public Wav2Vec2FeatureEncoder(Wav2Vec2Config config) : base(nameof(Wav2Vec2FeatureEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        var layerNorm = config.FeatExtractNorm == "layer";
        for (var i = 0; i < config.ConvDim.Count; i++)
        {
            var norm = layerNorm ? Wav2Vec2ConvLayer.Norm.Layer
                : i == 0 ? Wav2Vec2ConvLayer.Norm.Group : Wav2Vec2ConvLayer.Norm.None;
            conv_layers.Add(new Wav2Vec2ConvLayer(i == 0 ? 1 : config.ConvDim[i - 1], config.ConvDim[i],
                config.ConvKernel[i], config.ConvStride[i], config.ConvBias, norm, config.LayerNormEps));
        }
        _shapeKey = $"wav2vec2 feature encoder {string.Join(',', config.ConvDim)}/{string.Join(',', config.ConvKernel)}/"
            + $"{string.Join(',', config.ConvStride)}/{config.FeatExtractNorm}";
        _measuredSamples = (MeasuredFrames - 1) * config.ConvStride[0] + config.ConvKernel[0];
        _first = (config.ConvKernel[0], config.ConvStride[0], config.ConvDim[0]);
        _receptiveField = config.ReceptiveField;
        RegisterComponents();
    }

    /// <summary>Stores every layer's conv weight tap by tap, for inference (<see cref="Wav2Vec2ConvLayer.StoreWeightTapMajor"/>).</summary>
    public void StoreWeightsTapMajor()
    {
        foreach (var layer in conv_layers) layer.StoreWeightTapMajor();
    }

    /// <summary>[batch, samples] → [batch, frames, conv_dim[-1]].</summary>
    /// <exception cref="ArgumentException">Not [batch, samples] with at least the encoder's receptive field.</exception>
    public override Tensor forward(Tensor input)
    {
        RequireSamples(input);
        using var scope = NewDisposeScope();
        var form = RunsOnOwnKernel(input) ? Kernel(input) : LibTorch(input);
        return form.MoveToOuterDisposeScope();
    }

    /// <summary>Whether the encoder can run time-major (<see cref="ForwardTimeMajor"/>): its first layer from raw samples
    /// and every other layer as matrix products over frames.</summary>
    public bool RunsTimeMajor => conv_layers[0].RunsOnSamples && conv_layers.Skip(1).All(l => l.RunsOnFrames);

    /// <summary><see cref="forward"/> in the time-major form whichever form was measured faster (tests, benchmarks).</summary>
    /// <exception cref="InvalidOperationException">Not <see cref="RunsTimeMajor"/>, or autograd is on (the form is
    /// for inference).</exception>
    public Tensor ForwardTimeMajor(Tensor input)
    {
        RequireSamples(input);
        if (!RunsTimeMajor || is_grad_enabled())
            throw new InvalidOperationException("The time-major form runs inference (no_grad or inference_mode) of encoders whose layers support it (RunsTimeMajor).");
        using var scope = NewDisposeScope();
        return Frames(input).MoveToOuterDisposeScope();
    }

    /// <summary>Whether every layer runs on Ser's kernel (<see cref="ForwardOnKernel"/>).</summary>
    public bool RunsOnKernel => conv_layers.All(l => l.RunsOnKernel);

    /// <summary><see cref="forward"/> on Ser's kernel whichever form was measured faster (tests, benchmarks):
    /// float32 [batch, samples] → [batch, frames, conv_dim[-1]].</summary>
    /// <exception cref="InvalidOperationException">Not <see cref="RunsOnKernel"/>, or autograd is on.</exception>
    public Tensor ForwardOnKernel(Tensor input)
    {
        RequireSamples(input);
        if (!RunsOnKernel || is_grad_enabled())
            throw new InvalidOperationException("Ser's kernel runs inference (no_grad or inference_mode) of encoders whose layers support it (RunsOnKernel).");
        if (input.dtype != ScalarType.Float32 || input.device_type != DeviceType.CPU)
            throw new ArgumentException($"Expected float32 CPU samples [batch, samples], got {input.dtype} [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = NewDisposeScope();
        return Kernel(input).MoveToOuterDisposeScope();
    }

    // Shorter inputs have no frame: libtorch's layers would fail deep inside, Ser's kernel would read past the input.
    private void RequireSamples(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 2 || input.shape[1] < _receptiveField)
            throw new ArgumentException(
                $"Expected [batch, samples] with at least {_receptiveField} samples, got [{string.Join(", ", input.shape)}].", nameof(input));
    }

    private Tensor Kernel(Tensor samples)
    {
        var x = conv_layers[0].ForwardSamplesOnKernel(samples.contiguous());
        for (var i = 1; i < conv_layers.Count; i++)
        {
            var next = conv_layers[i].ForwardFramesOnKernel(x);
            x.Dispose();
            x = next;
        }
        return x;
    }

    private Tensor Channels(Tensor samples)
    {
        var x = conv_layers[0].forward(samples.unsqueeze(1));
        for (var i = 1; i < conv_layers.Count; i++) x = conv_layers[i].forward(x);
        return x.transpose(1, 2);
    }

    // libtorch's faster form here: time-major products or its convolutions.
    private Tensor LibTorch(Tensor samples) => RunsOnFrames(samples) ? Frames(samples) : Channels(samples);

    // Each layer's input is freed once the next layer's output exists (no autograd on this path).
    private Tensor Frames(Tensor samples)
    {
        var x = conv_layers[0].ForwardSamples(samples);
        for (var i = 1; i < conv_layers.Count; i++)
        {
            var next = conv_layers[i].ForwardFrames(x);
            x.Dispose();
            x = next;
        }
        return x;
    }

    // For inference on CPU the layers after the first can run time-major as matrix products
    // (Wav2Vec2ConvLayer.ForwardFrames): on AMD Zen 5 oneDNN's direct convolution runs wav2vec2-base's second layer at
    // ~250 GFLOP/s, the products at ~350, and the encoder took 0.80-0.92 of the time from 3 to 30 s. Which form is
    // faster depends on the CPU, so each process measures both once per dtype and architecture (MeasuredChoice).
    private bool RunsOnFrames(Tensor samples)
    {
        if (samples.device_type != DeviceType.CPU || is_grad_enabled() || !RunsTimeMajor) return false;
        // Weights stored otherwise (a model in training) cost the products a copy per call: measured apart.
        var layout = conv_layers.Skip(1).All(l => l.WeightTapMajor) ? "tap-major" : "plain";
        // Measured on a fixed length, whatever the first call's, so the choice holds for the lengths that cost the most.
        return MeasuredChoice.PrefersSecond($"{_shapeKey} {samples.dtype} {layout}",
            () => MeasuredChoice.FirstItemRepeated(samples, 1, _measuredSamples), Channels, Frames);
    }

    // Ser's kernel against libtorch's faster form (chosen first, above), where the kernel runs (float32 inference on
    // CPU); measured once a process as that choice. Against the time-major products alone, as before, it was never
    // tried where oneDNN's convolutions won: wav2vec2-base on one thread (AMD Zen 5, 3 s clip), the encoder took 115-126
    // ms on oneDNN against 68-70 on the kernel.
    private bool RunsOnOwnKernel(Tensor samples) =>
        samples.dtype == ScalarType.Float32 && samples.device_type == DeviceType.CPU && !is_grad_enabled() && RunsOnKernel
        && FitsKernel(samples) && MeasuredChoice.PrefersSecond($"{_shapeKey} Float32 kernel",
            () => MeasuredChoice.FirstItemRepeated(samples, 1, _measuredSamples), LibTorch, Kernel);

    // The kernel reaches tensors through spans (HostTensors), so the first layer's output must fit one: not so for a
    // clip of over ~5 min at wav2vec2-base's 512 channels, which runs time-major on libtorch instead.
    private bool FitsKernel(Tensor samples)
    {
        var frames = FrameLength.Conv(samples.shape[1], (int)_first.Kernel, (int)_first.Stride);
        return FeatureEncoderKernel.Supports(1, _first.Width, samples.numel(), samples.shape[0] * frames * _first.Width);
    }
}
