using Ser.Core.Models.Checkpoints;
using Ser.Core.Models.ResNet;
using Ser.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.ResNet;

public sealed class ResNet18Tests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-resnet-").FullName;
    private static readonly string Weights = TestPaths.Fixture("resnet18", "model.safetensors");

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Logits_match_torchvision_within_1e_3()
    {
        using var model = new ResNet18(6, inChannels: 3);
        ResNetCheckpoint.LoadInto(model, Weights);
        model.eval();
        var cases = SafeTensorsFile.Read(TestPaths.Fixture("resnet18", "cases.safetensors"));
        using var scope = NewDisposeScope();
        using var mode = inference_mode();

        var logits = model.forward(cases["input"]);

        Assert.Equal(cases["logits"].shape, logits.shape);
        var diff = (logits - cases["logits"]).abs().max().item<float>();
        Assert.True(diff <= 1e-3, $"max abs diff {diff}");
    }

    // Training on the CPU runs channels-last (ResNet18.forward); float64 runs as it always did.
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_training_step_on_the_cpu_gives_the_float64_models_loss_and_gradients(int channels)
    {
        manual_seed(4);
        using var model = new ResNet18(6, inChannels: channels, baseWidth: 16);
        using var exact = new ResNet18(6, inChannels: channels, baseWidth: 16);
        exact.load_state_dict(model.state_dict());
        exact.to(ScalarType.Float64);
        using var scope = NewDisposeScope();
        var x = randn(4, channels, 40, 61);
        var labels = tensor(new long[] { 0, 1, 2, 3 });

        var loss = nn.functional.cross_entropy(model.forward(x), labels);
        loss.backward();
        var exactLoss = nn.functional.cross_entropy(exact.forward(x.to(ScalarType.Float64)), labels);
        exactLoss.backward();

        Assert.Equal(exactLoss.item<double>(), loss.item<float>(), 4);
        var exactGradients = exact.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        Assert.All(model.named_parameters(), p =>
        {
            var expected = exactGradients[p.name];
            var error = (p.parameter.grad!.to(ScalarType.Float64) - expected).abs().max().item<double>();
            Assert.True(error <= 1e-4 * expected.abs().max().item<double>() + 1e-9, $"{p.name}: max |Δ| {error:E2}");
        });
    }

    [Fact]
    public void The_batch_norm_folded_copy_matches_torchvision_too()
    {
        using var model = new ResNet18(6, inChannels: 3);
        ResNetCheckpoint.LoadInto(model, Weights);
        model.eval();
        using var fused = new FusedResNet18(model);
        var cases = SafeTensorsFile.Read(TestPaths.Fixture("resnet18", "cases.safetensors"));
        using var scope = NewDisposeScope();
        using var mode = inference_mode();

        var diff = (fused.Forward(cases["input"]) - cases["logits"]).abs().max().item<float>();

        Assert.True(diff <= 1e-3, $"max abs diff {diff}");
    }

    [Fact]
    public void The_folded_copy_gives_each_concurrent_caller_its_own_answer()
    {
        using var model = new ResNet18(6, inChannels: 1);
        model.eval();
        using var fused = new FusedResNet18(model);
        var inputs = Enumerable.Range(0, 8).Select(i => randn(1 + i % 3, 1, 64, 101, generator: new TorchSharp.torch.Generator((ulong)i))).ToArray();
        float[] Run(Tensor x)
        {
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            return fused.Forward(x).data<float>().ToArray();
        }
        var expected = inputs.Select(Run).ToArray();

        var actual = new float[inputs.Length][];
        Parallel.For(0, inputs.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => actual[i % inputs.Length] = Run(inputs[i % inputs.Length]));

        for (var i = 0; i < inputs.Length; i++) Assert.Equal(expected[i], actual[i]);
        foreach (var x in inputs) x.Dispose();
    }

    [Fact]
    public void The_bfloat16_folded_copy_stays_within_3_percent_of_the_logit_range()
    {
        using var model = new ResNet18(6, inChannels: 3);
        ResNetCheckpoint.LoadInto(model, Weights);
        model.eval();
        using var fused = new FusedResNet18(model, ScalarType.BFloat16);
        var cases = SafeTensorsFile.Read(TestPaths.Fixture("resnet18", "cases.safetensors"));
        using var scope = NewDisposeScope();
        using var mode = inference_mode();

        var logits = fused.Forward(cases["input"].to(ScalarType.BFloat16)).to(ScalarType.Float32);

        var range = cases["logits"].abs().max().item<float>();
        var diff = (logits - cases["logits"]).abs().max().item<float>();
        Assert.True(diff <= 0.03 * range, $"max abs diff {diff} for logits up to {range}");
    }

    [Fact]
    public void A_one_channel_model_sums_the_rgb_kernels_so_grey_input_gives_the_same_logits()
    {
        using var rgb = new ResNet18(6, inChannels: 3);
        using var grey = new ResNet18(6, inChannels: 1);
        ResNetCheckpoint.LoadInto(rgb, Weights);
        ResNetCheckpoint.LoadInto(grey, Weights);
        rgb.eval();
        grey.eval();
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = randn(2, 1, 64, 101);

        var expected = rgb.forward(x.expand(2, 3, 64, 101));
        var actual = grey.forward(x);

        Assert.True((expected - actual).abs().max().item<float>() <= 1e-4);
    }

    [Fact]
    public void A_pickled_pth_state_dict_loads_like_the_safetensors_one()
    {
        var pth = Path.Combine(_temp, "resnet18.pth");
        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(pth, SafeTensorsFile.Read(Weights));
        using var fromPth = new ResNet18(6, inChannels: 3);
        using var fromSafetensors = new ResNet18(6, inChannels: 3);

        ResNetCheckpoint.LoadInto(fromPth, pth);
        ResNetCheckpoint.LoadInto(fromSafetensors, Weights);

        var a = fromPth.state_dict();
        Assert.All(fromSafetensors.state_dict(), p => Assert.True(p.Value.equal(a[p.Key]).all().item<bool>(), p.Key));
    }

    [Fact]
    public void An_imagenet_head_is_replaced_by_a_fresh_one_of_the_right_size()
    {
        var imagenet = Path.Combine(_temp, "imagenet.safetensors");
        using (var source = new ResNet18(1000, inChannels: 3)) ResNetCheckpoint.Save(source, imagenet);
        using var model = new ResNet18(6, inChannels: 1);

        var fresh = ResNetCheckpoint.LoadInto(model, imagenet);

        Assert.Equal(["fc.bias", "fc.weight"], fresh.Order());
    }

    [Fact]
    public void Save_then_load_gives_identical_logits()
    {
        using var model = new ResNet18(6, inChannels: 1, baseWidth: 16);
        model.eval();
        var path = Path.Combine(_temp, "r.safetensors");
        ResNetCheckpoint.Save(model, path);
        using var loaded = new ResNet18(6, inChannels: 1, baseWidth: 16);
        ResNetCheckpoint.LoadInto(loaded, path);
        loaded.eval();
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = randn(3, 1, 64, 80);

        Assert.True(model.forward(x).equal(loaded.forward(x)).all().item<bool>());
    }

    [Fact]
    public void A_checkpoint_of_another_width_fails_with_every_shape_mismatch_listed()
    {
        var narrow = Path.Combine(_temp, "narrow.safetensors");
        using (var source = new ResNet18(6, inChannels: 1, baseWidth: 16)) ResNetCheckpoint.Save(source, narrow);
        using var model = new ResNet18(6, inChannels: 1);

        var e = Assert.Throws<CheckpointException>(() => ResNetCheckpoint.LoadInto(model, narrow));

        Assert.Contains("shape mismatches", e.Message, StringComparison.Ordinal);
        Assert.Contains("conv1.weight: checkpoint [16, 1, 7, 7], model [64, 1, 7, 7]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hub_folder_loads_its_model_safetensors_else_its_pytorch_model_bin()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp, "hub")).FullName;
        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(Path.Combine(folder, "pytorch_model.bin"), SafeTensorsFile.Read(Weights));
        using var fromBin = new ResNet18(6, inChannels: 3);
        ResNetCheckpoint.LoadInto(fromBin, folder);
        File.Copy(Weights, Path.Combine(folder, "model.safetensors"));
        using var fromSafetensors = new ResNet18(6, inChannels: 3);
        ResNetCheckpoint.LoadInto(fromSafetensors, folder);

        Assert.Equal(Path.Combine(folder, "model.safetensors"), ResNetCheckpoint.WeightsPath(folder));
        var a = fromBin.state_dict();
        Assert.All(fromSafetensors.state_dict(), p => Assert.True(p.Value.equal(a[p.Key]).all().item<bool>(), p.Key));
    }

    [Fact]
    public void A_folder_without_weights_fails_naming_the_files_it_needs()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp, "empty")).FullName;
        using var model = new ResNet18(6);

        var e = Assert.Throws<CheckpointException>(() => ResNetCheckpoint.LoadInto(model, folder));

        Assert.Contains("model.safetensors or pytorch_model.bin", e.Message, StringComparison.Ordinal);
    }
}
