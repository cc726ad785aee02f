// The reference these tests compare against is TorchSharp's AdamW and SGD, temporary scalars and all.
#pragma warning disable RS0030
using Ser.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Training.Tests.Optimizers;

/// <summary>The scalar-safe optimizers make TorchSharp's updates: the same parameters after several steps from the same
/// start, several groups and learning rates included; exactly where they run libtorch's operators, within float32's
/// rounding where AdamW runs on Ser's kernel (float32 on the CPU).</summary>
public sealed class SafeOptimizerTests
{
    private static (Linear A, Linear B) Twins(ScalarType dtype = ScalarType.Float32)
    {
        manual_seed(3);
        var a = nn.Linear(5, 4);
        var b = nn.Linear(5, 4);
        b.load_state_dict(a.state_dict());
        a.to(dtype);
        b.to(dtype);
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
            model.forward(x.to(model.weight!.dtype)).pow(Ser.Core.Runtime.Scalars.OfInteger(2)).mean().backward();
            optimizer.step();
        }
    }

    private static void AssertSame(Linear expected, Linear actual)
    {
        Assert.True(expected.weight!.equal(actual.weight!).all().item<bool>(), "weights differ");
        Assert.True(expected.bias!.equal(actual.bias!).all().item<bool>(), "biases differ");
    }

    // Each weight within a few float32 roundings of its value after six steps (a step moves it by ~1e-2).
    private static void AssertWithinFloat32Rounding(Linear expected, Linear actual)
    {
        foreach (var (e, a) in new[] { (expected.weight!, actual.weight!), (expected.bias!, actual.bias!) })
        {
            var error = (e - a).abs().max().item<float>() / e.abs().max().item<float>();
            Assert.True(error < 1e-6, $"relative error {error:E2}");
        }
    }

    // Float64: libtorch's operators, as TorchSharp's step calls them; float32: Ser's one-pass kernel.
    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void SafeAdamW_equals_TorchSharps_AdamW_with_two_groups(ScalarType dtype)
    {
        var (a, b) = Twins(dtype);
        using var reference = optim.AdamW([
            new AdamW.ParamGroup([a.weight!], 1e-2, 0.9, 0.999, 1e-8, 0.05, false, false),
            new AdamW.ParamGroup([a.bias!], 3e-2, 0.9, 0.999, 1e-8, 0.05, false, false)]);
        using var safe = new SafeAdamW([([b.weight!], 1e-2), ([b.bias!], 3e-2)], 0.05);

        var inputs = Inputs();
        Steps(a, reference, inputs);
        Steps(b, safe, inputs);

        if (dtype == ScalarType.Float64) AssertSame(a, b);
        else AssertWithinFloat32Rounding(a, b);
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
