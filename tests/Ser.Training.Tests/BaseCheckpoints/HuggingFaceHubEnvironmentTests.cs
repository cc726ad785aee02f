using Ser.Training.BaseCheckpoints;
using Ser.Tests;

namespace Ser.Training.Tests.BaseCheckpoints;

/// <summary>Sets process-wide environment variables: runs alone, and restores them.</summary>
[CollectionDefinition(nameof(HuggingFaceHubEnvironmentTests), DisableParallelization = true)]
[Collection(nameof(HuggingFaceHubEnvironmentTests))]
public sealed class HuggingFaceHubEnvironmentTests : IDisposable
{
    private static readonly string[] Variables = ["HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_TOKEN"];
    private static readonly HttpClient Http = new();
    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-hubenv-").FullName;

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
        Directory.Delete(_temp, recursive: true);
    }

    private static void Set(string? endpoint, string? offline, string? token)
    {
        Environment.SetEnvironmentVariable("HF_ENDPOINT", endpoint);
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", offline);
        Environment.SetEnvironmentVariable("HF_TOKEN", token);
    }

    [Fact]
    public async Task HF_ENDPOINT_and_HF_TOKEN_direct_the_download_of_a_hub_made_without_settings()
    {
        await using var server = new HubServer();
        server.ServeFolder("facebook/wav2vec2-base", TinyCheckpoints.Wav2Vec2(Path.Combine(_temp, "source")));
        Set(server.Endpoint.AbsoluteUri, null, "hf_from_env");
        var models = Path.Combine(_temp, "models");

        var path = await new BaseCheckpointCatalog(new HuggingFaceHub(Http)).ResolveAsync("wav2vec2-base", models, TestContext.Current.CancellationToken);

        Assert.True(File.Exists(Path.Combine(path, "model.safetensors")));
        Assert.Contains("Bearer hf_from_env", server.Authorizations);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("ON")]
    public async Task HF_HUB_OFFLINE_keeps_a_hub_made_without_settings_off_the_network(string value)
    {
        await using var server = new HubServer();
        Set(server.Endpoint.AbsoluteUri, value, null);
        var hub = new HuggingFaceHub(Http);

        var e = await Assert.ThrowsAsync<BaseCheckpointMissingException>(() =>
            new BaseCheckpointCatalog(hub).ResolveAsync("resnet18", Path.Combine(_temp, "models"), TestContext.Current.CancellationToken));

        Assert.True(hub.IsOffline);
        Assert.Contains("HF_HUB_OFFLINE", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public void Without_the_variables_the_hub_is_huggingface_co_online_and_anonymous()
    {
        Set(null, null, null);

        var settings = HuggingFaceHubSettings.FromEnvironment();

        Assert.Equal(new HuggingFaceHubSettings(new Uri("https://huggingface.co"), Offline: false, Token: null), settings);
        Set(null, "0", "");
        Assert.False(HuggingFaceHubSettings.FromEnvironment().Offline);
        Assert.Null(HuggingFaceHubSettings.FromEnvironment().Token);
    }
}
