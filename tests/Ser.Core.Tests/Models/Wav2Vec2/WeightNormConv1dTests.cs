using Ser.Core.Models.Wav2Vec2;
using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.Wav2Vec2;

/// <summary>The positional convolution gives g·v/‖v‖ convolved with the input on both of its CPU paths: plain 1-D
/// and 2-D channels-last (which forward may choose for the encoder's transposed states from 200 frames on).</summary>
public sealed class WeightNormConv1dTests
{
    [Theory]
    [InlineData(150, ScalarType.Float32)]
    [InlineData(260, ScalarType.Float32)]
    [InlineData(260, ScalarType.BFloat16)]
    public void Both_layouts_equal_the_weight_normed_convolution(int frames, ScalarType dtype)
    {
        manual_seed(5);
        using var conv = new WeightNormConv1d(channels: 32, kernel: 16, groups: 4, padding: 8);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var states = randn(2, frames, 32); // [batch, time, channels], as the encoder holds them
        var expected = InFloat64(conv, states, padding: 8, groups: 4);

        conv.to(dtype);
        var transposed = conv.forward(states.to(dtype).transpose(1, 2));
        var contiguous = conv.forward(states.to(dtype).transpose(1, 2).contiguous());
        var channelsLast = conv.ForwardChannelsLast(states.to(dtype).transpose(1, 2));

        AssertClose(expected, dtype, transposed, contiguous, channelsLast);
    }

    // The weight-normed convolution of [batch, time, channels] states in float64, from the module's parameters.
    private static Tensor InFloat64(WeightNormConv1d conv, Tensor states, int padding, int groups)
    {
        var p = conv.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.to(ScalarType.Float64));
        var weight = p["weight_v"] * (p["weight_g"] / p["weight_v"].pow(Scalars.Of(2)).sum([0, 1], keepdim: true).sqrt());
        return nn.functional.conv1d(states.to(ScalarType.Float64).transpose(1, 2), weight, p["bias"], padding: padding, groups: groups);
    }

    // libtorch's conv1d on the module's current weight and bias: what its direct form computes below 200 frames.
    private static Tensor PlainConvolution(WeightNormConv1d conv, Tensor input, int padding, int groups) =>
        nn.functional.conv1d(input, conv.Weight(), conv.named_parameters().Single(p => p.name == "bias").parameter,
            padding: padding, groups: groups);

    private static void AssertClose(Tensor expected, ScalarType dtype, params Tensor[] actuals)
    {
        var tolerance = dtype == ScalarType.Float32 ? 1e-5 : 3e-2;
        foreach (var actual in actuals)
        {
            Assert.Equal(dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            var error = (actual.to(ScalarType.Float64) - expected).abs().max().item<double>() / expected.abs().max().item<double>();
            Assert.True(error < tolerance, $"relative error {error:E2}");
        }
    }

    [Fact]
    public void A_frozen_weight_gives_the_same_output_and_follows_a_later_load_and_training_mode()
    {
        manual_seed(6);
        using var conv = new WeightNormConv1d(channels: 32, kernel: 16, groups: 4, padding: 8);
        using var scope = NewDisposeScope();
        using var mode = no_grad();
        var input = randn(2, 32, 50);
        var before = conv.forward(input);
        Tensor Recomputed() => PlainConvolution(conv, input, padding: 8, groups: 4);

        conv.eval();
        conv.FreezeWeight();
        Assert.True(conv.forward(input).eq(before).all().item<bool>());

        var g = conv.named_parameters().Single(p => p.name == "weight_g").parameter;
        g.mul_(Scalars.Of(2)); // as a checkpoint loaded into it would change g
        var loaded = conv.forward(input);
        Assert.True(loaded.eq(Recomputed()).all().item<bool>());
        Assert.False(loaded.eq(before).all().item<bool>());

        conv.FreezeWeight();
        conv.train();
        var v = conv.named_parameters().Single(p => p.name == "weight_v").parameter;
        v.mul_(Scalars.Of(3)); // a training step leaves g alone here: training mode alone must recompute
        v.add_(v.sign(), Ser.Core.Runtime.Scalars.One);
        var trained = conv.forward(input);
        Assert.True(trained.eq(Recomputed()).all().item<bool>());
        Assert.False(trained.eq(loaded).all().item<bool>());
    }

    [Fact]
    public void A_checkpoint_loaded_into_a_frozen_convolution_is_used_even_when_only_v_changed()
    {
        manual_seed(9);
        using var conv = new WeightNormConv1d(channels: 64, kernel: 128, groups: 16, padding: 64);
        using var scope = NewDisposeScope();
        using var mode = no_grad();
        var input = randn(1, 64, 150); // from 100 frames the frozen spectra may serve it too
        conv.eval();
        conv.FreezeWeight();
        var stale = conv.forward(input);
        // Another checkpoint with the same g (a fine-tune that left g alone): only the direction of v differs.
        var checkpoint = conv.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        checkpoint["weight_v"] = checkpoint["weight_v"].add(randn_like(checkpoint["weight_v"]), Scalars.Of(0.1));

        Ser.Core.Models.Checkpoints.StateDictLoader.Load(conv, checkpoint, _ => false, "test");

        var loaded = conv.forward(input);
        var expected = PlainConvolution(conv, input, padding: 64, groups: 16);
        var error = (loaded - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(error < 1e-5, $"relative error {error:E2} against the loaded weights");
        Assert.True((stale - expected).abs().max().item<float>() > 1e-3, "the checkpoint did not change the output");
    }

    [Theory]
    [InlineData(32, 16, 4, 8, 2, 150, ScalarType.Float32)]
    [InlineData(32, 16, 4, 8, 3, 1, ScalarType.Float32)]    // a single frame: one block, mostly padding
    [InlineData(32, 16, 4, 8, 1, 300, ScalarType.Float32)]  // several blocks
    [InlineData(32, 16, 4, 8, 2, 1200, ScalarType.Float32)] // 71 blocks of 17 frames: transformed in two passes
    [InlineData(24, 15, 3, 7, 2, 61, ScalarType.Float32)]   // odd kernel
    [InlineData(64, 128, 16, 64, 2, 149, ScalarType.Float32)] // wav2vec2-base's kernel, groups and padding, fewer channels
    [InlineData(64, 128, 16, 64, 1, 149, ScalarType.BFloat16)]
    public void The_spectral_form_equals_the_weight_normed_convolution(int channels, int kernel, int groups, int padding, int batch,
        int frames, ScalarType dtype)
    {
        manual_seed(7);
        using var conv = new WeightNormConv1d(channels, kernel, groups, padding);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var states = randn(batch, frames, channels);
        var expected = InFloat64(conv, states, padding, groups);

        conv.to(dtype);
        var unfrozen = conv.ForwardSpectral(states.to(dtype).transpose(1, 2));
        conv.eval();
        conv.FreezeWeight();
        var frozen = conv.ForwardSpectral(states.to(dtype).transpose(1, 2));

        AssertClose(expected, dtype, unfrozen, frozen);
    }

    // Training: through the FFT form (the weight's spectra from g and v on each call) and through whichever form forward
    // measured faster with its backward, the output and the gradients of the input, v, g and the bias are float64's.
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void In_training_both_forms_give_the_float64_convolutions_output_and_gradients(ScalarType dtype)
    {
        manual_seed(9);
        using var conv = new WeightNormConv1d(channels: 64, kernel: 128, groups: 16, padding: 64);
        using var scope = NewDisposeScope();
        var states = randn(2, 110, 64);
        var weighting = randn(2, 64, 111, dtype: ScalarType.Float64); // a gradient that differs per output element
        var expected = Float64Gradients(conv, states, weighting);
        conv.to(dtype);
        conv.train();

        foreach (var spectral in new[] { true, false })
        {
            conv.zero_grad();
            var input = states.to(dtype).transpose(1, 2).detach().requires_grad_(true);
            var output = spectral ? conv.ForwardSpectral(input) : conv.forward(input);
            output.to(ScalarType.Float64).mul(weighting).sum().backward();

            AssertClose(expected["output"], dtype, output);
            AssertClose(expected["input"], dtype, input.grad!);
            foreach (var (name, parameter) in conv.named_parameters()) AssertClose(expected[name], dtype, parameter.grad!);
        }
        Assert.Contains(MeasuredChoice.Made.Keys, k => k.EndsWith($"{dtype} spectral training batch 2 [{get_num_threads()} threads]", StringComparison.Ordinal));
    }

    // The output of the float64 convolution of [batch, time, channels] states and the gradients of its weighted sum.
    private static Dictionary<string, Tensor> Float64Gradients(WeightNormConv1d conv, Tensor states, Tensor weighting)
    {
        var p = conv.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.detach().to(ScalarType.Float64).requires_grad_(true));
        var input = states.to(ScalarType.Float64).transpose(1, 2).detach().requires_grad_(true);
        var weight = p["weight_v"] * (p["weight_g"] / p["weight_v"].pow(Scalars.Of(2)).sum([0, 1], keepdim: true).sqrt());
        var output = nn.functional.conv1d(input, weight, p["bias"], padding: 64, groups: 16);
        output.mul(weighting).sum().backward();
        var result = p.ToDictionary(kv => kv.Key, kv => kv.Value.grad!);
        result["input"] = input.grad!;
        result["output"] = output.detach();
        return result;
    }

    [Fact]
    public void A_frozen_convolution_from_100_frames_agrees_repeats_to_the_bit_and_drops_stale_spectra_after_a_load()
    {
        manual_seed(8);
        using var conv = new WeightNormConv1d(channels: 64, kernel: 128, groups: 16, padding: 64);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var input = randn(2, 150, 64).transpose(1, 2); // below the channels-last form's 200 frames: plain is the direct form
        Tensor Direct() => PlainConvolution(conv, input, padding: 64, groups: 16);
        conv.eval();
        conv.FreezeWeight();

        var first = conv.forward(input);
        var again = conv.forward(input);

        Assert.True(first.eq(again).all().item<bool>());
        // The FFT form was measured against the direct one, and whichever was kept ran as it runs alone.
        Assert.Contains(Ser.Core.Runtime.MeasuredChoice.Made.Keys, k => k.EndsWith($"Float32 spectral [{get_num_threads()} threads]", StringComparison.Ordinal));
        Assert.True(first.eq(conv.ForwardSpectral(input)).all().item<bool>() || first.eq(Direct()).all().item<bool>());
        var error = (first - Direct()).abs().max().item<float>() / Direct().abs().max().item<float>();
        Assert.True(error < 1e-5, $"relative error {error:E2}");

        conv.named_parameters().Single(p => p.name == "weight_g").parameter.mul_(Scalars.Of(2)); // as a checkpoint loaded into it
        Assert.True(conv.forward(input).eq(Direct()).all().item<bool>());
    }
}
