using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

/// <summary>AdamWKernel: PyTorch's AdamW update in one pass, the same bits on any thread count.</summary>
public sealed class AdamWKernelTests
{
    private const double Lr = 1e-2, Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8, Decay = 0.05;

    // 100,003 elements: split between threads, with a tail shorter than a vector.
    private const int Elements = 100_003;

    [Fact]
    public void Three_steps_follow_the_float64_formula()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        var (p, m, v) = (randn([Elements], generator: generator), zeros(Elements), zeros(Elements));
        var (p64, m64, v64) = (p.to(ScalarType.Float64), m.to(ScalarType.Float64), v.to(ScalarType.Float64));

        for (var step = 1; step <= 3; step++)
        {
            var g = randn([Elements], generator: generator).mul(Scalars.Of(0.1));
            AdamWKernel.Step(p, g, m, v, Lr, Beta1, Beta2, Eps, Decay, step);

            var g64 = g.to(ScalarType.Float64);
            m64 = m64.mul(Scalars.Of(Beta1)).add(g64.mul(Scalars.Of(1 - Beta1)), Scalars.One);
            v64 = v64.mul(Scalars.Of(Beta2)).add(g64.mul(g64).mul(Scalars.Of(1 - Beta2)), Scalars.One);
            var denominator = v64.sqrt().div(Scalars.Of(Math.Sqrt(1 - Math.Pow(Beta2, step)))).add(Scalars.Of(Eps), Scalars.One);
            p64 = p64.mul(Scalars.Of(1 - Lr * Decay)) - m64.div(denominator).mul(Scalars.Of(Lr / (1 - Math.Pow(Beta1, step))));
        }

        Assert.True(RelativeError(p, p64) < 1e-6, $"parameter {RelativeError(p, p64):E2}");
        Assert.True(RelativeError(m, m64) < 1e-6, $"first moment {RelativeError(m, m64):E2}");
        Assert.True(RelativeError(v, v64) < 1e-6, $"second moment {RelativeError(v, v64):E2}");
    }

    [Fact]
    public void Its_bits_do_not_depend_on_the_thread_count()
    {
        using var scope = NewDisposeScope();
        Tensor[] Stepped(int threads)
        {
            using var generator = new Generator(5);
            var (p, m, v) = (randn([Elements], generator: generator), zeros(Elements), zeros(Elements));
            using var use = IntraOpThreads.Use(threads);
            for (var step = 1; step <= 2; step++)
                AdamWKernel.Step(p, randn([Elements], generator: generator), m, v, Lr, Beta1, Beta2, Eps, Decay, step);
            return [p, m, v];
        }

        var (one, three) = (Stepped(1), Stepped(3));
        for (var i = 0; i < 3; i++) Assert.True(one[i].equal(three[i]).all().item<bool>(), $"tensor {i}");
    }

    [Fact]
    public void Other_dtypes_layouts_and_shapes_are_not_supported_and_refused()
    {
        using var scope = NewDisposeScope();
        var x = zeros(4, 6);
        Assert.True(AdamWKernel.Supports(x, zeros(4, 6), zeros(4, 6), zeros(4, 6)));
        Assert.False(AdamWKernel.Supports(x.to(ScalarType.Float64), zeros(4, 6), zeros(4, 6), zeros(4, 6)));
        Assert.False(AdamWKernel.Supports(x, zeros(6, 4).t(), zeros(4, 6), zeros(4, 6)));
        Assert.False(AdamWKernel.Supports(x, zeros(4, 6), zeros(24), zeros(4, 6)));
        Assert.False(AdamWKernel.Supports(x, zeros(4, 6), zeros(4, 6), zeros(4, 6, dtype: ScalarType.BFloat16)));
        Assert.Throws<ArgumentException>(() => AdamWKernel.Step(x, zeros(4, 6), zeros(24), zeros(4, 6), Lr, Beta1, Beta2, Eps, Decay, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => AdamWKernel.Step(x, zeros(4, 6), zeros(4, 6), zeros(4, 6), Lr, Beta1, Beta2, Eps, Decay, 0));
    }

    private static double RelativeError(Tensor actual, Tensor expected) =>
        (actual.to(ScalarType.Float64) - expected).abs().max().item<double>() / expected.abs().max().item<double>();
}
