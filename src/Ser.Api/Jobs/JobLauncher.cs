using System.Text.Json;
using Hangfire;
using Ser.Api.Contracts;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>Creates jobs: validates the request, registers its runs, records the job and hands it to Hangfire. One path
/// for <c>POST /jobs/train</c>, <c>POST /jobs/evaluate</c> and the start-up bootstrap.</summary>
public sealed class JobLauncher(TrainJobValidator validator, JobStore jobs, TrainingRunner runner, IBackgroundJobClient hangfire)
{
    /// <summary>The job, or every invalid field. With <paramref name="jobId"/>, creates that job only if no process
    /// created it first (then returns the existing one).</summary>
    public (JobRecord? Job, Dictionary<string, string[]> Errors) StartTraining(TrainJobRequest request, string? idempotencyKey = null, string? jobId = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (runs, errors) = validator.Validate(request);
        return errors.Count > 0 ? (null, errors)
            : (Start("train", request, runs, idempotencyKey, jobId, id => hangfire.Enqueue<TrainModelJob>(j => j.RunAsync(id, CancellationToken.None))), errors);
    }

    /// <summary>An evaluation job re-scoring finished runs, or every invalid field.</summary>
    public (JobRecord? Job, Dictionary<string, string[]> Errors) StartEvaluation(EvaluateJobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (runs, errors) = validator.ValidateEvaluation(request, runner.Store, runner.Registry, cancellationToken);
        return errors.Count > 0 ? (null, errors)
            : (Start("evaluate", request, runs, null, null, id => hangfire.Enqueue<EvaluateRunsJob>(j => j.RunAsync(id, CancellationToken.None))), errors);
    }

    private JobRecord Start<TRequest>(string kind, TRequest request, IReadOnlyList<RunSpec> runs, string? idempotencyKey, string? jobId,
        Func<string, string> enqueue)
    {
        var job = new JobRecord(jobId ?? JobStore.NewId(), kind, JobState.Queued, DateTimeOffset.UtcNow, JsonSerializer.SerializeToElement(request, RunStore.Json),
            runs.Select(r => r.RunId).ToArray(), IdempotencyKey: idempotencyKey);
        if (!jobs.TryAdd(job)) return jobs.Find(job.Id)!;
        foreach (var run in runs) runner.Create(run);
        var hangfireId = enqueue(job.Id);
        return jobs.Update(job.Id, j => j with { HangfireId = hangfireId });
    }
}
