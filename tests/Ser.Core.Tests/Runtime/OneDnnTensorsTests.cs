using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

public sealed class OneDnnTensorsTests
{
    [Fact]
    public void The_project_libtorch_exports_the_operators_so_the_fast_path_is_the_one_tested()
    {
        Assert.True(OneDnnTensors.IsAvailable, "libtorch-cpu 2.10 exports to_mkldnn, to_dense, mkldnn_reorder_conv2d_weight, mkldnn_convolution");
    }

    [Fact]
    public void A_tensor_survives_the_round_trip_through_onednn_unchanged()
    {
        using var scope = NewDisposeScope();
        var dense = randn(2, 3, 5, 7, generator: new TorchSharp.torch.Generator(1));

        var back = OneDnnTensors.ToDense(OneDnnTensors.FromDense(dense));

        Assert.Equal(dense.shape, back.shape);
        Assert.True(back.sub(dense).abs().max().item<float>() == 0);
    }

    [Theory]
    [InlineData(1, 1, 3, 3, 32, 40)]
    [InlineData(2, 1, 3, 3, 32, 40)]
    [InlineData(1, 0, 1, 1, 8, 19)]
    [InlineData(2, 0, 1, 1, 8, 19)]
    [InlineData(2, 3, 7, 1, 64, 101)]
    public void A_convolution_of_packed_weights_equals_the_plain_one(long stride, long padding, long kernel, long inChannels, long height, long width)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var generator = new TorchSharp.torch.Generator(2);
        var input = randn(3, inChannels, height, width, generator: generator);
        var weight = randn(16, inChannels, kernel, kernel, generator: generator).mul(0.2);
        var bias = randn(16, generator: generator);
        var expected = nn.functional.conv2d(input, weight, bias, strides: [stride, stride], padding: [padding, padding]);

        var packed = OneDnnTensors.PackConv2dWeight(weight, stride, padding);
        var actual = OneDnnTensors.ToDense(OneDnnTensors.Conv2d(OneDnnTensors.FromDense(input), packed, OneDnnTensors.FromDense(bias), stride, padding));

        Assert.Equal(expected.shape, actual.shape);
        var error = actual.sub(expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(error < 1e-5, $"relative error {error}");
    }

    [Fact]
    public void Weights_of_the_wrong_rank_are_refused_before_libtorch_sees_them()
    {
        using var weight = randn(16, 3, 3);

        Assert.Throws<ArgumentException>(() => OneDnnTensors.PackConv2dWeight(weight, 1, 1));
    }
}
