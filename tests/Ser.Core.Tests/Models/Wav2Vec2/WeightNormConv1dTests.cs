using Ser.Core.Models.Wav2Vec2;
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
        var p = conv.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.to(ScalarType.Float64));
        var weight = p["weight_v"] * (p["weight_g"] / p["weight_v"].pow(2).sum([0, 1], keepdim: true).sqrt());
        var expected = nn.functional.conv1d(states.to(ScalarType.Float64).transpose(1, 2), weight, p["bias"], padding: 8, groups: 4);

        conv.to(dtype);
        var transposed = conv.forward(states.to(dtype).transpose(1, 2)).to(ScalarType.Float64);
        var contiguous = conv.forward(states.to(dtype).transpose(1, 2).contiguous()).to(ScalarType.Float64);
        var channelsLast = conv.ForwardChannelsLast(states.to(dtype).transpose(1, 2)).to(ScalarType.Float64);

        Assert.Equal(expected.shape, transposed.shape);
        var tolerance = dtype == ScalarType.Float32 ? 1e-5 : 3e-2;
        foreach (var actual in new[] { transposed, contiguous, channelsLast })
        {
            var error = (actual - expected).abs().max().item<double>() / expected.abs().max().item<double>();
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
        Tensor Recomputed() => nn.functional.conv1d(input, conv.Weight(),
            conv.named_parameters().Single(p => p.name == "bias").parameter, padding: 8, groups: 4);

        conv.eval();
        conv.FreezeWeight();
        Assert.True(conv.forward(input).eq(before).all().item<bool>());

        var g = conv.named_parameters().Single(p => p.name == "weight_g").parameter;
        g.mul_(2); // as a checkpoint loaded into it would change g
        var loaded = conv.forward(input);
        Assert.True(loaded.eq(Recomputed()).all().item<bool>());
        Assert.False(loaded.eq(before).all().item<bool>());

        conv.FreezeWeight();
        conv.train();
        var v = conv.named_parameters().Single(p => p.name == "weight_v").parameter;
        v.mul_(3); // a training step leaves g alone here: training mode alone must recompute
        v.add_(v.sign(), Ser.Core.Runtime.Scalars.One);
        var trained = conv.forward(input);
        Assert.True(trained.eq(Recomputed()).all().item<bool>());
        Assert.False(trained.eq(loaded).all().item<bool>());
    }
}
