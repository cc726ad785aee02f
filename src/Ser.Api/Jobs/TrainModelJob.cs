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
/// at the next step (checkpoint kept). A failure is final: no automatic retries of a long, deterministic job. The job
/// record's state and the log scope belong to <see cref="JobStateFilter"/>.</summary>
[Queue("training")]
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class TrainModelJob(JobStore jobs, TrainingRunner runner, IOptions<ServingOptions> serving, ILogger<TrainModelJob> logger)
{
    [DisplayName("Train {0}")]
    public async Task RunAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await WhenStorageAnswersAsync(() => jobs.Find(jobId) ?? throw new KeyNotFoundException($"No job {jobId}."), cancellationToken)
            .ConfigureAwait(false);
        await RunSequence.TrainAllAsync(runner.Store, runner.Registry, serving.Value.FullDataPath, job.RunIds, async (runId, ct) =>
        {
            using var runScope = logger.BeginScope(new Dictionary<string, object> { ["RunId"] = runId });
            await TrainOrStandByAsync(runId, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
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
        while (true)
        {
            try
            {
                // The registry row is the run's state; reading it may meet unavailable storage too.
                if (runner.Registry.Find(runId)?.State == RunState.Succeeded) return;
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
}
