using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ser.Core.Data.Synthetic;
using Ser.Tests;

namespace Ser.Api.Tests.Jobs;

/// <summary>A real Ser process (SQLite job storage) is killed mid-training; a new process resumes the job from its
/// checkpoint and ends with the same test metrics as an uninterrupted run of the same job.</summary>
[CollectionDefinition(nameof(KillResumeTests), DisableParallelization = true)]
[Collection(nameof(KillResumeTests))]
public sealed class KillResumeTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-kill-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static readonly object Job = new
    {
        architecture = "wav2vec2", dataset = "synthetic", hyperParameters = new { epochs = 3, batchSize = 4, checkpointEverySteps = 1 },
    };

    [Fact]
    public async Task A_killed_training_job_resumes_from_its_checkpoint_in_a_new_process_with_the_same_result()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var corpus = Path.Combine(_temp, "synthetic");
        SyntheticCorpusGenerator.Generate(corpus, new SyntheticCorpusOptions { Actors = 6, Sentences = 2, Seed = 4 }, Ct);
        var watch = Stopwatch.StartNew();

        // Uninterrupted reference.
        var reference = Path.Combine(_temp, "reference");
        JsonElement expected;
        using (var api = new ApiProcess(reference, ApiProcess.SyntheticDataset(corpus)))
        {
            await api.WaitUntilLiveAsync(Ct);
            var location = await api.StartJobAsync(Job, Ct);
            var job = await api.WaitForJobAsync(location, ["succeeded", "failed"], Ct);
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
            expected = await api.RunMetricsAsync(job, Ct);
        }

        // Killed after a few steps, then restarted on the same data folder.
        var data = Path.Combine(_temp, "killed");
        string jobLocation;
        using (var first = new ApiProcess(data, ApiProcess.SyntheticDataset(corpus)))
        {
            await first.WaitUntilLiveAsync(Ct);
            jobLocation = await first.StartJobAsync(Job, Ct);
            await RunCheckpoints.WaitAsync(data, 3, Ct);
            first.Kill();
        }
        using var second = new ApiProcess(data, ApiProcess.SyntheticDataset(corpus));
        await second.WaitUntilLiveAsync(Ct);
        var resumed = await second.WaitForJobAsync(jobLocation, ["succeeded", "failed"], Ct);
        log.WriteLine($"reference + kill + resume: {watch.Elapsed.TotalSeconds:0} s");

        Assert.Equal("succeeded", resumed.GetProperty("state").GetString());
        Assert.True(resumed.GetProperty("attempt").GetInt32() >= 2);
        var run = resumed.GetProperty("runs")[0];
        Assert.True(run.GetProperty("resumedFromStep").GetInt64() >= 3, "the run started over instead of resuming");
        var actual = await second.RunMetricsAsync(resumed, Ct);
        foreach (var figure in new[] { "wa", "ua", "macroF1" })
            Assert.Equal(expected.GetProperty(figure).GetProperty("value").GetDouble(), actual.GetProperty(figure).GetProperty("value").GetDouble());
    }
}
