using Ser.Core.Models.Wav2Vec2;
using Ser.Core.Runtime;
using Ser.Core.Tests.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.Wav2Vec2;

/// <summary>Every attention path (explicit, explicit in blocks of queries, SDPA) computes softmax(q·kᵀ/√d + mask)·v.</summary>
[Collection(DefaultGeneratorGroup.Name)]
public sealed class Wav2Vec2AttentionTests
{
    private const int Hidden = 16;
    private const int Heads = 2;

    // 50 frames: explicit in both precisions; 500 in float32: SDPA under autograd, the measured choice without; 500 in
    // bf16: explicit; 2,900: two blocks of queries (2 heads × 2,900² scores > 16 Mi elements) where explicit.
    [Theory]
    [InlineData(50, ScalarType.Float32, false)]
    [InlineData(500, ScalarType.Float32, false)]
    [InlineData(500, ScalarType.Float32, true)]
    [InlineData(2_900, ScalarType.Float32, false)]
    [InlineData(50, ScalarType.BFloat16, false)]
    [InlineData(500, ScalarType.BFloat16, false)]
    [InlineData(2_900, ScalarType.BFloat16, false)]
    public void Each_path_equals_the_formula_with_the_key_mask_applied(int frames, ScalarType dtype, bool autograd)
    {
        manual_seed(11);
        using var attention = new Wav2Vec2Attention(Hidden, Heads, dropout: 0.1);
        attention.eval();
        using var scope = NewDisposeScope();
        var x = randn(2, frames, Hidden);
        var mask = SecondClipPadded(frames);

        Tensor expected;
        using (no_grad()) expected = Reference(attention, x, mask);
        attention.to(dtype);
        Tensor actual;
        using (autograd ? null : inference_mode())
            actual = attention.forward(x.to(dtype), mask.to(dtype)).detach().to(ScalarType.Float64);

        var error = (actual - expected).abs().max().item<double>() / expected.abs().max().item<double>();
        Assert.True(error < (dtype == ScalarType.Float32 ? 1e-5 : 3e-2), $"relative error {error:E2}");
    }

    // Training on the CPU up to 384 frames: explicit attention, its probabilities multiplied by DropoutKernel's mask.
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void In_training_the_attention_probabilities_take_sers_dropout_mask(ScalarType dtype)
    {
        const int frames = 50;
        manual_seed(13);
        using var attention = new Wav2Vec2Attention(Hidden, Heads, dropout: 0.25);
        attention.train();
        using var scope = NewDisposeScope();
        var x = randn(2, frames, Hidden);
        var mask = SecondClipPadded(frames);

        Tensor expected;
        using (no_grad())
        {
            manual_seed(21);
            var dropped = DropoutKernel.Mask([2, Heads, frames, frames], dtype, 0.25, DropoutKernel.NextSeed());
            expected = Reference(attention, x, mask, dropped.to(ScalarType.Float64));
        }
        attention.to(dtype);
        manual_seed(21);
        var actual = attention.forward(x.to(dtype), mask.to(dtype));
        actual.sum().backward();

        var error = (actual.detach().to(ScalarType.Float64) - expected).abs().max().item<double>() / expected.abs().max().item<double>();
        Assert.True(error < (dtype == ScalarType.Float32 ? 1e-5 : 3e-2), $"relative error {error:E2}");
        Assert.All(attention.parameters(), p => Assert.True(p.grad is { } g && g.isfinite().all().item<bool>()));
    }

    [Fact]
    public void Long_clips_without_autograd_take_the_measured_choice_between_explicit_attention_and_SDPA()
    {
        using var attention = new Wav2Vec2Attention(Hidden, Heads, dropout: 0.0);
        attention.eval();
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = randn(1, 400, Hidden);

        var first = attention.forward(x, null);
        var second = attention.forward(x, null);

        Assert.Contains(MeasuredChoice.KeyAt("wav2vec2 attention 2x8 Float32 long", get_num_threads()), MeasuredChoice.Made.Keys);
        Assert.True(first.equal(second).all().item<bool>()); // the same computation on every call
    }

    [Fact]
    public void Masked_keys_do_not_change_the_output()
    {
        manual_seed(12);
        using var attention = new Wav2Vec2Attention(Hidden, Heads, dropout: 0.0);
        attention.eval();
        attention.to(ScalarType.BFloat16);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = randn(1, 2_900, Hidden).to(ScalarType.BFloat16);
        var mask = zeros(1, 1, 1, 2_900, dtype: ScalarType.BFloat16);
        mask[.., .., .., TensorIndex.Slice(2_000)] = tensor(float.MinValue, dtype: ScalarType.BFloat16);
        var changed = x.clone();
        changed[.., TensorIndex.Slice(2_000), ..] = randn(1, 900, Hidden).to(ScalarType.BFloat16);

        var first = attention.forward(x, mask)[.., TensorIndex.Slice(0, 2_000), ..];
        var second = attention.forward(changed, mask)[.., TensorIndex.Slice(0, 2_000), ..];

        Assert.True(first.equal(second).all().item<bool>());
    }

    // The additive key mask of two clips, the second's last third padding.
    private static Tensor SecondClipPadded(int frames)
    {
        var mask = zeros(2, 1, 1, frames);
        mask[1, .., .., TensorIndex.Slice(frames * 2 / 3)] = tensor(float.MinValue);
        return mask;
    }

    // The same function in float64 from the module's own weights, the probabilities times dropout's mask where given.
    private static Tensor Reference(Wav2Vec2Attention attention, Tensor x, Tensor mask, Tensor? dropped = null)
    {
        var w = attention.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float64));
        var x64 = x.to(ScalarType.Float64);
        long batch = x.shape[0], frames = x.shape[1], headDim = Hidden / Heads;
        Tensor Project(string name) => nn.functional.linear(x64, w[name + ".weight"], w[name + ".bias"])
            .view(batch, frames, Heads, headDim).transpose(1, 2);
        var scores = Project("q_proj").matmul(Project("k_proj").transpose(-2, -1)).div(Scalars.Of(Math.Sqrt(headDim))).add(mask.to(ScalarType.Float64), Scalars.One);
        var probabilities = dropped is null ? scores.softmax(-1) : scores.softmax(-1).mul(dropped);
        var context = probabilities.matmul(Project("v_proj")).transpose(1, 2).reshape(batch, frames, Hidden);
        return nn.functional.linear(context, w["out_proj.weight"], w["out_proj.bias"]);
    }
}
