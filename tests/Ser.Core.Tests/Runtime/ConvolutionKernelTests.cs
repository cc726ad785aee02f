using Ser.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

/// <summary>The convolution shapes the presets run sum right on this CPU, in the plain layouts (the fused ResNet's are
/// FusedResNet18Tests'). oneDNN picks kernels by CPU, and some are wrong on some CPUs: on AMD Zen 5 every convolution
/// wider than 1×1 with more than 16 input channels not a multiple of 16 returned sums off by 30-80 % (none of the
/// models' layers has such a width), and the channels-last 1×1 from 256 to 512 channels did too (FusedResNet18 avoids
/// it). A CPU that breaks a shape the models use fails here.</summary>
public sealed class ConvolutionKernelTests
{
    /// <summary>Each wav2vec2 preset's conv layers (first, then each distinct kernel and stride) and positional
    /// convolution, read from the presets so the shapes follow them.</summary>
    public static TheoryData<string, long, long, long, long, long, long, long> Shapes()
    {
        // name, in, out, kernel, stride, groups, padding, length
        var shapes = new TheoryData<string, long, long, long, long, long, long, long>();
        foreach (var preset in new[] { ModelPresets.Wav2Vec2Base, ModelPresets.Wav2Vec2Tiny })
        {
            var config = preset.Wav2Vec2!;
            var seen = new HashSet<(int, int, int, int)>();
            for (var i = 0; i < config.ConvDim.Count; i++)
            {
                var inChannels = i == 0 ? 1 : config.ConvDim[i - 1];
                if (seen.Add((inChannels, config.ConvDim[i], config.ConvKernel[i], config.ConvStride[i])))
                    shapes.Add($"{preset.Name} conv {i}", inChannels, config.ConvDim[i], config.ConvKernel[i],
                        config.ConvStride[i], 1, 0, i == 0 ? 4000 : 799);
            }
            shapes.Add($"{preset.Name} positional", config.HiddenSize, config.HiddenSize, config.NumConvPosEmbeddings, 1,
                config.NumConvPosEmbeddingGroups, config.NumConvPosEmbeddings / 2, 149);
        }
        return shapes;
    }

    public static TheoryData<string, long, long, long, long, long> Shapes2D => new()
    {
        // name, in, out, kernel, stride, size
        { "resnet stem", 1, 64, 7, 2, 64 },
        { "resnet stem rgb", 3, 64, 7, 2, 64 },
        { "resnet 64", 64, 64, 3, 1, 16 },
        { "resnet 64 to 128", 64, 128, 3, 2, 16 },
        { "resnet 512", 512, 512, 3, 1, 4 },
        { "resnet downsample 128 to 256", 128, 256, 1, 2, 8 },
        { "resnet-tiny 16", 16, 16, 3, 1, 32 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void One_dimensional(string name, long inChannels, long outChannels, long kernel, long stride, long groups, long padding, long length)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var generator = new Generator(11);
        var weight = randn(outChannels, inChannels / groups, kernel, generator: generator);
        var bias = randn(outChannels, generator: generator);
        foreach (var batch in new long[] { 1, 3 })
        {
            var input = randn(batch, inChannels, length, generator: generator);
            var channelsLast = input.transpose(1, 2).contiguous().transpose(1, 2);
            foreach (var x in new[] { input, channelsLast })
                AssertExact($"{name}, batch {batch}", x, weight, bias,
                    (i, w, b) => nn.functional.conv1d(i, w, b, stride: stride, padding: padding, groups: groups));
        }
    }

    [Theory]
    [MemberData(nameof(Shapes2D))]
    public void Two_dimensional(string name, long inChannels, long outChannels, long kernel, long stride, long size)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var generator = new Generator(12);
        var weight = randn(outChannels, inChannels, kernel, kernel, generator: generator);
        var bias = randn(outChannels, generator: generator);
        foreach (var batch in new long[] { 1, 3 })
        {
            var input = randn(batch, inChannels, size, 2 * size + 3, generator: generator);
            AssertExact($"{name}, batch {batch}", input, weight, bias,
                (i, w, b) => nn.functional.conv2d(i, w, b, strides: [stride, stride], padding: [kernel / 2, kernel / 2]));
        }
    }

    private static void AssertExact(string name, Tensor input, Tensor weight, Tensor bias, Func<Tensor, Tensor, Tensor, Tensor> conv)
    {
        var exact = conv(input.to(ScalarType.Float64), weight.to(ScalarType.Float64), bias.to(ScalarType.Float64));
        var error = RelativeError(conv(input, weight, bias), exact);
        Assert.True(error < 1e-5, $"{name}: relative error {error:E2}");
    }

    private static double RelativeError(Tensor actual, Tensor exact) =>
        (actual.to(ScalarType.Float64) - exact).abs().max().item<double>() / exact.abs().max().item<double>();
}
