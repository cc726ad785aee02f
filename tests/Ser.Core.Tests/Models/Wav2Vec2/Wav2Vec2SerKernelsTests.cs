using Ser.Core.Models;
using Ser.Core.Models.Wav2Vec2;
using Ser.Core.Runtime;
using Ser.Core.Tests.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.Wav2Vec2;

/// <summary>wav2vec2 on Ser's kernels (the feature encoder's layers, the linear layers, attention): the same function as
/// the model in float64 with float32's error, whatever the thread count, at AVX-512 or AVX2 (CI runs these again with
/// .NET's AVX-512 disabled). Skipped on CPUs with neither.</summary>
public sealed class Wav2Vec2SerKernelsTests
{
    // wav2vec2-tiny with wider layers of two widths (multiples of 64, as the kernels take) and heads of 64.
    private static readonly Wav2Vec2Config Config = ModelPresets.Wav2Vec2Tiny.Wav2Vec2! with
    {
        ConvDim = [64, 128, 64, 64, 128, 64, 64],
        HiddenSize = 128,
        IntermediateSize = 256,
        NumAttentionHeads = 2,
    };

    private static void RequireProductBlock()
    {
        KernelSupport.RequireProductBlock("wav2vec2 runs on libtorch's kernels");
    }

    // The model ready for inference in float32, and the same weights in float64.
    private static (Wav2Vec2ForSequenceClassification Model, Wav2Vec2ForSequenceClassification Exact) Models(int seed)
    {
        manual_seed(seed);
        var model = new Wav2Vec2ForSequenceClassification(Config);
        var exact = Copy(model, ScalarType.Float64);
        model.eval();
        model.PrepareForInference();
        return (model, exact);
    }

    // A model with the same weights, in eval mode, as constructed (weights laid out for training).
    private static Wav2Vec2ForSequenceClassification Copy(Wav2Vec2ForSequenceClassification model, ScalarType dtype)
    {
        var copy = new Wav2Vec2ForSequenceClassification(Config);
        copy.to(dtype);
        using (no_grad())
            foreach (var (name, p) in model.state_dict()) copy.state_dict()[name].copy_(p);
        copy.eval();
        return copy;
    }

    private static double Error(Tensor actual, Tensor exact) =>
        (actual.to(ScalarType.Float64) - exact).abs().max().item<double>() / exact.abs().max().item<double>();

    [Fact]
    public void The_feature_encoder_on_the_kernel_keeps_float32s_error_and_its_bits_on_any_thread_count()
    {
        RequireProductBlock();
        var (model, exact) = Models(seed: 3);
        using (model)
        using (exact)
        {
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            var encoder = model.Backbone.FeatureEncoder;
            Assert.True(encoder.RunsOnKernel);
            // Odd lengths (a paired layer's odd last frame), a batch, and a clip of one output frame.
            foreach (var shape in new long[][] { [2, 16037], [1, 8000], [1, 400] })
            {
                var samples = randn(shape, generator: new Generator((ulong)shape[1])).mul(Scalars.Of(0.3));
                var expected = exact.Backbone.FeatureEncoder.forward(samples.to(ScalarType.Float64));
                Tensor OnThreads(int threads)
                {
                    using var use = IntraOpThreads.Use(threads);
                    return encoder.ForwardOnKernel(samples);
                }
                var one = OnThreads(1);
                var torchs = encoder.ForwardTimeMajor(samples);

                Assert.Equal(expected.shape, one.shape);
                var (serError, torchError) = (Error(one, expected), Error(torchs, expected));
                Assert.True(serError <= (4 * torchError) + 1e-6, $"{shape[1]} samples: {serError} against libtorch's {torchError}");
                Assert.True(one.equal(OnThreads(3)).all().item<bool>(), $"{shape[1]} samples: the thread count changed the output bits");
            }
        }
    }

    [Fact]
    public void The_feature_encoders_kernel_is_measured_where_libtorchs_convolutions_beat_its_time_major_products()
    {
        RequireProductBlock();
        manual_seed(7);
        using var model = new Wav2Vec2ForSequenceClassification(Config);
        model.eval();
        model.PrepareForInference();
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var samples = randn([1, 16000], generator: new Generator(2)).mul(Scalars.Of(0.3));
        var encoder = $"wav2vec2 feature encoder {string.Join(',', Config.ConvDim)}/";
        bool Measured(string form, int threads) => MeasuredChoice.Made.Keys.Any(k => k.StartsWith(encoder, StringComparison.Ordinal)
            && k.EndsWith(MeasuredChoice.KeyAt(form, threads), StringComparison.Ordinal));
        using (IntraOpThreads.Use(1)) model.forward(samples, null);
        Assert.True(Measured("tap-major", 1) && Measured("Float32 kernel", 1));
        // On 5 threads, libtorch's choice made first: its convolutions kept (the time-major form disagrees).
        var products = MeasuredChoice.Made.Keys.Single(k => k.StartsWith(encoder, StringComparison.Ordinal)
            && k.EndsWith(MeasuredChoice.KeyAt("tap-major", 1), StringComparison.Ordinal))[..^MeasuredChoice.KeyAt("", 1).Length];
        using var five = IntraOpThreads.Use(5);
        Assert.False(MeasuredChoice.PrefersSecond(products, () => zeros(1), x => x, _ => ones(1)));

        model.forward(samples, null);

        Assert.True(Measured("Float32 kernel", 5), "the kernel was not measured against libtorch's convolutions");
    }

    [Fact]
    public void Attention_on_the_kernel_keeps_float32s_error_with_a_padded_batch()
    {
        RequireProductBlock();
        manual_seed(9);
        using var attention = new Wav2Vec2Attention(Config.HiddenSize, Config.NumAttentionHeads, 0.0);
        attention.eval();
        using var exact = new Wav2Vec2Attention(Config.HiddenSize, Config.NumAttentionHeads, 0.0);
        exact.to(ScalarType.Float64);
        exact.eval();
        using var scope = NewDisposeScope();
        using (no_grad())
            foreach (var (name, p) in attention.state_dict()) exact.state_dict()[name].copy_(p);
        var x = randn([2, 70, Config.HiddenSize], generator: new Generator(4));
        // The key mask the encoder builds for a batch whose second clip has 52 frames.
        var mask = zeros(2, 1, 1, 70);
        mask[1, 0, 0, TensorIndex.Slice(52)] = tensor(float.MinValue);
        var expected = exact.forward(x.to(ScalarType.Float64), mask.to(ScalarType.Float64));
        Tensor torchs;
        using (enable_grad()) torchs = attention.forward(x, mask).detach(); // autograd on: libtorch's operators only

        Tensor ours;
        using (inference_mode()) ours = attention.ForwardOnKernel(x, mask);

        var (serError, torchError) = (Error(ours, expected), Error(torchs, expected));
        Assert.True(serError <= (4 * torchError) + 1e-6, $"{serError} against libtorch's {torchError}");
    }

    [Fact]
    public void The_whole_model_ready_for_inference_keeps_float32s_error()
    {
        RequireProductBlock();
        var (model, exact) = Models(seed: 5);
        using (model)
        using (exact)
        {
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            var samples = randn([2, 24000], generator: new Generator(11)).mul(Scalars.Of(0.3));
            // The second clip padded: attention's key mask.
            foreach (var lengths in new[] { null, tensor(new long[] { 24000, 17000 }) })
            {
                var expected = exact.forward(samples.to(ScalarType.Float64), lengths);

                // The same weights as loaded, not readied: no Ser kernel can run on them.
                using var plain = Copy(model, ScalarType.Float32);

                var logits = model.forward(samples, lengths);
                var torchs = plain.forward(samples, lengths);

                var (serError, torchError) = (Error(logits, expected), Error(torchs, expected));
                Assert.True(serError <= (4 * torchError) + 1e-6, $"padded {lengths is not null}: {serError} against libtorch's {torchError}");
            }
        }
    }
}
