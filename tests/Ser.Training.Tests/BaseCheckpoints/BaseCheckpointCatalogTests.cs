using Ser.Core.Data;
using Ser.Core.IO;
using Ser.Core.Models;
using Ser.Core.Models.ResNet;
using Ser.Training.BaseCheckpoints;
using static TorchSharp.torch;
using Ser.Tests;

namespace Ser.Training.Tests.BaseCheckpoints;

public sealed class BaseCheckpointCatalogTests : IDisposable
{
    private static readonly HttpClient Http = new();
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-catalog-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Models => Path.Combine(_temp, "models");

    private static BaseCheckpointCatalog Catalog(Uri endpoint, bool offline = false) =>
        new(new HuggingFaceHub(Http, new HuggingFaceHubSettings(endpoint, offline)));

    [Fact]
    public async Task A_known_name_that_is_absent_is_downloaded_from_its_repo_and_loads_to_the_same_logits()
    {
        await using var server = new HubServer();
        var source = TinyCheckpoints.Wav2Vec2(Path.Combine(_temp, "source"));
        server.ServeFolder("facebook/wav2vec2-base", source);

        var path = await Catalog(server.Endpoint).ResolveAsync("wav2vec2-base", Models, TestContext.Current.CancellationToken);

        Assert.Equal(Path.Combine(Models, "wav2vec2-base"), path);
        Assert.Equal(TinyCheckpoints.Logits(source), TinyCheckpoints.Logits(path));
        Assert.True(BaseCheckpointCatalog.IsAvailable("wav2vec2-base", Models));
    }

    [Fact]
    public async Task An_existing_folder_or_file_is_used_without_any_request()
    {
        await using var server = new HubServer();
        TinyCheckpoints.Wav2Vec2(Path.Combine(Models, "wav2vec2-base"));
        File.WriteAllBytes(Path.Combine(Models, "mine.pth"), [1]);
        var catalog = Catalog(server.Endpoint);
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(Path.Combine(Models, "wav2vec2-base"), await catalog.ResolveAsync("wav2vec2-base", Models, ct));
        Assert.Equal(Path.Combine(Models, "mine.pth"), await catalog.ResolveAsync("mine.pth", Models, ct));
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Offline_raises_BaseCheckpointMissingException_naming_the_folder_and_what_to_put_there()
    {
        var catalog = Catalog(HuggingFaceHubSettings.DefaultEndpoint, offline: true);

        var e = await Assert.ThrowsAsync<BaseCheckpointMissingException>(() =>
            catalog.ResolveAsync("wav2vec2-base", Models, TestContext.Current.CancellationToken));

        var folder = Path.Combine(Models, "wav2vec2-base");
        Assert.Equal(folder, e.Folder);
        Assert.Equal($"Base checkpoint 'wav2vec2-base' is not in {folder} and could not be downloaded from https://huggingface.co/facebook/wav2vec2-base "
            + "(offline: HF_HUB_OFFLINE is set). Put the Hugging Face folder of facebook/wav2vec2-base there (config.json and model.safetensors or pytorch_model.bin).",
            e.Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task An_unreachable_hub_raises_BaseCheckpointMissingException_naming_the_folder_and_leaves_nothing()
    {
        var closed = new Uri($"http://127.0.0.1:{HubServer.FreePort()}");

        var e = await Assert.ThrowsAsync<BaseCheckpointMissingException>(() =>
            Catalog(closed).ResolveAsync("resnet18", Models, TestContext.Current.CancellationToken));

        Assert.Contains(Path.Combine(Models, "resnet18"), e.Message, StringComparison.Ordinal);
        Assert.Contains($"{closed.AbsoluteUri}timm/resnet18.tv_in1k", e.Message, StringComparison.Ordinal);
        Assert.IsType<HuggingFaceHubException>(e.InnerException);
        Assert.Empty(Directory.GetFileSystemEntries(Models));
    }

    [Fact]
    public async Task An_unknown_name_that_is_absent_raises_naming_the_folder_without_any_request()
    {
        await using var server = new HubServer();

        var e = await Assert.ThrowsAsync<BaseCheckpointMissingException>(() =>
            Catalog(server.Endpoint).ResolveAsync("my-wav2vec2", Models, TestContext.Current.CancellationToken));

        Assert.Contains(Path.Combine(Models, "my-wav2vec2"), e.Message, StringComparison.Ordinal);
        Assert.Contains("wav2vec2-base, resnet18", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
        Assert.False(BaseCheckpointCatalog.IsKnown("my-wav2vec2"));
    }

    [Fact]
    public async Task A_folder_with_files_but_no_weights_is_reported_and_left_alone()
    {
        await using var server = new HubServer();
        var folder = Directory.CreateDirectory(Path.Combine(Models, "wav2vec2-base")).FullName;
        File.WriteAllText(Path.Combine(folder, "config.json"), "{}");

        var e = await Assert.ThrowsAsync<BaseCheckpointMissingException>(() =>
            Catalog(server.Endpoint).ResolveAsync("wav2vec2-base", Models, TestContext.Current.CancellationToken));

        Assert.Contains("holds no weights", e.Message, StringComparison.Ordinal);
        Assert.False(BaseCheckpointCatalog.IsAvailable("wav2vec2-base", Models));
        Assert.Equal(["config.json"], Directory.GetFiles(folder).Select(Path.GetFileName));
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Resnet18_is_downloaded_into_an_empty_folder_and_loads_into_the_preset_network_with_summed_rgb_kernels()
    {
        await using var server = new HubServer();
        using var source = TinyCheckpoints.ImageNetResNet(Path.Combine(_temp, "model.safetensors"));
        server.Serve("timm/resnet18.tv_in1k", "model.safetensors", Path.Combine(_temp, "model.safetensors"));
        Directory.CreateDirectory(Path.Combine(Models, "resnet18"));

        var path = await Catalog(server.Endpoint).ResolveAsync("resnet18", Models, TestContext.Current.CancellationToken);

        var preset = ModelPresets.ResNet18Tiny.ResNet!;
        using var network = new ResNet18(EmotionLabels.Count, preset.InChannels, preset.BaseWidth);
        var fresh = ResNetCheckpoint.LoadInto(network, path);
        Assert.Equal(["fc.bias", "fc.weight"], fresh.Order(StringComparer.Ordinal));
        using var scope = NewDisposeScope();
        var expected = source.state_dict()["conv1.weight"].sum(dim: 1, keepdim: true);
        Assert.True(network.state_dict()["conv1.weight"].allclose(expected, rtol: 1e-5, atol: 1e-6));
        Assert.True(network.state_dict()["layer4.1.bn2.running_var"].equal(source.state_dict()["layer4.1.bn2.running_var"]).all().item<bool>());
    }

    [Theory]
    [InlineData("../wav2vec2-base")]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task Names_that_are_paths_are_refused(string name)
    {
        Assert.False(PlainName.IsValid(name));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Catalog(HuggingFaceHubSettings.DefaultEndpoint, offline: true).ResolveAsync(name, Models, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void The_known_names_are_the_full_size_presets_public_checkpoints()
    {
        Assert.Equal(ModelArchitectures.Wav2Vec2, BaseCheckpointCatalog.Find("wav2vec2-base")!.Architecture);
        Assert.Equal("timm/resnet18.tv_in1k", BaseCheckpointCatalog.Find("resnet18")!.RepoId);
        Assert.Equal("model.safetensors or pytorch_model.bin", BaseCheckpointCatalog.Find("resnet18")!.Contents);
        Assert.False(BaseCheckpointCatalog.IsKnown("resnet18-tiny"));
    }
}
