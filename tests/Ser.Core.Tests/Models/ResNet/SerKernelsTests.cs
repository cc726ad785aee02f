using System.Runtime.Intrinsics.X86;
using Ser.Core.Models.ResNet;
using Ser.Core.Runtime;
using Ser.Core.Tests.Runtime;
using TorchSharp;
using Ser.Tests;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.ResNet;

/// <summary>ResNet18 on Ser's own convolutions (FusedResNet18.ForwardOnSerKernels): the same function as the unfused
/// model at every size and batch, whatever the thread count. CI runs these again with .NET's AVX-512 disabled, where
/// the kernels take their AVX2 form. Skipped on CPUs with neither AVX-512 nor AVX2 and FMA.</summary>
public sealed class SerKernelsTests
{
    private static readonly string Weights = TestPaths.Fixture("resnet18", "model.safetensors");

    private static void RequireKernels()
    {
        KernelSupport.RequireProductBlock("ResNet18 runs on libtorch's kernels");
    }

    [Fact]
    public void Batches_window_sizes_and_three_channel_inputs_give_the_unfolded_models_logits()
    {
        RequireKernels();
        using var model = new ResNet18(6, inChannels: 3);
        ResNetCheckpoint.LoadInto(model, Weights);
        model.eval();
        using var fused = new FusedResNet18(model);
        Assert.True(fused.HasSerKernels);
        // Odd and even sides at every stage, maps down to one pixel, pixel counts that leave partial blocks of 6.
        UnfoldedReference.AssertMatches(model, fused.ForwardOnSerKernels, 3,
            [(1, 128, 301), (3, 64, 101), (2, 40, 61), (1, 4, 7), (1, 3, 3), (2, 66, 100)], seed: 5);
    }

    [Fact]
    public void The_one_channel_preset_matches_the_unfolded_model_and_gives_the_same_bits_on_any_thread_count()
    {
        RequireKernels();
        using var model = new ResNet18(6, inChannels: 1);
        model.eval();
        using var fused = new FusedResNet18(model);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        // Batch 2 so work splits across images, groups of 64 channels and blocks of pixels alike.
        var x = randn(2, 1, 128, 301, generator: new Generator(9));

        var expected = model.forward(x);
        Tensor OnThreads(int threads)
        {
            using var use = IntraOpThreads.Use(threads);
            return fused.ForwardOnSerKernels(x);
        }
        var one = OnThreads(1);
        var three = OnThreads(3);

        var error = (one - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(error < 1e-4, $"relative error {error}");
        Assert.True(one.equal(three).all().item<bool>(), "the thread count changed the output bits");
    }

    [Fact]
    public void The_winograd_layers_keep_the_error_of_float32_convolutions()
    {
        RequireKernels();
        using var model = new ResNet18(6, inChannels: 1);
        model.eval();
        using var exact = new ResNet18(6, inChannels: 1);
        exact.to(ScalarType.Float64);
        exact.eval();
        using (no_grad())
            foreach (var (name, p) in model.state_dict()) exact.state_dict()[name].copy_(p);
        using var fused = new FusedResNet18(model);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var generator = new Generator(13);

        // Ser's every 3×3 stride-1 layer is F(2×2, 3×3); libtorch's float32 convolutions are direct or im2col. Both
        // against the model in float64, at the preset's window and at odd sides that leave partial tiles.
        double serWorst = 0, torchWorst = 0;
        foreach (var (batch, height, width) in new[] { (2L, 128L, 301L), (1L, 37L, 53L) })
        {
            var x = randn(batch, 1, height, width, generator: generator);
            var reference = exact.forward(x.to(ScalarType.Float64));
            var scale = reference.abs().max().item<double>();
            serWorst = Math.Max(serWorst, (fused.ForwardOnSerKernels(x).to(ScalarType.Float64) - reference).abs().max().item<double>() / scale);
            torchWorst = Math.Max(torchWorst, (model.forward(x).to(ScalarType.Float64) - reference).abs().max().item<double>() / scale);
        }

        Assert.True(serWorst <= 4 * torchWorst, $"relative error against float64: Ser's kernels {serWorst:E2}, libtorch float32 {torchWorst:E2}");
    }

    [Fact]
    public void Sers_kernels_run_wherever_the_cpu_has_avx512_or_avx2_whatever_vector_width_dotnet_prefers()
    {
        // .NET prefers 256-bit vectors on Intel CPUs that slow down under 512-bit code (Skylake-SP, Cascade Lake) and
        // under DOTNET_PreferredVectorBitWidth=256; Ser's kernels ran nowhere there before. AMD Zen 2 and 3 (and Intel
        // client CPUs) have AVX2 alone.
        using var model = new ResNet18(6, inChannels: 1);
        model.eval();
        using var fused = new FusedResNet18(model);

        Assert.Equal(Avx512F.IsSupported || (Avx2.IsSupported && Fma.IsSupported), fused.HasSerKernels);
    }

    [Fact]
    public void A_model_with_layers_narrower_than_64_channels_stays_on_libtorch_and_says_so()
    {
        using var model = new ResNet18(6, inChannels: 1, baseWidth: 16);
        model.eval();
        using var fused = new FusedResNet18(model);
        using var x = zeros(1, 1, 64, 101);

        Assert.False(fused.HasSerKernels);
        Assert.Throws<NotSupportedException>(() => fused.ForwardOnSerKernels(x));
    }

    [Fact]
    public void Forward_gives_the_unfolded_models_logits_whichever_kernels_were_measured_faster()
    {
        using var model = new ResNet18(6, inChannels: 1);
        model.eval();
        using var fused = new FusedResNet18(model);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = randn(1, 1, 96, 150, generator: new Generator(11));

        var expected = model.forward(x);
        var first = fused.Forward(x);
        var again = fused.Forward(x);

        var error = (first - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(error < 1e-4, $"relative error {error}");
        Assert.True(first.equal(again).all().item<bool>(), "a second call took the other kernels");
        // Measured only where Ser's kernels run (AVX-512); elsewhere the forward is libtorch's, with nothing to choose.
        Assert.Equal(fused.HasSerKernels, MeasuredChoice.Made.Keys.Any(k => k.StartsWith("resnet18 width 64 1x96x150 single", StringComparison.Ordinal)));
    }
}
