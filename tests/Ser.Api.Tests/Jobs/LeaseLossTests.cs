using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Ser.Training.BaseCheckpoints;
using Ser.Training.Runs;
using Ser.Tests;

namespace Ser.Api.Tests.Jobs;

/// <summary>Another process locks the registry while a job trains, for longer than the lease's stale window (here 4 s):
/// the heartbeat fails without ending the process, the run stops at its next step keeping its checkpoint, and once
/// the registry answers again the same delivery resumes the run under a new lease and the job succeeds.</summary>
[Collection(nameof(JobsEndpointsTests))]
public sealed class LeaseLossTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>, IDisposable
{
    private readonly SerApiFactory _factory = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_job_whose_registry_stays_locked_past_the_stale_window_survives_and_resumes_from_its_checkpoint()
    {
        using var slot = await TrainingSlot.AcquireAsync(Ct);
        _factory.UseSyntheticDataset(dataset.Root);
        var training = new ListLogger(); // the runner's log, where the lease reports its loss
        using var factory = _factory.WithWebHostBuilder(b => b.ConfigureServices(services => services.AddSingleton(sp =>
            new TrainingRunner(sp.GetRequiredService<RunStore>(), sp.GetRequiredService<RunRegistry>(), training, sp.GetRequiredService<BaseCheckpointCatalog>())
            {
                LeaseTimings = (TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(4)),
            })));
        using var client = factory.CreateClient();
        var started = await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative),
            new { architecture = "resnet18", dataset = "synthetic", hyperParameters = new { epochs = 10, batchSize = 4, checkpointEverySteps = 1 } }, Ct);
        var location = started.Headers.Location!;
        var runId = (await WaitFor(client, location, j => Step(j) >= 2)).GetProperty("runs")[0].GetProperty("runId").GetString()!;

        using (var locker = new SqliteConnection($"Data Source={Path.Combine(_factory.DataPath, "registry.db")};Pooling=False"))
        {
            locker.Open();
            using var command = locker.CreateCommand();
            command.CommandText = "BEGIN EXCLUSIVE;";
            command.ExecuteNonQuery();
            await WaitUntilLogged(training, "lease lost");
        }
        var job = await WaitFor(client, location, j => j.GetProperty("state").GetString() is "succeeded" or "failed");

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(1, job.GetProperty("attempt").GetInt32()); // the same delivery went on
        using var status = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_factory.DataPath, "runs", runId, "status.json"), Ct));
        Assert.Equal(2, status.RootElement.GetProperty("attempt").GetInt32());
        Assert.True(status.RootElement.GetProperty("resumedFromStep").GetInt64() >= 2);
    }

    private static long Step(JsonElement job) =>
        job.GetProperty("runs")[0].GetProperty("progress") is { ValueKind: JsonValueKind.Object } p ? p.GetProperty("step").GetInt64() : 0;

    private static async Task<JsonElement> WaitFor(HttpClient client, Uri location, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            var job = await client.GetFromJsonAsync<JsonElement>(location, Ct);
            if (done(job) || job.GetProperty("state").GetString() is "failed" or "succeeded") return job;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Job still {job.GetProperty("state")}: {job}");
            await Task.Delay(100, Ct);
        }
    }

    private static async Task WaitUntilLogged(ListLogger log, string text)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (!log.Entries.Any(e => e.Message.Contains(text, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"'{text}' was not logged.");
            await Task.Delay(50, Ct);
        }
    }
}
