using System.Text.Json;
using Hangfire;
using Ser.Api.Jobs.Contracts;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>Creates jobs: validates the request, registers its runs, records the job and hands it to Hangfire. One path
/// for <c>POST /jobs/train</c>, <c>POST /jobs/evaluate</c> and the start-up bootstrap.</summary>
public sealed class JobLauncher(TrainJobValidator validator, JobStore jobs, TrainingRunner runner, IBackgroundJobClient hangfire,
    ILogger<JobLauncher> logger)
{
    /// <summary>The job, or every invalid field. With <paramref name="jobId"/>, creates that job only if no process
    /// created it first (then returns the existing one).</summary>
    public (JobRecord? Job, Dictionary<string, string[]> Errors) StartTraining(TrainJobRequest request, string? idempotencyKey = null, string? jobId = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (runs, errors) = validator.Validate(request);
        return errors.Count > 0 ? (null, errors)
            : (Start(RunKinds.Train, request, runs, idempotencyKey, jobId, id => hangfire.Enqueue<TrainModelJob>(j => j.RunAsync(id, CancellationToken.None))), errors);
    }

    /// <summary>An evaluation job re-scoring finished runs, or every invalid field.</summary>
    public (JobRecord? Job, Dictionary<string, string[]> Errors) StartEvaluation(EvaluateJobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (runs, errors) = validator.ValidateEvaluation(request, runner.Store, runner.Registry, cancellationToken);
        return errors.Count > 0 ? (null, errors)
            : (Start(RunKinds.Evaluate, request, runs, null, null, id => hangfire.Enqueue<EvaluateRunsJob>(j => j.RunAsync(id, CancellationToken.None))), errors);
    }

    // The runs first, then the job row naming them, so no reader ever sees a job without its runs. The row is where a
    // race ends (its id, its idempotency key): a loser takes its own runs back and answers with the winner's job.
    // Whatever fails before the job is queued is taken back, so a retry with the same key starts afresh.
    private JobRecord Start<TRequest>(string kind, TRequest request, IReadOnlyList<RunSpec> runs, string? idempotencyKey, string? jobId,
        Func<string, string> enqueue)
    {
        var created = new List<string>();
        JobRecord job;
        try
        {
            foreach (var run in runs)
            {
                runner.Create(run);
                created.Add(run.RunId);
            }
            job = new JobRecord(jobId ?? JobStore.NewId(), kind, JobState.Queued, DateTimeOffset.UtcNow, JsonSerializer.SerializeToElement(request, RunStore.Json),
                created, IdempotencyKey: idempotencyKey);
            for (var attempt = 1; !jobs.TryAdd(job); attempt++)
            {
                var existing = (idempotencyKey is null ? null : jobs.FindByIdempotencyKey(idempotencyKey)) ?? (jobId is null ? null : jobs.Find(jobId));
                if (existing is not null)
                {
                    Discard(created);
                    return existing;
                }
                // A generated id taken (not in practice), or the winner was rolled back in between: try again.
                if (attempt == 3) throw new InvalidOperationException($"Job {job.Id} could not be recorded: its id or idempotency key stayed taken.");
                job = job with { Id = jobId ?? JobStore.NewId() };
            }
        }
        catch
        {
            Discard(created);
            throw;
        }
        string hangfireId;
        try
        {
            hangfireId = enqueue(job.Id);
        }
        catch
        {
            Forget(job.Id);
            Discard(created);
            throw;
        }
        return jobs.Update(job.Id, j => j with { HangfireId = hangfireId });
    }

    private void Forget(string jobId)
    {
        try
        {
            jobs.Remove(jobId);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Job {JobId} was not queued and could not be removed: {Message}", jobId, e.Message);
        }
    }

    private void Discard(IEnumerable<string> runIds)
    {
        foreach (var runId in runIds)
        {
            try
            {
                runner.Discard(runId);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Run {RunId} of a job that was not created could not be removed: {Message}", runId, e.Message);
            }
        }
    }
}
