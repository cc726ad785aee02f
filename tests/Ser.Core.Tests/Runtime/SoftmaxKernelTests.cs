using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

/// <summary>Ser's softmax (SoftmaxKernel): libtorch's softmax over the last dimension with float32's error, exact zeros
/// where libtorch's are, at any row length and thread count. Skipped on CPUs without AVX-512.</summary>
public sealed class SoftmaxKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(124)]
    [InlineData(1000)]
    public void It_matches_libtorchs_softmax_at_any_row_length(int length)
    {
        KernelSupport.RequireAvx512("softmax runs on libtorch");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn([3, 7, length], generator: new Generator(7)).mul(Scalars.Of(4));
        var expected = x.softmax(-1);

        var actual = SoftmaxKernel.ForwardInPlace(x.clone());

        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-7), $"max |Δ| {(actual - expected).abs().max().item<float>():E2}");
        Assert.True(actual.sum(-1).allclose(ones(3, 7), rtol: 1e-5, atol: 1e-6));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(149)]
    public void Bfloat16_rows_match_libtorchs_to_its_rounding(int length)
    {
        KernelSupport.RequireAvx512("softmax runs on libtorch");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn([2, 12, length], generator: new Generator(5)).mul(Scalars.Of(4)).to(ScalarType.BFloat16);
        var expected = x.softmax(-1).to(ScalarType.Float32);

        var actual = SoftmaxKernel.ForwardInPlace(x.clone());

        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        // Both compute in float32 and round to nearest even: at most one bfloat16 step apart (2⁻⁸ relative).
        Assert.True(actual.to(ScalarType.Float32).allclose(expected, rtol: 1.0 / 256, atol: 1e-9));
        Assert.True(actual.to(ScalarType.Float32).eq(expected).to(ScalarType.Float32).mean().item<float>() > 0.95, "nearly all bits equal");
    }

    [Fact]
    public void Masked_and_far_smaller_scores_get_the_zero_libtorch_gives_them()
    {
        KernelSupport.RequireAvx512("softmax runs on libtorch");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn([4, 40], generator: new Generator(3));
        x[0, TensorIndex.Slice(30)] = tensor(float.MinValue); // a padded clip's keys, as Wav2Vec2Encoder masks them
        x[1, TensorIndex.Slice(0, 5)] = tensor(float.NegativeInfinity);
        x[2, 7] = tensor(200f); // every other score more than 87 below it
        var expected = x.softmax(-1);

        var actual = SoftmaxKernel.ForwardInPlace(x.clone());

        Assert.True(actual.eq(Scalars.Of(0)).equal(expected.eq(Scalars.Of(0))).all().item<bool>(), "zeros where libtorch's are, and only there");
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-7));
    }

    [Fact]
    public void Rows_split_between_threads_give_the_same_bits_as_on_one()
    {
        KernelSupport.RequireAvx512("softmax runs on libtorch");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn([12, 124, 124], generator: new Generator(11)); // above the size that takes a team
        Tensor On(int threads)
        {
            using var share = IntraOpThreads.Use(threads);
            return SoftmaxKernel.ForwardInPlace(x.clone());
        }

        Assert.True(On(1).equal(On(Math.Max(2, get_num_threads()))).all().item<bool>());
    }

    [Fact]
    public void It_runs_only_where_it_can()
    {
        using var scope = NewDisposeScope();
        var x = randn(4, 16);
        using (no_grad())
        {
            Assert.Equal(KernelSupport.Avx512, SoftmaxKernel.Supports(x));
            Assert.False(SoftmaxKernel.Supports(x.t())); // not contiguous
            Assert.Equal(KernelSupport.Avx512, SoftmaxKernel.Supports(x.to(ScalarType.BFloat16)));
            Assert.False(SoftmaxKernel.Supports(x.to(ScalarType.Float16)));
            Assert.False(SoftmaxKernel.Supports(zeros(4, 0)));
        }
        Assert.False(SoftmaxKernel.Supports(x)); // autograd on: libtorch's softmax keeps what its backward needs
        Assert.Throws<InvalidOperationException>(() => SoftmaxKernel.ForwardInPlace(x));
    }
}
