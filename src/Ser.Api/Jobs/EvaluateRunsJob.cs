using Hangfire;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>The Hangfire job behind <c>POST /jobs/evaluate</c>: one evaluation run per named run.</summary>
[Queue("training")]
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class EvaluateRunsJob(JobStore jobs, TrainingRunner runner)
{
    public async Task RunAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = jobs.Update(jobId, j => j with { State = JobState.Running, StartedAt = j.StartedAt ?? DateTimeOffset.UtcNow, Attempt = j.Attempt + 1 });
        try
        {
            foreach (var runId in job.RunIds.Where(r => runner.Store.ReadStatus(r).State != RunState.Succeeded))
                await runner.EvaluateAsync(runId, cancellationToken).ConfigureAwait(false);
            jobs.Update(jobId, j => j with { State = JobState.Succeeded, FinishedAt = DateTimeOffset.UtcNow });
        }
        catch (Exception e)
        {
            var cancelled = e is OperationCanceledException && jobs.Find(jobId)?.CancelRequested == true;
            jobs.Update(jobId, j => j with { State = cancelled ? JobState.Cancelled : JobState.Failed, FinishedAt = DateTimeOffset.UtcNow, Error = e.Message });
            if (!cancelled) throw;
        }
    }
}
