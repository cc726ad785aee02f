using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ser.Api.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Ser.Core.Data.Synthetic;
using Ser.Tests;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.Jobs;

/// <summary>A small synthetic corpus configured as dataset "synthetic".</summary>
public sealed class SyntheticDatasetFixture : IDisposable
{
    public SyntheticDatasetFixture()
    {
        Root = Directory.CreateTempSubdirectory("ser-api-synth-").FullName;
        SyntheticCorpusGenerator.Generate(Root, new SyntheticCorpusOptions { Actors = 6, Sentences = 2, Seed = 4 });
    }

    public string Root { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

[CollectionDefinition(nameof(JobsEndpointsTests), DisableParallelization = true)]
[Collection(nameof(JobsEndpointsTests))]
public sealed class JobsEndpointsTests : SerApiTest, IClassFixture<SyntheticDatasetFixture>
{
    private readonly SyntheticDatasetFixture _dataset;

    public JobsEndpointsTests(SyntheticDatasetFixture dataset) : base(f => f.UseSyntheticDataset(dataset.Root)) => _dataset = dataset;

    private Task<HttpResponseMessage> PostJson(string path, object body) => Client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, Ct);

    private async Task<JsonElement> WaitForJob(string location, params string[] states)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            var job = await Client.GetFromJsonAsync<JsonElement>(new Uri(location, UriKind.Relative), Ct);
            if (states.Contains(job.GetProperty("state").GetString())) return job;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Job still {job.GetProperty("state")}: {job}");
            await Task.Delay(250, Ct);
        }
    }

    [Fact]
    public async Task An_invalid_body_gets_400_listing_every_bad_field()
    {
        var response = await PostJson("/jobs/train", new
        {
            architecture = "lstm", dataset = "../../etc", split = new { strategy = "speaker", fold = 9 },
            hyperParameters = new { epochs = 0, batchSize = 100_000, learningRate = -1 }, baseCheckpoint = "/root/.ssh",
        });
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var fields = errors.EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var field in new[] { "architecture", "dataset", "split.strategy", "split.fold", "baseCheckpoint" })
            Assert.Contains(field, fields);
        Assert.Contains("not a path", errors.GetProperty("dataset")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hyper_parameters_out_of_range_and_unknown_datasets_are_named()
    {
        var response = await PostJson("/jobs/train", new
        {
            architecture = "resnet18", dataset = "crema-d", hyperParameters = new { epochs = 0, batchSize = 100_000, optimizer = "lion" },
        });
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not configured", errors.GetProperty("dataset")[0].GetString(), StringComparison.Ordinal);
        foreach (var field in new[] { "hyperParameters.epochs", "hyperParameters.batchSize", "hyperParameters.optimizer" })
            Assert.True(errors.TryGetProperty(field, out _), field);
    }

    [Fact]
    public async Task Unknown_jobs_are_404_for_reading_and_cancelling()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(new Uri("/jobs/j-none", UriKind.Relative), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.DeleteAsync(new Uri("/jobs/j-none", UriKind.Relative), Ct)).StatusCode);
    }

    [Fact]
    public async Task Through_http_only_both_models_train_activate_classify_and_compare()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var started = await PostJson("/jobs/train", new { architecture = "both", dataset = "synthetic", hyperParameters = new { epochs = 2 } });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.ToString();

        var job = await WaitForJob(location, "succeeded", "failed");

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var runs = job.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(["wav2vec2", "resnet18"], runs.Select(r => r.GetProperty("architecture").GetString()));
        foreach (var run in runs)
        {
            Assert.Equal("succeeded", run.GetProperty("state").GetString());
            var activated = await PostJson($"/models/{run.GetProperty("architecture").GetString()}/activate", new { runId = run.GetProperty("runId").GetString() });
            Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        }
        // A held-out clip: one of the test split's actors, never seen in training.
        var split = JsonDocument.Parse(File.ReadAllText(Path.Combine(Factory.DataPath, "runs", runs[0].GetProperty("runId").GetString()!, "split.json")));
        var heldOut = split.RootElement.GetProperty("test").GetProperty("clips")[0].GetString();
        var clip = await File.ReadAllBytesAsync(Path.Combine(_dataset.Root, "AudioWAV", heldOut + ".wav"), Ct);
        var classify = await Client.PostAsync(new Uri("/classify", UriKind.Relative), new ByteArrayContent(clip), Ct);
        Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
        var predictions = (await classify.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("predictions");
        Assert.Equal(runs.Select(r => r.GetProperty("runId").GetString()), runs.Select(r => predictions.GetProperty(r.GetProperty("architecture").GetString()!).GetProperty("runId").GetString()));
        var compare = await Client.GetFromJsonAsync<JsonElement>(new Uri("/metrics/compare", UriKind.Relative), Ct);
        var listed = await Client.GetFromJsonAsync<JsonElement>(new Uri("/metrics/runs", UriKind.Relative), Ct);
        foreach (var run in compare.GetProperty("runs").EnumerateArray())
        {
            var fromRegistry = listed.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("runId").GetString() == run.GetProperty("runId").GetString());
            Assert.Equal(fromRegistry.GetProperty("metrics").GetProperty("ua").GetProperty("value").GetDouble(),
                run.GetProperty("metrics").GetProperty("ua").GetProperty("value").GetDouble());
        }
        Assert.Equal(HttpStatusCode.Conflict, (await Client.DeleteAsync(new Uri(location, UriKind.Relative), Ct)).StatusCode);

        var trained = runs[0].GetProperty("runId").GetString();
        var evaluate = await PostJson("/jobs/evaluate", new { runs = new[] { trained } });
        Assert.Equal(HttpStatusCode.Accepted, evaluate.StatusCode);
        var evaluation = await WaitForJob(evaluate.Headers.Location!.ToString(), "succeeded", "failed");
        Assert.Equal("evaluate", evaluation.GetProperty("kind").GetString());
        var evalRun = evaluation.GetProperty("runs")[0].GetProperty("runId").GetString();
        var again = await Client.GetFromJsonAsync<JsonElement>(new Uri($"/metrics/runs/{evalRun}", UriKind.Relative), Ct);
        var original = await Client.GetFromJsonAsync<JsonElement>(new Uri($"/metrics/runs/{trained}", UriKind.Relative), Ct);
        Assert.Equal(original.GetProperty("metrics").GetProperty("ua").GetProperty("value").GetDouble(),
            again.GetProperty("metrics").GetProperty("ua").GetProperty("value").GetDouble(), 6);
    }

    [Fact]
    public async Task An_evaluation_of_unknown_runs_or_with_a_path_is_refused_with_every_field()
    {
        var response = await PostJson("/jobs/evaluate", new { runs = (string[])["r-none", "../x"], dataset = "/etc", split = "other" });
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(2, errors.GetProperty("runs").GetArrayLength());
        Assert.True(errors.TryGetProperty("dataset", out _));
        Assert.True(errors.TryGetProperty("split", out _));
    }

    [Fact]
    public async Task A_second_delivery_of_a_running_job_waits_for_the_live_copy_and_the_run_is_trained_once()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var started = await PostJson("/jobs/train", new { architecture = "wav2vec2", dataset = "synthetic", hyperParameters = new { epochs = 4 } });
        var location = started.Headers.Location!.ToString();
        await WaitForJob(location, "running");
        await Task.Delay(1500, Ct);
        var jobId = location.Split('/')[^1];

        // As when a storage's invisibility timeout hands a long job to a second worker while the first still runs.
        await Factory.Services.GetRequiredService<Ser.Api.Jobs.TrainModelJob>().RunAsync(jobId, Ct);
        var job = await WaitForJob(location, "succeeded", "failed");

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        // Deliveries are counted by JobStateFilter around Hangfire's; this direct call is not one of them.
        Assert.Equal(1, job.GetProperty("attempt").GetInt32());
        var runId = job.GetProperty("runs")[0].GetProperty("runId").GetString()!;
        var status = JsonDocument.Parse(File.ReadAllText(Path.Combine(Factory.DataPath, "runs", runId, "status.json")));
        Assert.Equal(1, status.RootElement.GetProperty("attempt").GetInt32()); // trained once
    }

    [Fact]
    public async Task A_cancelled_job_stops_keeps_its_checkpoint_and_reports_cancelled()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var started = await PostJson("/jobs/train", new
        {
            architecture = "wav2vec2", dataset = "synthetic", hyperParameters = new { epochs = 50, checkpointEverySteps = 1, batchSize = 4 },
        });
        var location = started.Headers.Location!.ToString();
        var running = await WaitForJob(location, "running", "failed");
        Assert.Equal("running", running.GetProperty("state").GetString());
        await Task.Delay(3000, Ct);

        var cancel = await Client.DeleteAsync(new Uri(location, UriKind.Relative), Ct);
        var job = await WaitForJob(location, "cancelled", "failed", "succeeded");

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        var run = job.GetProperty("runs")[0];
        Assert.Equal("cancelled", run.GetProperty("state").GetString());
        Assert.True(File.Exists(Path.Combine(Factory.DataPath, "runs", run.GetProperty("runId").GetString()!, "checkpoints", "last", "state.json")));
    }
}
