// The reference these tests compare against is TorchSharp's BatchNorm2d, temporary scalars and all.
#pragma warning disable RS0030
using Ser.Core.Models.ResNet;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.ResNet;

/// <summary>SafeBatchNorm2d is TorchSharp's BatchNorm2d with the batch count kept by a cached scalar: same state names,
/// same outputs and running statistics in training and evaluation.</summary>
public sealed class SafeBatchNorm2dTests
{
    [Fact]
    public void Outputs_running_statistics_and_state_names_equal_TorchSharps_BatchNorm2d()
    {
        using var reference = nn.BatchNorm2d(3);
        using var safe = new SafeBatchNorm2d(3);
        Assert.Equal(reference.state_dict().Keys.Order(), safe.state_dict().Keys.Order());
        manual_seed(4);
        using (no_grad())
        {
            reference.weight!.uniform_(0.5, 1.5);
            safe.weight!.copy_(reference.weight);
        }

        for (var i = 0; i < 4; i++)
        {
            using var x = randn(2, 3, 5, 7);
            using var expected = reference.forward(x);
            using var actual = safe.forward(x);
            Assert.True(expected.equal(actual).all().item<bool>(), $"training output {i} differs");
        }
        var state = reference.state_dict();
        foreach (var (name, tensor) in safe.state_dict())
            Assert.True(tensor.equal(state[name]).all().item<bool>(), $"{name} differs");
        Assert.Equal(4, safe.num_batches_tracked!.item<long>());

        reference.eval();
        safe.eval();
        using var probe = randn(1, 3, 4, 4);
        Assert.True(reference.forward(probe).equal(safe.forward(probe)).all().item<bool>(), "evaluation output differs");
        Assert.Throws<ArgumentException>(() => safe.forward(randn(3, 4)));
    }
}
