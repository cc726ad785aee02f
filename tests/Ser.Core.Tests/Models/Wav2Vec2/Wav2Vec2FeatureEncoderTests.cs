using Ser.Core.Models.Wav2Vec2;
using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.Wav2Vec2;

/// <summary>The feature encoder's time-major form (each layer one product over strided windows) computes what its
/// convolutions do, in inference, where its trials may keep it.</summary>
public sealed class Wav2Vec2FeatureEncoderTests
{
    // Channels in multiples of 16: on AMD Zen 5, oneDNN's AVX-512 convolutions sum wrong for other input widths (README).
    private static readonly Wav2Vec2Config Small = new()
    {
        ConvDim = [16, 32, 32, 48],
        ConvKernel = [10, 3, 3, 2],
        ConvStride = [5, 2, 2, 2],
        ConvBias = true,
    };

    [Theory]
    [InlineData(3, 2, Wav2Vec2ConvLayer.Norm.None)]
    [InlineData(2, 2, Wav2Vec2ConvLayer.Norm.Layer)]
    [InlineData(4, 3, Wav2Vec2ConvLayer.Norm.None)]
    public void A_layer_on_frames_equals_its_convolution(int kernel, int stride, Wav2Vec2ConvLayer.Norm norm)
    {
        manual_seed(3);
        using var layer = new Wav2Vec2ConvLayer(32, 48, kernel, stride, bias: true, norm);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var input = randn(2, 32, 101); // [batch, channels, time]

        var expected = layer.forward(input).transpose(1, 2);
        var actual = layer.ForwardFrames(input.transpose(1, 2));

        Assert.Equal(expected.shape, actual.shape);
        Assert.True(actual.is_contiguous());
        var error = (actual - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(error < 1e-5, $"relative error {error:E2}");
    }

    [Fact]
    public void A_group_normalised_layer_refuses_frames()
    {
        using var layer = new Wav2Vec2ConvLayer(1, 16, 10, 5, bias: false, Wav2Vec2ConvLayer.Norm.Group);
        using var input = zeros(1, 100, 1);

        Assert.False(layer.RunsOnFrames);
        Assert.Throws<InvalidOperationException>(() => layer.ForwardFrames(input));
    }

    [Theory]
    [InlineData(1, 8000)]
    [InlineData(3, 4000)]
    public void Inference_gives_the_training_forward_on_every_call(int batch, int samples)
    {
        manual_seed(4);
        using var encoder = new Wav2Vec2FeatureEncoder(Small);
        using var scope = NewDisposeScope();
        var audio = randn(batch, samples);
        var expected = encoder.forward(audio).detach(); // grad enabled: the convolutions

        using var mode = inference_mode();
        for (var call = 0; call < FasterOf<int>.Trials + 2; call++)
        {
            var actual = encoder.forward(audio);
            Assert.Equal(expected.shape, actual.shape);
            var error = (actual - expected).abs().max().item<float>() / expected.abs().max().item<float>();
            Assert.True(error < 1e-5, $"call {call}: relative error {error:E2}");
        }
    }
}
