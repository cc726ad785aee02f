using Hangfire;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>Finds jobs whose process died mid-training and hands them back to Hangfire at once, instead of waiting for
/// the storage's invisibility timeout (often 30 min). Runs at start-up and every minute. A job counts as orphaned when
/// its current run's lease is held by a dead process on this machine or its heartbeat is stale; the re-delivered job
/// resumes the run from its last checkpoint, and the lease keeps a still-living copy from running twice.</summary>
public sealed class JobRecovery(JobStore jobs, RunRegistry registry, IBackgroundJobClient hangfire, ILogger<JobRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Recover();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Job recovery pass failed");
            }
            await Task.Delay(TimeSpan.FromMinutes(1), stoppingToken).ConfigureAwait(false);
        }
    }

    public void Recover()
    {
        foreach (var job in jobs.InState(JobState.Running).Where(j => j.HangfireId is not null && !j.CancelRequested))
        {
            var current = job.RunIds.FirstOrDefault(r => registry.Find(r)?.State is not RunState.Succeeded);
            if (current is null) continue;
            var lease = registry.Lease(current);
            var orphaned = lease is { } held
                ? RunLease.IsDeadLocalOwner(held.Owner) || DateTimeOffset.UtcNow - held.Heartbeat > RunLease.StaleAfter
                : job.StartedAt < DateTimeOffset.UtcNow - RunLease.StaleAfter;
            if (!orphaned) continue;
            logger.LogWarning("Job {JobId}: run {RunId} lost its process; re-queuing it to resume from its checkpoint", job.Id, current);
            jobs.Update(job.Id, j => j with { State = JobState.Queued });
            hangfire.Requeue(job.HangfireId);
        }
    }
}
