using Hangfire;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>The Hangfire job behind <c>POST /jobs/evaluate</c>: one evaluation run per named run. Re-entrant like
/// <see cref="TrainModelJob"/>: delivered again after a shutdown, it evaluates the runs that did not finish. The job
/// record's state belongs to <see cref="JobStateFilter"/>.</summary>
[Queue("training")]
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class EvaluateRunsJob(JobStore jobs, TrainingRunner runner)
{
    public async Task RunAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = jobs.Find(jobId) ?? throw new KeyNotFoundException($"No job {jobId}.");
        foreach (var runId in job.RunIds.Where(r => runner.Registry.Find(r)?.State != RunState.Succeeded))
            await runner.EvaluateAsync(runId, cancellationToken).ConfigureAwait(false);
    }
}
