using Microsoft.Extensions.DependencyInjection;
using Ser.Training.BaseCheckpoints;
using Ser.Tests;

namespace Ser.Training.Tests.BaseCheckpoints;

/// <summary>Downloads that meet transient failures: the registered client retries the headers (5xx, 503 with
/// Retry-After, dropped connections), and the hub continues a body cut short with a Range request.</summary>
public sealed class HubDownloadResilienceTests : IDisposable
{
    private static readonly HubFile[] Files = [new(["config.json"]), new(["model.safetensors"])];
    private static readonly HttpClient Http = new();
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-hub-retry-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ServiceProvider Services() =>
        new ServiceCollection().AddHuggingFaceHubClient(retryDelay: TimeSpan.FromMilliseconds(10)).BuildServiceProvider();

    private string Source() => TinyCheckpoints.Wav2Vec2(Path.Combine(_temp, "source"));

    [Fact]
    public async Task Transient_errors_are_retried_by_the_registered_client_and_the_download_succeeds()
    {
        await using var server = new HubServer();
        var source = Source();
        server.Serve("org/tiny", "config.json", Path.Combine(source, "config.json"), "503", failures: 1);
        server.Serve("org/tiny", "model.safetensors", Path.Combine(source, "model.safetensors"), "500", failures: 2);
        using var services = Services();
        var target = Path.Combine(_temp, "models", "tiny");

        var files = await HubHttp.CreateHub(services, new HuggingFaceHubSettings(server.Endpoint)).DownloadAsync("org/tiny", "main", Files, target, Ct);

        Assert.Equal(["config.json", "model.safetensors"], files);
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "model.safetensors")), File.ReadAllBytes(Path.Combine(target, "model.safetensors")));
        Assert.Equal(2 + 3, server.Requests);
    }

    [Fact]
    public async Task A_connection_dropped_before_the_body_is_retried()
    {
        await using var server = new HubServer();
        var source = Source();
        server.ServeFolder("org/tiny", source);
        server.Serve("org/tiny", "model.safetensors", Path.Combine(source, "model.safetensors"), "drop", failures: 1);
        using var services = Services();
        var target = Path.Combine(_temp, "models", "tiny");

        await HubHttp.CreateHub(services, new HuggingFaceHubSettings(server.Endpoint)).DownloadAsync("org/tiny", "main", Files, target, Ct);

        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "model.safetensors")), File.ReadAllBytes(Path.Combine(target, "model.safetensors")));
    }

    [Fact]
    public async Task A_body_cut_mid_way_resumes_with_a_range_request_and_no_byte_is_fetched_twice()
    {
        await using var server = new HubServer();
        var source = Source();
        server.ServeFolder("org/tiny", source);
        var weights = Path.Combine(source, "model.safetensors");
        server.Serve("org/tiny", "model.safetensors", weights, "cut", failures: 1);
        using var services = Services();
        var target = Path.Combine(_temp, "models", "tiny");
        var reports = new List<HubDownloadProgress>();

        await HubHttp.CreateHub(services, new HuggingFaceHubSettings(server.Endpoint))
            .DownloadAsync("org/tiny", "main", Files, target, Ct, new Ser.Training.Loops.CallbackProgress<HubDownloadProgress>(reports.Add));

        var size = new FileInfo(weights).Length;
        Assert.Equal(File.ReadAllBytes(weights), File.ReadAllBytes(Path.Combine(target, "model.safetensors")));
        Assert.Equal([$"bytes={size / 2}-"], server.Ranges);
        Assert.Equal(size + new FileInfo(Path.Combine(source, "config.json")).Length, server.BytesServed); // < 2 × the file
        var weightReports = reports.Where(r => r.File == "model.safetensors").ToList();
        Assert.All(weightReports, r => Assert.Equal(size, r.TotalBytes));
        Assert.Equal(weightReports.Select(r => r.Bytes).Order(), weightReports.Select(r => r.Bytes));
        Assert.Equal(1.0, weightReports[^1].Fraction);
    }

    [Fact]
    public async Task A_body_cut_every_time_fails_after_the_resumes_with_nothing_left()
    {
        await using var server = new HubServer();
        var source = Source();
        server.ServeFolder("org/tiny", source);
        server.Serve("org/tiny", "model.safetensors", Path.Combine(source, "model.safetensors"), "cut");
        var models = Path.Combine(_temp, "models");
        var hub = new HuggingFaceHub(Http, new HuggingFaceHubSettings(server.Endpoint)) { MaxResumes = 2 };

        var e = await Assert.ThrowsAsync<HuggingFaceHubException>(() => hub.DownloadAsync("org/tiny", "main", Files, Path.Combine(models, "tiny"), Ct));

        Assert.Contains("ended prematurely", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Ranges.Count);
        Assert.Empty(Directory.GetFileSystemEntries(models));
    }

    [Fact]
    public async Task Offline_the_registered_client_makes_no_request()
    {
        await using var server = new HubServer();
        using var services = Services();
        var catalog = new BaseCheckpointCatalog(HubHttp.CreateHub(services, new HuggingFaceHubSettings(server.Endpoint, Offline: true)));

        await Assert.ThrowsAsync<BaseCheckpointMissingException>(() => catalog.ResolveAsync("wav2vec2-base", Path.Combine(_temp, "models"), Ct));

        Assert.Equal(0, server.Requests);
    }
}
