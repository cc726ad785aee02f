using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ser.Api.Jobs;
using Ser.Training.Runs;

namespace Ser.Api.Tests.Jobs;

/// <summary>Runs are described from their registry rows: status.json is only a copy, and a missing or damaged one
/// changes nothing the job and metrics endpoints answer.</summary>
public sealed class JobListingFromRegistryTests : SerApiTest
{
    [Fact]
    public async Task Listing_and_reading_a_job_give_the_registry_state_of_runs_whose_status_json_is_gone_or_corrupt()
    {
        var store = Factory.Services.GetRequiredService<RunStore>();
        var registry = Factory.Services.GetRequiredService<RunRegistry>();
        var jobs = Factory.Services.GetRequiredService<JobStore>();
        var corrupt = FakeRuns.Add(store, registry, "resnet18", 1, c => c.Label);
        var deleted = FakeRuns.Add(store, registry, "wav2vec2", 1, c => c.Label);
        File.WriteAllText(Path.Combine(store.Directory(corrupt), "status.json"), "{ \"state\": ");
        File.Delete(Path.Combine(store.Directory(deleted), "status.json"));
        var job = new JobRecord(JobStore.NewId(), "train", JobState.Succeeded, DateTimeOffset.UtcNow, JsonSerializer.SerializeToElement(new { }),
            [corrupt, deleted]);
        Assert.True(jobs.TryAdd(job));

        var list = await Client.GetAsync(new Uri("/jobs", UriKind.Relative), Ct);
        var one = await Client.GetAsync(new Uri($"/jobs/{job.Id}", UriKind.Relative), Ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (list.StatusCode, one.StatusCode));
        var listed = (await list.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("items").EnumerateArray().Single(j => j.GetProperty("id").GetString() == job.Id);
        foreach (var described in new[] { listed, await one.Content.ReadFromJsonAsync<JsonElement>(Ct) })
        {
            var runs = described.GetProperty("runs").EnumerateArray().ToArray();
            Assert.Equal([corrupt, deleted], runs.Select(r => r.GetProperty("runId").GetString()));
            Assert.Equal(["resnet18", "wav2vec2"], runs.Select(r => r.GetProperty("architecture").GetString()));
            Assert.All(runs, r => Assert.Equal("succeeded", r.GetProperty("state").GetString()));
        }
    }

    [Fact]
    public async Task A_runs_metrics_and_a_comparison_answer_from_the_registry_when_status_json_is_corrupt()
    {
        var store = Factory.Services.GetRequiredService<RunStore>();
        var registry = Factory.Services.GetRequiredService<RunRegistry>();
        var a = FakeRuns.Add(store, registry, "wav2vec2", 1, c => c.Label);
        var b = FakeRuns.Add(store, registry, "resnet18", 1, c => 0);
        foreach (var run in new[] { a, b }) File.WriteAllText(Path.Combine(store.Directory(run), "status.json"), "{ \"state\": ");

        var metrics = await Client.GetAsync(new Uri($"/metrics/runs/{a}", UriKind.Relative), Ct);
        var compare = await Client.GetAsync(new Uri($"/metrics/compare?runs={a},{b}", UriKind.Relative), Ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (metrics.StatusCode, compare.StatusCode));
        var compared = (await compare.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("runs").EnumerateArray();
        Assert.Equal([a, b], compared.Select(r => r.GetProperty("runId").GetString()));
    }
}
