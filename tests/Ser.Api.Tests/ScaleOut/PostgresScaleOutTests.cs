using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Ser.Core.Data.Synthetic;
using Ser.Tests;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.ScaleOut;

/// <summary>Scale-out for real: a PostgreSQL server, one API process (Ser:Role=api) and separate worker processes
/// (Ser:Role=worker) sharing the data volume. A job posted to the API waits for a worker, runs on it, survives the
/// worker being killed (another worker resumes it from the checkpoint), and the API serves the model once activated.</summary>
[CollectionDefinition(nameof(PostgresScaleOutTests), DisableParallelization = true)]
[Collection(nameof(PostgresScaleOutTests))]
public sealed class PostgresScaleOutTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-scale-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task A_job_posted_to_the_api_runs_on_a_worker_resumes_on_another_after_a_kill_and_is_served_by_the_api()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var (postgres, missing) = PostgresServer.TryStart();
        if (postgres is null) Assert.Skip(missing!);
        using var _ = postgres;
        var watch = Stopwatch.StartNew();
        var corpus = Path.Combine(_temp, "synthetic");
        SyntheticCorpusGenerator.Generate(corpus, new SyntheticCorpusOptions { Actors = 6, Sentences = 2, Seed = 4 }, Ct);
        var data = Path.Combine(_temp, "data"); // the volume API and workers share: run folders, checkpoints, models
        Dictionary<string, string> Settings(string role) => new(ApiProcess.SyntheticDataset(corpus))
        {
            ["Ser__Role"] = role, ["ConnectionStrings__Postgres"] = postgres.ConnectionString, ["Ser__Jobs__InvisibilityTimeoutSeconds"] = "3",
        };

        using var api = new ApiProcess(data, Settings("api"));
        await api.WaitUntilLiveAsync(Ct);
        var location = await api.StartJobAsync(new
        {
            architecture = "wav2vec2", dataset = "synthetic", hyperParameters = new { epochs = 3, batchSize = 4, checkpointEverySteps = 1 },
        }, Ct);
        await Task.Delay(3000, Ct);
        Assert.Equal("queued", (await Job(api, location)).GetProperty("state").GetString()); // the API never trains

        using (var first = new ApiProcess(data, Settings("worker")))
        {
            await first.WaitUntilLiveAsync(Ct);
            Assert.Equal(HttpStatusCode.NotFound, (await first.Http.GetAsync(new Uri("/models", UriKind.Relative), Ct)).StatusCode);
            await RunCheckpoints.WaitAsync(data, 3, Ct);
            first.Kill();
        }
        var killed = await Job(api, location);
        Assert.NotEqual("succeeded", killed.GetProperty("state").GetString());

        // Two live workers and a 3 s invisibility timeout, far shorter than the resumed training: the job may be
        // delivered to both, but the run is trained by one of them only.
        using var second = new ApiProcess(data, Settings("worker"));
        using var third = new ApiProcess(data, Settings("worker"));
        await second.WaitUntilLiveAsync(Ct);
        await third.WaitUntilLiveAsync(Ct);
        var resumedAt = watch.Elapsed;
        var job = await api.WaitForJobAsync(location, ["succeeded", "failed"], Ct);
        log.WriteLine($"PostgreSQL + API + three workers, one killed: {watch.Elapsed.TotalSeconds:0} s; resumed training took "
            + $"{(watch.Elapsed - resumedAt).TotalSeconds:0} s against a 3 s invisibility timeout; job delivered {job.GetProperty("attempt")} times");
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.True(job.GetProperty("attempt").GetInt32() >= 2);
        var run = job.GetProperty("runs")[0];
        Assert.True(run.GetProperty("resumedFromStep").GetInt64() >= 3, "the second worker started over instead of resuming");
        var runId = run.GetProperty("runId").GetString()!;
        using (var status = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "runs", runId, "status.json"), Ct)))
            Assert.Equal(2, status.RootElement.GetProperty("attempt").GetInt32()); // killed once, resumed once: never two live copies

        // Registry and job records live in PostgreSQL, not in a SQLite file on the volume.
        Assert.False(File.Exists(Path.Combine(data, "registry.db")));
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("SELECT state FROM runs WHERE id = @id", connection);
            command.Parameters.AddWithValue("id", runId);
            Assert.Equal("succeeded", await command.ExecuteScalarAsync(Ct));
        }

        var activated = await api.Http.PostAsJsonAsync(new Uri("/models/wav2vec2/activate", UriKind.Relative), new { runId }, Ct);
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestWav.Tone(1.5)), "file", "clip.wav" } };
        var classified = await api.Http.PostAsync(new Uri("/classify?models=wav2vec2", UriKind.Relative), form, Ct);
        Assert.Equal(HttpStatusCode.OK, classified.StatusCode);
        var body = await classified.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(runId, body.GetProperty("predictions").GetProperty("wav2vec2").GetProperty("runId").GetString());
    }

    private static async Task<JsonElement> Job(ApiProcess api, string location) =>
        await api.Http.GetFromJsonAsync<JsonElement>(new Uri(location, UriKind.Relative), Ct);
}
