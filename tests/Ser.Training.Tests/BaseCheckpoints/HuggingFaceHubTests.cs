using Ser.Training.BaseCheckpoints;
using Ser.Tests;

namespace Ser.Training.Tests.BaseCheckpoints;

public sealed class HuggingFaceHubTests : IDisposable
{
    private static readonly HttpClient Http = new();
    private static readonly HubFile[] Files =
        [new(["config.json"]), new(["preprocessor_config.json"], Required: false), new(["model.safetensors", "pytorch_model.bin"])];

    private readonly string _temp = Directory.CreateTempSubdirectory("ser-hub-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Models => Path.Combine(_temp, "models");

    private static HuggingFaceHub Hub(HubServer server, string? token = null) => new(Http, new HuggingFaceHubSettings(server.Endpoint, Token: token));

    [Fact]
    public async Task Every_file_is_downloaded_into_a_folder_that_loads_to_the_same_logits()
    {
        await using var server = new HubServer();
        var source = TinyCheckpoints.Wav2Vec2(Path.Combine(_temp, "source"));
        server.ServeFolder("org/tiny", source);
        var target = Path.Combine(Models, "tiny");

        var files = await Hub(server).DownloadAsync("org/tiny", "main", Files, target, TestContext.Current.CancellationToken);

        Assert.Equal(["config.json", "preprocessor_config.json", "model.safetensors"], files);
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "model.safetensors")), File.ReadAllBytes(Path.Combine(target, "model.safetensors")));
        Assert.Equal(TinyCheckpoints.Logits(source), TinyCheckpoints.Logits(target));
        Assert.Equal(["tiny"], Directory.GetFileSystemEntries(Models).Select(Path.GetFileName));
    }

    [Fact]
    public async Task The_weights_fall_back_to_pytorch_model_bin_when_model_safetensors_is_not_found()
    {
        await using var server = new HubServer();
        var source = TinyCheckpoints.Wav2Vec2Bin(Path.Combine(_temp, "source"));
        server.ServeFolder("org/tiny", source);
        var target = Path.Combine(Models, "tiny");

        var files = await Hub(server).DownloadAsync("org/tiny", "main", Files, target, TestContext.Current.CancellationToken);

        Assert.Equal(["config.json", "preprocessor_config.json", "pytorch_model.bin"], files);
        Assert.False(File.Exists(Path.Combine(target, "model.safetensors")));
        Assert.Equal(TinyCheckpoints.Logits(source), TinyCheckpoints.Logits(target));
    }

    [Fact]
    public async Task A_required_file_the_repo_lacks_raises_HuggingFaceHubException_and_leaves_nothing()
    {
        await using var server = new HubServer();
        var source = TinyCheckpoints.Wav2Vec2(Path.Combine(_temp, "source"));
        server.Serve("org/tiny", "model.safetensors", Path.Combine(source, "model.safetensors"));

        var e = await Assert.ThrowsAsync<HuggingFaceHubException>(() =>
            Hub(server).DownloadAsync("org/tiny", "main", Files, Path.Combine(Models, "tiny"), TestContext.Current.CancellationToken));

        Assert.Contains("config.json", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Models));
    }

    [Theory]
    [InlineData("500", "500 Internal Server Error")]
    [InlineData("cut", "ended prematurely")]
    public async Task Weights_that_fail_mid_download_leave_no_folder_and_no_temp_files(string mode, string reason)
    {
        await using var server = new HubServer();
        var source = TinyCheckpoints.Wav2Vec2(Path.Combine(_temp, "source"));
        server.ServeFolder("org/tiny", source);
        server.Serve("org/tiny", "model.safetensors", Path.Combine(source, "model.safetensors"), mode);

        var e = await Assert.ThrowsAsync<HuggingFaceHubException>(() =>
            Hub(server).DownloadAsync("org/tiny", "main", Files, Path.Combine(Models, "tiny"), TestContext.Current.CancellationToken));

        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Models));
    }

    [Fact]
    public async Task A_failed_download_leaves_an_existing_folder_as_it_was()
    {
        await using var server = new HubServer();
        var target = Directory.CreateDirectory(Path.Combine(Models, "tiny")).FullName;
        File.WriteAllText(Path.Combine(target, "keep.txt"), "mine");

        await Assert.ThrowsAsync<HuggingFaceHubException>(() =>
            Hub(server).DownloadAsync("org/tiny", "main", Files, target, TestContext.Current.CancellationToken));

        Assert.Equal(["keep.txt"], Directory.GetFiles(target).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Redirects_are_followed_and_the_token_is_sent_as_a_bearer_header()
    {
        await using var server = new HubServer();
        var source = TinyCheckpoints.Wav2Vec2(Path.Combine(_temp, "source"));
        server.ServeFolder("org/tiny", source);
        server.Serve("org/tiny", "model.safetensors", Path.Combine(source, "model.safetensors"), "redirect");
        var target = Path.Combine(Models, "tiny");

        await Hub(server, token: "hf_secret").DownloadAsync("org/tiny", "main", Files, target, TestContext.Current.CancellationToken);

        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "model.safetensors")), File.ReadAllBytes(Path.Combine(target, "model.safetensors")));
        Assert.Contains("Bearer hf_secret", server.Authorizations);
    }

    [Fact]
    public async Task Offline_never_touches_the_network()
    {
        await using var server = new HubServer();
        var hub = new HuggingFaceHub(Http, new HuggingFaceHubSettings(server.Endpoint, Offline: true));

        var e = await Assert.ThrowsAsync<HuggingFaceHubException>(() =>
            hub.DownloadAsync("org/tiny", "main", Files, Path.Combine(Models, "tiny"), TestContext.Current.CancellationToken));

        Assert.Contains("HF_HUB_OFFLINE", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
        Assert.False(Directory.Exists(Models));
    }

    [Fact]
    public void File_urls_follow_the_hub_resolve_layout()
    {
        var hub = new HuggingFaceHub(Http, new HuggingFaceHubSettings(new Uri("https://mirror.example/hf/")));

        Assert.Equal("https://mirror.example/hf/facebook/wav2vec2-base/resolve/main/config.json",
            hub.FileUrl("facebook/wav2vec2-base", "main", "config.json").AbsoluteUri);
        Assert.Equal("https://mirror.example/hf/timm/resnet18.tv_in1k", hub.RepoUrl("timm/resnet18.tv_in1k").AbsoluteUri);
    }
}
