using System.ComponentModel;
using Hangfire;
using Microsoft.Extensions.Options;
using Ser.Api.Models;
using Ser.Training.Runs;
using Ser.Training.Storage;

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
        var job = await WhenStorageAnswersAsync(
            () => jobs.Update(jobId, j => j with { State = JobState.Running, StartedAt = j.StartedAt ?? DateTimeOffset.UtcNow, Attempt = j.Attempt + 1 }),
            cancellationToken).ConfigureAwait(false);
        var delivery = job.Attempt;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId });
        if (job.CancelRequested)
        {
            Finish(jobId, JobState.Cancelled, null);
            return;
        }
        try
        {
            await RunSequence.TrainAllAsync(runner.Store, serving.Value.FullDataPath, job.RunIds, async (runId, ct) =>
            {
                using var runScope = logger.BeginScope(new Dictionary<string, object> { ["RunId"] = runId });
                await TrainOrStandByAsync(runId, ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            Finish(jobId, JobState.Succeeded, null);
        }
        catch (OperationCanceledException) when (jobs.Find(jobId)?.CancelRequested == true)
        {
            Finish(jobId, JobState.Cancelled, "cancelled by request; the last checkpoint is kept");
        }
        catch (OperationCanceledException)
        {
            // Server shutdown, or Hangfire handed the job to a later delivery: it runs again and the runs resume from their
            // checkpoints. A later delivery owns the record from then on.
            jobs.Update(jobId, j => j.Attempt == delivery && j.State == JobState.Running ? j with { State = JobState.Queued } : j);
            throw;
        }
        catch (Exception e)
        {
            Finish(jobId, JobState.Failed, e.Message);
            throw;
        }
    }

    /// <summary>Trains the run, or, when another live process holds its lease (a duplicate delivery: at-least-once), waits
    /// without touching the job until that copy is done or dies, then goes on from there. Completing early instead would
    /// change the job's Hangfire state and abort the live copy. A run stopped by unavailable storage or a lost lease is
    /// tried again the same way: it resumes from its last checkpoint once the storage answers, or the job fails with the
    /// reason after <see cref="StoragePatience"/>.</summary>
    private async Task TrainOrStandByAsync(string runId, CancellationToken cancellationToken)
    {
        var waiting = false;
        var troubleSince = (DateTimeOffset?)null;
        while (runner.Store.ReadStatus(runId).State != RunState.Succeeded)
        {
            try
            {
                await runner.TrainAsync(runId, null, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RunLeasedException e)
            {
                if (!waiting) logger.LogWarning("Run {RunId} is being trained by {Owner}; this delivery waits for it", runId, e.Owner);
                waiting = true;
            }
            catch (RunLeaseLostException e)
            {
                troubleSince ??= DateTimeOffset.UtcNow;
                logger.LogWarning("{Message} This delivery tries again every {Seconds} s", e.Message, StandByPoll.TotalSeconds);
            }
            catch (Exception e) when (StorageFaults.IsUnavailable(e))
            {
                troubleSince ??= DateTimeOffset.UtcNow;
                if (DateTimeOffset.UtcNow - troubleSince > StoragePatience)
                    throw new InvalidOperationException($"Run {runId} stopped: its storage stayed unavailable for {StoragePatience.TotalMinutes:0.#} min "
                        + $"({e.Message}); its last checkpoint is kept for a later resume.", e);
                logger.LogWarning("Run {RunId}: storage unavailable ({Message}); this delivery tries again every {Seconds} s", runId, e.Message,
                    StandByPoll.TotalSeconds);
            }
            await Task.Delay(StandByPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    // A job that fails here would stay "queued" for good (Hangfire does not retry it): wait for the storage as a run does.
    private async Task<T> WhenStorageAnswersAsync<T>(Func<T> action, CancellationToken cancellationToken)
    {
        var since = DateTimeOffset.UtcNow;
        while (true)
        {
            try
            {
                return action();
            }
            catch (Exception e) when (StorageFaults.IsUnavailable(e) && DateTimeOffset.UtcNow - since < StoragePatience)
            {
                logger.LogWarning("Storage unavailable ({Message}); trying again in {Seconds} s", e.Message, StandByPoll.TotalSeconds);
            }
            await Task.Delay(StandByPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan StandByPoll = TimeSpan.FromSeconds(2);

    /// <summary>How long a run waits for unavailable storage (locked, full, unreachable) before the job fails.</summary>
    private TimeSpan StoragePatience => 5 * (runner.LeaseTimings.StaleAfter ?? RunLease.StaleAfter);

    // Best effort: with the storage unavailable the job's own error (what Hangfire records) matters more.
    private void Finish(string jobId, JobState state, string? error)
    {
        try
        {
            jobs.Update(jobId, j => j with { State = state, FinishedAt = DateTimeOffset.UtcNow, Error = error });
        }
        catch (Exception e) when (StorageFaults.IsUnavailable(e))
        {
            logger.LogError("Job {JobId} ended {State} ({Error}) but the job store could not record it: {Message}", jobId, state, error, e.Message);
        }
    }
}
