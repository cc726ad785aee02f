using Ser.Core.Models;
using Ser.Core.Models.Wav2Vec2;
using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.Wav2Vec2;

/// <summary>The conv feature encoder's time-major form (matrix products over strided views, chosen per process for
/// inference on CPU where it is faster) computes what the convolutions compute.</summary>
public sealed class Wav2Vec2FeatureEncoderTests
{
    [Theory]
    [InlineData(3, 2, false, Wav2Vec2ConvLayer.Norm.None, 1, 101)]
    [InlineData(3, 2, false, Wav2Vec2ConvLayer.Norm.None, 3, 100)]
    [InlineData(2, 2, false, Wav2Vec2ConvLayer.Norm.None, 2, 51)]
    [InlineData(3, 2, true, Wav2Vec2ConvLayer.Norm.Layer, 2, 64)]
    [InlineData(4, 1, true, Wav2Vec2ConvLayer.Norm.None, 1, 20)]
    [InlineData(2, 2, true, Wav2Vec2ConvLayer.Norm.Layer, 3, 2)]
    public void Time_major_layer_equals_the_convolution(int kernel, int stride, bool bias, Wav2Vec2ConvLayer.Norm norm,
        int batch, int time)
    {
        manual_seed(11);
        using var layer = new Wav2Vec2ConvLayer(32, 48, kernel, stride, bias, norm);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        foreach (var (_, p) in layer.named_parameters()) p.normal_(0, 0.2); // layer norm's affine too
        var input = randn(batch, time, 32);

        var expected = layer.forward(input.transpose(1, 2)).transpose(1, 2);
        var plain = layer.ForwardFrames(input);
        layer.StoreWeightTapMajor();
        var tapMajor = layer.ForwardFrames(input);

        foreach (var actual in new[] { plain, tapMajor })
        {
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(actual.is_contiguous());
            var error = (actual - expected).abs().max().item<float>() / expected.abs().max().item<float>();
            Assert.True(error < 1e-5, $"relative error {error:E2}");
        }
    }

    [Theory]
    [InlineData(Wav2Vec2ConvLayer.Norm.Group, false, 1, 16_000)]
    [InlineData(Wav2Vec2ConvLayer.Norm.Group, true, 3, 4_321)]
    [InlineData(Wav2Vec2ConvLayer.Norm.Layer, true, 2, 1_000)]
    [InlineData(Wav2Vec2ConvLayer.Norm.None, false, 2, 10)]
    public void First_layer_from_samples_equals_the_convolution(Wav2Vec2ConvLayer.Norm norm, bool bias, int batch, int samples)
    {
        manual_seed(5);
        using var layer = new Wav2Vec2ConvLayer(1, 64, 10, 5, bias, norm);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        foreach (var (name, p) in layer.named_parameters())
            p.normal_(name.StartsWith("layer_norm.weight", StringComparison.Ordinal) ? 1 : 0, 0.3);
        // Items of different loudness and offset: the group norm's statistics are per item and channel.
        var input = (randn(batch, samples) * linspace(0.01, 2, batch).unsqueeze(1)).add(linspace(-0.5, 0.5, batch).unsqueeze(1), Scalars.One);

        var single = layer.forward(input.unsqueeze(1)).transpose(1, 2);
        var actual = layer.ForwardSamples(input);
        layer.to(ScalarType.Float64);
        var expected = layer.forward(input.to(ScalarType.Float64).unsqueeze(1)).transpose(1, 2);

        Assert.True(layer.RunsOnSamples);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(actual.is_contiguous());
        double Error(Tensor t) =>
            (t.to(ScalarType.Float64) - expected).abs().max().item<double>() / expected.abs().max().item<double>();
        var (error, convolution) = (Error(actual), Error(single));
        // As close to float64 as the convolution in float32 (whose norm loses digits where an item's offset dwarfs its
        // variation), or closer.
        Assert.True(error < Math.Max(2e-6, 1.5 * convolution), $"relative error {error:E2}, float32 convolution {convolution:E2}");
    }

    [Fact]
    public void First_layer_from_samples_normalises_silence_as_the_group_norm_does()
    {
        using var layer = new Wav2Vec2ConvLayer(1, 16, 10, 5, false, Wav2Vec2ConvLayer.Norm.Group);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        foreach (var (_, p) in layer.named_parameters()) p.normal_(0, 0.3);
        var input = cat([zeros(1, 400), full(1, 400, Scalars.Of(0.25))]); // no variance over time: only eps keeps it finite

        var expected = layer.forward(input.unsqueeze(1)).transpose(1, 2);
        var actual = layer.ForwardSamples(input);

        Assert.False(actual.isnan().any().item<bool>());
        Assert.True((actual - expected).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void First_layer_from_samples_rejects_clips_shorter_than_its_kernel()
    {
        using var layer = new Wav2Vec2ConvLayer(1, 16, 10, 5, false, Wav2Vec2ConvLayer.Norm.Group);
        using var input = zeros(2, 9);
        Assert.Throws<ArgumentException>(() => layer.ForwardSamples(input));
        using var later = new Wav2Vec2ConvLayer(16, 16, 3, 2, false, Wav2Vec2ConvLayer.Norm.None);
        Assert.False(later.RunsOnSamples);
        Assert.Throws<InvalidOperationException>(() => later.ForwardSamples(input));
    }

    [Fact]
    public void Group_normalised_layers_do_not_run_time_major()
    {
        using var layer = new Wav2Vec2ConvLayer(1, 16, 10, 5, false, Wav2Vec2ConvLayer.Norm.Group);
        using var input = zeros(1, 100, 1);
        Assert.False(layer.RunsOnFrames);
        Assert.Throws<InvalidOperationException>(() => layer.ForwardFrames(input));
    }

    [Fact]
    public void Conv_weights_stored_tap_by_tap_for_inference_stay_so_when_a_checkpoint_loads()
    {
        using var layer = new Wav2Vec2ConvLayer(32, 48, 3, 2, false, Wav2Vec2ConvLayer.Norm.None);
        Assert.True(layer.named_parameters().Single(p => p.name == "conv.weight").parameter.is_contiguous()); // trainable as is
        layer.StoreWeightTapMajor();
        var weight = layer.named_parameters().Single(p => p.name == "conv.weight").parameter;
        using (no_grad())
        using (var loaded = randn(48, 32, 3))
            weight.copy_(loaded); // as StateDictLoader loads

        Assert.Equal([48L, 32, 3], weight.shape);
        Assert.Equal([1L, 48, 32 * 48], weight.stride()); // [kernel, in, out] in memory
        Assert.True(layer.WeightTapMajor);
    }

    [Theory]
    [InlineData(1, 16_000)]
    [InlineData(3, 12_345)]
    public void Inference_equals_the_convolutions_and_repeats_to_the_bit(int batch, int samples)
    {
        manual_seed(3);
        using var encoder = new Wav2Vec2FeatureEncoder(ModelPresets.Wav2Vec2Tiny.Wav2Vec2!);
        encoder.eval();
        encoder.StoreWeightsTapMajor();
        using var scope = NewDisposeScope();
        using (no_grad())
            foreach (var (name, p) in encoder.named_parameters().Where(p => p.name.Contains("layer_norm", StringComparison.Ordinal)))
                p.normal_(name.EndsWith("weight", StringComparison.Ordinal) ? 1 : 0, 0.1); // TorchSharp leaves GroupNorm's unset
        var input = randn(batch, samples);

        var convolutions = encoder.forward(input).detach(); // gradients on: always the convolutions
        Tensor first, second;
        using (inference_mode())
        {
            first = encoder.forward(input);
            second = encoder.forward(input);
        }

        Assert.Equal(convolutions.shape, first.shape);
        Assert.False(convolutions.isnan().any().item<bool>(), "NaN in the convolutions' output");
        Assert.False(first.isnan().any().item<bool>(), "NaN in the time-major output");
        var error = (first - convolutions).abs().max().item<float>() / convolutions.abs().max().item<float>();
        Assert.True(error < 1e-5, $"relative error {error:E2}");
        Assert.True(first.eq(second).all().item<bool>());
    }

    /// <summary>Integer division would give an input a little shorter than a layer's kernel one frame, whose window Ser's
    /// kernel would read past the input's end (15 samples: the first layer gives 2 frames, the second's kernel is 3).</summary>
    [Fact]
    public void Inputs_shorter_than_the_receptive_field_are_refused_by_every_form_and_the_model()
    {
        var config = ModelPresets.Wav2Vec2Tiny.Wav2Vec2!;
        manual_seed(2);
        using var encoder = new Wav2Vec2FeatureEncoder(config);
        encoder.StoreWeightsTapMajor();
        using var scope = NewDisposeScope();
        using var mode = inference_mode();

        Assert.Equal(1, encoder.forward(randn(1, config.ReceptiveField)).shape[1]);
        foreach (var length in new[] { config.ReceptiveField - 1, 15, 1 })
        {
            var samples = randn(2, length);
            Assert.Throws<ArgumentException>(() => encoder.forward(samples));
            Assert.Throws<ArgumentException>(() => encoder.ForwardTimeMajor(samples));
            if (encoder.RunsOnKernel) Assert.Throws<ArgumentException>(() => encoder.ForwardOnKernel(samples));
        }
        using var model = new Wav2Vec2Model(config);
        Assert.Throws<ArgumentException>(() => model.Forward(randn(1, config.ReceptiveField - 1)));
    }
}
