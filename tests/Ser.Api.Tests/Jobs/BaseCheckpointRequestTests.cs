using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ser.Training.Runs;

namespace Ser.Api.Tests.Jobs;

/// <summary>Base checkpoints in training requests: names only, known hub names accepted before they are downloaded (the
/// job fetches them), the full presets default to their pretrained weights. An API-role host, so nothing trains.</summary>
public sealed class BaseCheckpointRequestTests : IDisposable
{
    private readonly SerApiFactory _factory = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public BaseCheckpointRequestTests()
    {
        _factory.Settings["Ser:Role"] = "api";
        _factory.Settings["Ser:Datasets:crema-d:Path"] = _factory.DataPath;
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_full_presets_start_from_their_pretrained_folder_and_the_tiny_ones_from_scratch()
    {
        using var client = _factory.CreateClient();
        var models = Path.Combine(_factory.DataPath, "models");

        var full = await SpecsAsync(client, new { architecture = "both", dataset = "crema-d" });
        Assert.Equal(Path.Combine(models, "wav2vec2-base"), full.Single(s => s.Architecture == "wav2vec2").BaseCheckpoint);
        Assert.Equal(Path.Combine(models, "resnet18"), full.Single(s => s.Architecture == "resnet18").BaseCheckpoint);

        var tiny = await SpecsAsync(client, new { architecture = "resnet18", preset = "resnet18-tiny", dataset = "crema-d" });
        Assert.Null(tiny.Single().BaseCheckpoint);

        Directory.CreateDirectory(Path.Combine(models, "my-wav2vec2"));
        await File.WriteAllTextAsync(Path.Combine(models, "my-wav2vec2", "model.safetensors"), "", Ct);
        var own = await SpecsAsync(client, new { architecture = "wav2vec2", dataset = "crema-d", baseCheckpoint = "my-wav2vec2" });
        Assert.Equal(Path.Combine(models, "my-wav2vec2"), own.Single().BaseCheckpoint);
    }

    [Theory]
    [InlineData("wav2vec2", "resnet18", "is a resnet18 checkpoint")]
    [InlineData("wav2vec2", "not-here", "not in the models folder")]
    [InlineData("resnet18", "../models", "not a path")]
    public async Task Wrong_base_checkpoints_are_refused_with_the_reason(string architecture, string name, string reason)
    {
        using var client = _factory.CreateClient();
        var response = await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), new { architecture, dataset = "crema-d", baseCheckpoint = name }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("baseCheckpoint")[0].GetString(), StringComparison.Ordinal);
    }

    private async Task<RunSpec[]> SpecsAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), body, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var store = _factory.Services.GetRequiredService<RunStore>();
        return job.GetProperty("runs").EnumerateArray().Select(r => store.ReadSpec(r.GetProperty("runId").GetString()!)).ToArray();
    }
}
