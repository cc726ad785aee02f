using System.Text.Json;
using Hangfire;
using Ser.Api.Jobs.Contracts;
using Microsoft.Extensions.Options;
using Ser.Api.Models;
using Ser.Training.CrossValidation;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>Creates jobs: validates the request, registers its runs, records the job and hands it to Hangfire. One path
/// for <c>POST /jobs/train</c>, <c>POST /jobs/evaluate</c> and the start-up bootstrap.</summary>
public sealed class JobLauncher(TrainJobValidator validator, JobStore jobs, TrainingRunner runner, IBackgroundJobClient hangfire,
    IOptions<ServingOptions> serving, ILogger<JobLauncher> logger)
{
    /// <summary>The job, or every invalid field. With <paramref name="jobId"/>, creates that job only if no process
    /// created it first (then returns the existing one). An <c>actor-kfold</c> split without a <c>fold</c> is a
    /// cross-validation: one job per fold (the first is returned; each names the others).</summary>
    public (JobRecord? Job, Dictionary<string, string[]> Errors) StartTraining(TrainJobRequest request, string? idempotencyKey = null, string? jobId = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Split is { Strategy: "actor-kfold", Fold: null } && jobId is null) return StartCrossValidation(request, idempotencyKey);
        var (runs, errors) = validator.Validate(request);
        return errors.Count > 0 ? (null, errors) : (StartTrain(request, runs, idempotencyKey, jobId, null), errors);
    }

    private JobRecord StartTrain(TrainJobRequest request, IReadOnlyList<RunSpec> runs, string? idempotencyKey, string? jobId, CrossValidationRef? fold) =>
        Start(RunKinds.Train, request, runs, idempotencyKey, jobId, id => hangfire.Enqueue<TrainModelJob>(j => j.RunAsync(id, CancellationToken.None)), fold);

    // Every fold is planned (and checked) before anything is created; the plan file names every fold's job and runs
    // before the first is queued, so the figures can be gathered whichever worker finishes first.
    private (JobRecord? Job, Dictionary<string, string[]> Errors) StartCrossValidation(TrainJobRequest request, string? idempotencyKey)
    {
        var folds = request.Split!.Folds ?? new SplitSpec().Folds;
        var planned = new List<(TrainJobRequest Request, IReadOnlyList<RunSpec> Runs)>();
        for (var fold = 0; fold < Math.Max(1, folds); fold++)
        {
            var one = request with { Split = request.Split with { Fold = fold } };
            var (runs, errors) = validator.Validate(one);
            if (errors.Count > 0) return (null, errors);
            planned.Add((one, runs));
        }
        var plan = new CrossValidationPlan(CrossValidationPlan.NewId(), DateTimeOffset.UtcNow, folds, planned[0].Runs[0].Split.Seed, planned[0].Runs[0].Dataset,
            planned.Select((p, f) => new CrossValidationFold(f, JobStore.NewId(), p.Runs.Select(r => r.RunId).ToArray())).ToArray());
        plan.Save(serving.Value.CrossValidationPath);
        var jobIds = plan.Jobs.Select(j => j.JobId).ToArray();
        var first = StartTrain(planned[0].Request, planned[0].Runs, idempotencyKey, jobIds[0], new CrossValidationRef(plan.Id, 0, folds, jobIds));
        for (var f = 1; f < folds; f++) StartTrain(planned[f].Request, planned[f].Runs, null, jobIds[f], new CrossValidationRef(plan.Id, f, folds, jobIds));
        logger.LogInformation("Cross-validation {CrossValidationId}: {Folds} fold jobs queued", plan.Id, folds);
        return (first, []);
    }

    /// <summary>An evaluation job re-scoring finished runs, or every invalid field.</summary>
    public (JobRecord? Job, Dictionary<string, string[]> Errors) StartEvaluation(EvaluateJobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (runs, errors) = validator.ValidateEvaluation(request, runner.Store, runner.Registry, cancellationToken);
        return errors.Count > 0 ? (null, errors)
            : (Start(RunKinds.Evaluate, request, runs, null, null, id => hangfire.Enqueue<EvaluateRunsJob>(j => j.RunAsync(id, CancellationToken.None)), null), errors);
    }

    // The runs first, then the job row naming them, so no reader ever sees a job without its runs. The row is where a
    // race ends (its id, its idempotency key): a loser takes its own runs back and answers with the winner's job.
    // Whatever fails before the job is queued is taken back, so a retry with the same key starts afresh.
    private JobRecord Start<TRequest>(string kind, TRequest request, IReadOnlyList<RunSpec> runs, string? idempotencyKey, string? jobId,
        Func<string, string> enqueue, CrossValidationRef? fold)
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
                created, IdempotencyKey: idempotencyKey, CrossValidation: fold);
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
