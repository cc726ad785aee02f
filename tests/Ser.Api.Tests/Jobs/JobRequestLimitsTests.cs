using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ser.Api.Hosting;

namespace Ser.Api.Tests.Jobs;

/// <summary>Issue 12, items 8 and 17: job requests are bounded before any work, and public errors name, never locate.</summary>
public sealed class JobRequestLimitsTests : SerApiTest
{
    private async Task<JsonElement> Errors(string path, object body)
    {
        using var response = await Client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
    }

    [Fact]
    public async Task An_evaluation_of_more_than_50_runs_is_refused_naming_the_cap()
    {
        var runs = Enumerable.Range(0, 200_000).Select(i => $"r-20261201-000000-{i:x8}").ToArray();

        var errors = await Errors("/jobs/evaluate", new { runs });

        var message = Assert.Single(errors.GetProperty("runs").EnumerateArray()).GetString();
        Assert.Contains("at most 50", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_name_longer_than_200_characters_is_refused()
    {
        var errors = await Errors("/jobs/train", new { architecture = "wav2vec2", dataset = "synthetic", name = new string('n', 201) });

        Assert.Contains("200", errors.GetProperty("name")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_run_id_is_echoed_cut_short()
    {
        var errors = await Errors("/jobs/evaluate", new { runs = new[] { new string('r', 5_000) } });

        Assert.True(errors.GetProperty("runs")[0].GetString()!.Length < 200);
    }

    [Theory]
    [InlineData("Dataset folder /mnt/volumes/crema-d does not exist.", "Dataset folder crema-d does not exist.")]
    [InlineData("Base checkpoint 'wav2vec2-base' is not in /srv/ser/data/models/wav2vec2-base and could not be downloaded",
        "Base checkpoint 'wav2vec2-base' is not in wav2vec2-base and could not be downloaded")]
    [InlineData("Could not find a part of the path '/home/u/data/runs/r-1/model/config.json'.", "Could not find a part of the path 'config.json'.")]
    [InlineData("HTTP 404 from https://huggingface.co/facebook/wav2vec2-base/resolve/main/config.json",
        "HTTP 404 from https://huggingface.co/facebook/wav2vec2-base/resolve/main/config.json")]
    [InlineData("the models folder ({data}/models) has no 'x'", "the models folder ({data}/models) has no 'x'")]
    public void Public_errors_name_the_folder_instead_of_its_server_path(string message, string expected) =>
        Assert.Equal(expected, PublicText.Redact(message));

    [Fact]
    public void The_data_folder_is_called_data() =>
        Assert.Equal("Put the folder in {data}/models/wav2vec2-base, not in dataset",
            PublicText.Redact("Put the folder in /srv/ser/data/models/wav2vec2-base, not in /mnt/dataset", "/srv/ser/data/"));
}
