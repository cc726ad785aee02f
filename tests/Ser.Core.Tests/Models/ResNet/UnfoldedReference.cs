using Ser.Core.Models.ResNet;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.ResNet;

/// <summary>The folded copy's paths checked against the model they were folded from.</summary>
internal static class UnfoldedReference
{
    /// <summary>forward(x) equals the model's eval-mode logits within 1e-4 of their largest magnitude, for seeded random
    /// inputs of each [batch, channels, height, width].</summary>
    public static void AssertMatches(ResNet18 model, Func<Tensor, Tensor> forward, long channels,
        IEnumerable<(long Batch, long Height, long Width)> shapes, int seed)
    {
        var generator = new Generator((ulong)seed);
        foreach (var (batch, height, width) in shapes)
        {
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            var x = randn(batch, channels, height, width, generator: generator);

            var expected = model.forward(x);
            var actual = forward(x);

            Assert.Equal(expected.shape, actual.shape);
            var error = (actual - expected).abs().max().item<float>() / expected.abs().max().item<float>();
            Assert.True(error < 1e-4, $"[{batch}, {channels}, {height}, {width}]: relative error {error}");
        }
    }
}
