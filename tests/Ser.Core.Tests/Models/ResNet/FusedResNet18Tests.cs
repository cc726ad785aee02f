using Ser.Core.Models.ResNet;
using Ser.Tests;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.ResNet;

public sealed class FusedResNet18Tests
{
    private static readonly string Weights = TestPaths.Fixture("resnet18", "model.safetensors");

    [Fact]
    public void On_the_project_libtorch_cpu_inference_runs_on_onednn_fused_convolutions_so_that_path_is_the_one_tested()
    {
        using var model = new ResNet18(6, inChannels: 1, baseWidth: 16);
        model.eval();
        using var fused = new FusedResNet18(model);

        Assert.True(fused.RunsOnOneDnn, "libtorch-cpu 2.10 on x86-64 Linux has oneDNN's fused convolutions");
    }

    [Fact]
    public void Batches_and_window_sizes_beyond_the_packed_ones_give_the_unfolded_models_logits()
    {
        using var model = new ResNet18(6, inChannels: 3);
        ResNetCheckpoint.LoadInto(model, Weights);
        model.eval();
        using var fused = new FusedResNet18(model);
        // More batch/size pairs than the copy packs weights for, so the last ones run on weights packed for another size.
        // The small maps are where oneDNN's 1x1 convolution (no longer used) summed wrong on AMD Zen 5. Odd and even
        // sides at each stage (the pack's size arithmetic), down to maps of one pixel. On libtorch's path whatever
        // Forward would measure faster here (SerKernelsTests has the other).
        UnfoldedReference.AssertMatches(model, fused.ForwardOnLibTorch, 3,
            [(1, 128, 301), (8, 128, 301), (3, 128, 301), (1, 64, 101), (2, 64, 101), (1, 40, 61), (16, 64, 101), (5, 96, 150),
                (2, 66, 100), (1, 4, 7), (1, 3, 3)], seed: 3);
    }
}
