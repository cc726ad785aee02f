using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

/// <summary>Attention on Ser's kernel (AttentionKernel, AVX-512 or AVX2): the same function as libtorch's
/// softmax(q·kᵀ/8 + mask)·v with float32's error, at any length, padding and thread count, and bfloat16 projections in
/// float32. Skipped on CPUs with neither.</summary>
public sealed class AttentionKernelTests
{
    private static void RequireKernel()
    {
        KernelSupport.RequireProductBlock("attention runs on libtorch");
    }

    // libtorch's attention on projections [batch, frames, heads × 64], heads merged again, in the projections' dtype.
    private static Tensor OnLibTorch(Tensor q, Tensor k, Tensor v, Tensor? mask, int heads)
    {
        long batch = q.shape[0], frames = q.shape[1];
        Tensor Heads(Tensor t) => t.view(batch, frames, heads, 64).transpose(1, 2);
        var scores = matmul(Heads(q), Heads(k).transpose(-2, -1)).div(Scalars.Of(8));
        if (mask is not null) scores = scores.add(mask.to(q.dtype), Scalars.One);
        return matmul(scores.softmax(-1), Heads(v)).transpose(1, 2).reshape(batch, frames, heads * 64);
    }

    // The additive key mask a padded batch gets (as Wav2Vec2Encoder builds it): the dtype's lowest value on padding.
    private static Tensor Mask(long[] frames, long length)
    {
        var mask = zeros(frames.Length, 1, 1, length);
        for (var b = 0; b < frames.Length; b++)
            if (frames[b] < length) mask[b, 0, 0, TensorIndex.Slice(frames[b])] = tensor(float.MinValue);
        return mask;
    }

    // Every clip's frames, the last one padded from `paddedFrom` on where that is above 0.
    private static long[] Lengths(int batch, int frames, int paddedFrom) =>
        [.. Enumerable.Range(0, batch).Select(b => b == batch - 1 && paddedFrom > 0 ? (long)paddedFrom : frames)];

    // Seeded random q, k and v of one shape.
    private static (Tensor Q, Tensor K, Tensor V) Projections(long[] shape, ulong seed)
    {
        var generator = new Generator(seed);
        return (randn(shape, generator: generator), randn(shape, generator: generator), randn(shape, generator: generator));
    }

    private static double Error(Tensor actual, Tensor exact) =>
        (actual.to(ScalarType.Float64) - exact).abs().max().item<double>() / exact.abs().max().item<double>();

    [Theory]
    [InlineData(1, 1, 1, 0)] // one frame: one key, 63 of padding
    [InlineData(1, 5, 2, 0)] // fewer keys than one vector
    [InlineData(1, 149, 12, 0)] // a 3 s clip of wav2vec2-base: 3 blocks of queries and a short one
    [InlineData(2, 128, 2, 70)] // whole panels; the second clip padded from frame 70 on
    [InlineData(3, 601, 1, 300)] // sums over 3 passes of the values, the last partial; 300 frames of padding
    public void The_kernel_keeps_float32s_error_with_and_without_padding(int batch, int frames, int heads, int paddedFrom)
    {
        RequireKernel();
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var (q, k, v) = Projections([batch, frames, heads * 64], seed: (ulong)((batch * 1000) + frames));
        q = q.mul(Scalars.Of(2)); // sharper softmax rows
        var mask = paddedFrom > 0 ? Mask(Lengths(batch, frames, paddedFrom), frames) : null;
        var exact = OnLibTorch(q.to(ScalarType.Float64), k.to(ScalarType.Float64), v.to(ScalarType.Float64), mask, heads);

        var ours = AttentionKernel.Forward(q, k, v, mask, heads);
        var torchs = OnLibTorch(q, k, v, mask, heads);

        Assert.Equal(torchs.shape, ours.shape);
        var (serError, torchError) = (Error(ours, exact), Error(torchs, exact));
        Assert.True(serError <= (4 * torchError) + 2e-7, $"{serError} against libtorch's {torchError}");
    }

    [Theory]
    [InlineData(1, 149, 12, 0)]
    [InlineData(2, 128, 2, 70)]
    public void Bfloat16_projections_are_attended_in_float32_and_rounded_once(int batch, int frames, int heads, int paddedFrom)
    {
        RequireKernel();
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var (q, k, v) = Projections([batch, frames, heads * 64], seed: (ulong)frames);
        (q, k, v) = (q.mul(Scalars.Of(2)).to(ScalarType.BFloat16), k.to(ScalarType.BFloat16), v.to(ScalarType.BFloat16));
        var mask = paddedFrom > 0 ? Mask(Lengths(batch, frames, paddedFrom), frames).to(ScalarType.BFloat16) : null; // as a bfloat16 model builds it
        Tensor Wide(Tensor t) => t.to(ScalarType.Float32);
        var exact = OnLibTorch(q.to(ScalarType.Float64), k.to(ScalarType.Float64), v.to(ScalarType.Float64), mask, heads);

        var ours = AttentionKernel.Forward(q, k, v, mask, heads);
        var torchs = OnLibTorch(q, k, v, mask, heads);

        Assert.Equal(ScalarType.BFloat16, ours.dtype);
        var wide = AttentionKernel.Forward(Wide(q), Wide(k), Wide(v), mask is null ? null : Wide(mask), heads);
        Assert.True(ours.equal(wide.to(ScalarType.BFloat16)).all().item<bool>(), "not the float32 result rounded once");
        var (serError, torchError) = (Error(ours, exact), Error(torchs, exact));
        Assert.True(serError <= torchError && serError < 1.0 / 256, $"{serError} against libtorch's bfloat16 {torchError}");
    }

    [Fact]
    public void Padded_keys_get_no_weight()
    {
        RequireKernel();
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var (q, k, v) = Projections([1, 90, 64], seed: 5);

        var padded = AttentionKernel.Forward(q, k, v, Mask([40], 90), heads: 1);
        // Whatever the padding holds, the first 40 frames' context is the 40-frame clip's.
        k[0, TensorIndex.Slice(40)] = tensor(1e4f);
        v[0, TensorIndex.Slice(40)] = tensor(-1e4f);
        var refilled = AttentionKernel.Forward(q, k, v, Mask([40], 90), heads: 1);
        var alone = AttentionKernel.Forward(q[.., ..40], k[.., ..40], v[.., ..40], null, heads: 1);

        Assert.True(padded[.., ..40].allclose(alone[.., ..40], rtol: 1e-5, atol: 1e-6));
        Assert.True(refilled[.., ..40].allclose(alone[.., ..40], rtol: 1e-5, atol: 1e-6));
        Assert.False(refilled.isnan().any().item<bool>());
    }

    [Fact]
    public void Outputs_are_the_same_bits_on_any_thread_count()
    {
        RequireKernel();
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var (q, k, v) = Projections([2, 149, 128], seed: 8);
        var mask = Mask([149, 100], 149);
        Tensor OnThreads(int threads)
        {
            using var use = IntraOpThreads.Use(threads);
            return AttentionKernel.Forward(q, k, v, mask, heads: 2);
        }

        // 16 blocks of queries: 3 threads split heads and blocks unevenly.
        Assert.True(OnThreads(1).equal(OnThreads(3)).all().item<bool>(), "the thread count changed the output bits");
    }

    [Fact]
    public void Calls_it_cannot_compute_are_refused()
    {
        using var scope = NewDisposeScope();
        var x = randn(1, 10, 128);
        var cases = new (string What, Tensor Q, Tensor? Mask, int Heads, bool Grad)[]
        {
            ("autograd on", x, null, 2, true),
            ("heads of 32", x, null, 4, false),
            ("float64", x.to(ScalarType.Float64), null, 2, false),
            ("a bfloat16 query of float32 keys", x.to(ScalarType.BFloat16), null, 2, false),
            ("a mask of another shape", x, zeros(1, 10), 2, false),
            ("[frames, hidden]", x[0], null, 2, false),
        };
        foreach (var (what, q, mask, heads, grad) in cases)
        {
            using var mode = grad ? enable_grad() : no_grad();
            Assert.False(AttentionKernel.Supports(q, x, x, mask, heads), what);
            Assert.Throws<InvalidOperationException>(() => AttentionKernel.Forward(q, x, x, mask, heads));
        }
    }
}
