using System.Text.Json;
using Hangfire;
using Ser.Api.Contracts;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>Creates training jobs: validates the request, registers its runs, records the job and hands it to Hangfire.
/// One path for <c>POST /jobs/train</c> and the start-up bootstrap.</summary>
public sealed class JobLauncher(TrainJobValidator validator, JobStore jobs, TrainingRunner runner, IBackgroundJobClient hangfire)
{
    /// <summary>The job, or every invalid field. With <paramref name="jobId"/>, creates that job only if no process
    /// created it first (then returns the existing one).</summary>
    public (JobRecord? Job, Dictionary<string, string[]> Errors) StartTraining(TrainJobRequest request, string? idempotencyKey = null, string? jobId = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (runs, errors) = validator.Validate(request);
        if (errors.Count > 0) return (null, errors);
        var job = new JobRecord(jobId ?? JobStore.NewId(), "train", JobState.Queued, DateTimeOffset.UtcNow, JsonSerializer.SerializeToElement(request, RunStore.Json),
            runs.Select(r => r.RunId).ToArray(), IdempotencyKey: idempotencyKey);
        if (!jobs.TryAdd(job)) return (jobs.Find(job.Id), errors);
        foreach (var run in runs) runner.Create(run);
        var hangfireId = hangfire.Enqueue<TrainModelJob>(j => j.RunAsync(job.Id, CancellationToken.None));
        return (jobs.Update(job.Id, j => j with { HangfireId = hangfireId }), errors);
    }
}
