// The reference these tests compare against is TorchSharp's AdamW and SGD, temporary scalars and all.
#pragma warning disable RS0030
using Ser.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Training.Tests.Optimizers;

/// <summary>The scalar-safe optimizers make TorchSharp's updates exactly: same parameters after several steps from the
/// same start, several groups and learning rates included.</summary>
public sealed class SafeOptimizerTests
{
    private static (Linear A, Linear B) Twins()
    {
        manual_seed(3);
        var a = nn.Linear(5, 4);
        var b = nn.Linear(5, 4);
        b.load_state_dict(a.state_dict());
        return (a, b);
    }

    // Drawn once and fed to both models: the global generator is shared with tests running in parallel.
    private static Tensor[] Inputs()
    {
        manual_seed(9);
        return Enumerable.Range(0, 6).Select(_ => randn(8, 5)).ToArray();
    }

    private static void Steps(Linear model, OptimizerHelper optimizer, Tensor[] inputs)
    {
        foreach (var x in inputs)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            model.forward(x).pow(Ser.Core.Runtime.Scalars.OfInteger(2)).mean().backward();
            optimizer.step();
        }
    }

    private static void AssertSame(Linear expected, Linear actual)
    {
        Assert.True(expected.weight!.equal(actual.weight!).all().item<bool>(), "weights differ");
        Assert.True(expected.bias!.equal(actual.bias!).all().item<bool>(), "biases differ");
    }

    [Fact]
    public void SafeAdamW_equals_TorchSharps_AdamW_with_two_groups()
    {
        var (a, b) = Twins();
        using var reference = optim.AdamW([
            new AdamW.ParamGroup([a.weight!], 1e-2, 0.9, 0.999, 1e-8, 0.05, false, false),
            new AdamW.ParamGroup([a.bias!], 3e-2, 0.9, 0.999, 1e-8, 0.05, false, false)]);
        using var safe = new SafeAdamW([([b.weight!], 1e-2), ([b.bias!], 3e-2)], 0.05);

        var inputs = Inputs();
        Steps(a, reference, inputs);
        Steps(b, safe, inputs);

        AssertSame(a, b);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SafeSgd_equals_TorchSharps_SGD(bool nesterov)
    {
        var (a, b) = Twins();
        using var reference = optim.SGD(a.parameters(), 0.05, momentum: 0.9, weight_decay: 1e-3, nesterov: nesterov);
        using var safe = new SafeSgd(b.parameters(), 0.05, momentum: 0.9, weightDecay: 1e-3, nesterov: nesterov);

        var inputs = Inputs();
        Steps(a, reference, inputs);
        Steps(b, safe, inputs);

        AssertSame(a, b);
    }
}
