using Hangfire.Common;
using Hangfire.Server;
using Ser.Training.Storage;

namespace Ser.Api.Jobs;

/// <summary>The one owner of a job record's transitions, for every job whose method takes <c>string jobId</c> first
/// (train, evaluate): processing → running (attempt + 1, started), done → succeeded, an error → failed with it, a
/// cancel request or a Hangfire delete → cancelled, a server shutdown → queued again (the next delivery resumes: finished
/// runs are skipped, the others go on from their checkpoints). Opens the <c>{JobId}</c> log scope around the job.</summary>
public sealed class JobStateFilter(JobStore jobs, ILogger<JobStateFilter> logger) : IServerFilter
{
    private const string ScopeKey = "Ser.JobScope", DeliveryKey = "Ser.Delivery";

    /// <summary>How long the start waits for unavailable storage before the job fails (Hangfire would not retry it).</summary>
    public TimeSpan StoragePatience { get; init; } = TimeSpan.FromMinutes(5);

    public void OnPerforming(PerformingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (JobId(context.BackgroundJob.Job) is not { } jobId) return;
        var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId });
        context.Items[ScopeKey] = scope;
        var now = DateTimeOffset.UtcNow;
        var job = WhenStorageAnswers(() => jobs.Update(jobId, j => j.CancelRequested
            ? j with { State = JobState.Cancelled, FinishedAt = j.FinishedAt ?? now }
            : j with { State = JobState.Running, StartedAt = j.StartedAt ?? now, Attempt = j.Attempt + 1 }), context.CancellationToken.ShutdownToken);
        context.Items[DeliveryKey] = job.Attempt;
        if (!job.CancelRequested) return;
        context.Canceled = true; // Hangfire skips the job and calls no OnPerformed
        scope?.Dispose();
    }

    public void OnPerformed(PerformedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (JobId(context.BackgroundJob.Job) is not { } jobId) return;
        try
        {
            var delivery = context.Items.TryGetValue(DeliveryKey, out var d) ? (int)d : 0;
            // Hangfire wraps a job's own exception; a shutdown's and a delete's come as they are.
            var error = context.Exception is JobPerformanceException { InnerException: { } inner } ? inner : context.Exception;
            var now = DateTimeOffset.UtcNow;
            var job = jobs.Update(jobId, j => error switch
            {
                null => j with { State = JobState.Succeeded, FinishedAt = now, Error = null },
                _ when j.CancelRequested || error is JobAbortedException =>
                    j with { State = JobState.Cancelled, FinishedAt = now, Error = "cancelled by request; the last checkpoint is kept" },
                // A shutdown: delivered again later, it resumes. A later delivery owns the record from then on.
                OperationCanceledException => j.Attempt == delivery && j.State == JobState.Running ? j with { State = JobState.Queued } : j,
                _ => j with { State = JobState.Failed, FinishedAt = now, Error = error.Message },
            });
            logger.LogInformation("Job {JobId} is {State}", jobId, job.State);
        }
        catch (Exception e) when (StorageFaults.IsUnavailable(e))
        {
            // The job's own error (what Hangfire records) matters more than failing here.
            logger.LogError("Job {JobId} ended but the job store could not record it: {Message}", jobId, e.Message);
        }
        finally
        {
            (context.Items.TryGetValue(ScopeKey, out var scope) ? scope as IDisposable : null)?.Dispose();
        }
    }

    /// <summary>The service's job id: the first argument of a job method whose first parameter is <c>string jobId</c>.</summary>
    public static string? JobId(Job? job) =>
        job?.Method.GetParameters() is [{ Name: "jobId" } first, ..] && first.ParameterType == typeof(string) && job.Args.Count > 0
            ? job.Args[0] as string : null;

    // Storage that is unavailable for a moment must not fail a job that nothing would retry.
    private JobRecord WhenStorageAnswers(Func<JobRecord> action, CancellationToken shutdown)
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
                logger.LogWarning("Storage unavailable ({Message}); trying again in {Seconds} s", e.Message, Poll.TotalSeconds);
            }
            if (shutdown.WaitHandle.WaitOne(Poll)) shutdown.ThrowIfCancellationRequested();
        }
    }

    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
}
