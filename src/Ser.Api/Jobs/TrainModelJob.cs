using System.ComponentModel;
using Hangfire;
using Microsoft.Extensions.Options;
using Ser.Api.Serving;
using Ser.Training.Reports;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>The Hangfire job behind <c>POST /jobs/train</c>: trains the job's runs one after the other (both
/// architectures share one split), then writes their comparison. Re-entrant: delivered again after a crash or a
/// shutdown, it skips finished runs and resumes the others from their last checkpoint. Deleting the job cancels it
/// at the next step (checkpoint kept). A failure is final: no automatic retries of a long, deterministic job.</summary>
[Queue("training")]
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class TrainModelJob(JobStore jobs, TrainingRunner runner, IOptions<ServingOptions> serving, ILogger<TrainModelJob> logger)
{
    [DisplayName("Train {0}")]
    public async Task RunAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = jobs.Update(jobId, j => j with { State = JobState.Running, StartedAt = j.StartedAt ?? DateTimeOffset.UtcNow, Attempt = j.Attempt + 1 });
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId });
        if (job.CancelRequested)
        {
            Finish(jobId, JobState.Cancelled, null);
            return;
        }
        try
        {
            foreach (var runId in job.RunIds)
            {
                if (runner.Store.ReadStatus(runId).State == RunState.Succeeded) continue;
                using var runScope = logger.BeginScope(new Dictionary<string, object> { ["RunId"] = runId });
                await runner.TrainAsync(runId, null, cancellationToken).ConfigureAwait(false);
            }
            if (job.RunIds.Count >= 2)
                ComparisonWriter.Write(ComparisonBuilder.Build(runner.Store, job.RunIds),
                    Path.Combine(serving.Value.FullDataPath, "reports", string.Join("-vs-", job.RunIds)));
            Finish(jobId, JobState.Succeeded, null);
        }
        catch (RunLeasedException e)
        {
            // A duplicate delivery while a live process still trains the run: that copy finishes the job.
            logger.LogWarning("Job {JobId} delivered again while {RunId} is still being trained elsewhere; leaving it to that process", jobId, e.RunId);
        }
        catch (OperationCanceledException) when (jobs.Find(jobId)?.CancelRequested == true)
        {
            Finish(jobId, JobState.Cancelled, "cancelled by request; the last checkpoint is kept");
        }
        catch (OperationCanceledException)
        {
            // Server shutdown: Hangfire delivers the job again and the runs resume from their checkpoints.
            jobs.Update(jobId, j => j with { State = JobState.Queued });
            throw;
        }
        catch (Exception e)
        {
            Finish(jobId, JobState.Failed, e.Message);
            throw;
        }
    }

    private void Finish(string jobId, JobState state, string? error) =>
        jobs.Update(jobId, j => j with { State = state, FinishedAt = DateTimeOffset.UtcNow, Error = error });
}
