using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

/// <summary>Ser's dropout (DropoutKernel): libtorch's dropout semantics (a fraction p zeroed, the rest scaled by 1/(1−p),
/// gradients through the kept elements), its masks decided by libtorch's generator, the same bits on any thread count.</summary>
[Collection(DefaultGeneratorGroup.Name)]
public sealed class DropoutKernelTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void It_zeroes_about_p_of_the_elements_and_scales_the_rest_by_one_over_one_minus_p(double p)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var x = ones(1_000, 1_000);

        var y = DropoutKernel.Forward(x, p, training: true);

        var dropped = y.eq(Scalars.Of(0.0)).to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(dropped, p - 0.002, p + 0.002); // σ ≤ 0.0005 at a million elements
        var kept = y.masked_select(y.ne(Scalars.Of(0.0)));
        Assert.True(kept.eq(Scalars.Of((float)(1.0 / (1.0 - p)))).all().item<bool>());
    }

    [Fact]
    public void Neighbouring_elements_are_dropped_independently()
    {
        using var scope = NewDisposeScope();
        var keep = DropoutKernel.Mask([2_000_000], ScalarType.Float32, 0.5, seed: 3).ne(Scalars.Of(0.0)).to(ScalarType.Float64);
        var centred = keep - keep.mean();

        // Next element, next row of a 768-wide tensor: correlations of a fair mask stay within a few 1e-3.
        foreach (var lag in new[] { 1, 768 })
        {
            var n = centred.shape[0] - lag;
            var correlation = (centred.narrow(0, 0, n) * centred.narrow(0, lag, n)).mean().item<double>() / centred.mul(centred).mean().item<double>();
            Assert.InRange(correlation, -0.005, 0.005);
        }
    }

    [Fact]
    public void Libtorchs_generator_decides_the_masks()
    {
        using var scope = NewDisposeScope();
        var x = randn(64, 768);

        manual_seed(5);
        var first = DropoutKernel.Forward(x, 0.1, training: true);
        var second = DropoutKernel.Forward(x, 0.1, training: true);
        manual_seed(5);
        var again = DropoutKernel.Forward(x, 0.1, training: true);

        Assert.True(first.equal(again).all().item<bool>());
        Assert.False(first.equal(second).all().item<bool>()); // each call draws its own seed
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void Its_bits_do_not_depend_on_the_thread_count(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        Tensor Drawn(int threads)
        {
            using var use = IntraOpThreads.Use(threads);
            return DropoutKernel.Mask([3, 300_001], dtype, 0.25, seed: 11);
        }

        Assert.True(Drawn(1).equal(Drawn(3)).all().item<bool>());
    }

    [Fact]
    public void Bfloat16_masks_hold_the_scale_rounded_to_bfloat16()
    {
        using var scope = NewDisposeScope();
        var mask = DropoutKernel.Mask([100_000], ScalarType.BFloat16, 0.1, seed: 2);
        var scale = tensor((float)(1.0 / 0.9)).to(ScalarType.BFloat16);

        Assert.Equal(ScalarType.BFloat16, mask.dtype);
        Assert.True(mask.eq(scale).logical_or(mask.eq(Scalars.Of(0.0))).all().item<bool>());
        Assert.True(mask.eq(scale).any().item<bool>());
    }

    [Fact]
    public void Gradients_flow_through_the_kept_elements_only()
    {
        using var scope = NewDisposeScope();
        var x = randn(32, 100).requires_grad_(true);

        var y = DropoutKernel.Forward(x, 0.5, training: true);
        y.sum().backward();

        var expected = where(y.detach().ne(Scalars.Of(0.0)), tensor(2f), tensor(0f));
        Assert.True(x.grad!.equal(expected).all().item<bool>());
    }

    [Fact]
    public void Out_of_training_or_at_p_zero_the_input_passes_unchanged()
    {
        using var scope = NewDisposeScope();
        var x = randn(8, 16);

        Assert.True(DropoutKernel.Forward(x, 0.3, training: false).equal(x).all().item<bool>());
        Assert.True(DropoutKernel.Forward(x, 0.0, training: true).equal(x).all().item<bool>());
        using var layer = nn.Dropout(0.3);
        layer.eval();
        Assert.True(DropoutKernel.Forward(layer, x).equal(x).all().item<bool>());
    }

    [Fact]
    public void Other_tensors_and_p_one_take_libtorchs_dropout()
    {
        using var scope = NewDisposeScope();
        var x = ones(1_000, 100, dtype: ScalarType.Float64);

        Assert.False(DropoutKernel.Supports(x));
        var y = DropoutKernel.Forward(x, 0.2, training: true);
        var dropped = y.eq(Scalars.Of(0.0)).to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(dropped, 0.19, 0.21);
        Assert.True(DropoutKernel.Forward(ones(10), 1.0, training: true).eq(Scalars.Of(0.0)).all().item<bool>());
    }

    [Fact]
    public void A_mask_over_2_GiB_is_refused_before_it_is_allocated()
    {
        // 600 M float32 elements: 2.4 GB, past what a span reaches.
        var error = Assert.Throws<ArgumentException>(() => DropoutKernel.Mask([600_000, 1_000], ScalarType.Float32, 0.1, seed: 1));
        Assert.Equal("shape", error.ParamName);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public void A_probability_outside_zero_to_one_is_refused(double p)
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutKernel.Forward(ones(4), p, training: true));
    }
}
