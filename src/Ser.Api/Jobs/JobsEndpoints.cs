using System.Globalization;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Ser.Api.Hosting;
using Ser.Api.Hosting.Security;
using Ser.Api.Jobs.Contracts;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>Training as background jobs: start, follow, list, cancel.</summary>
public static class JobsEndpoints
{
    /// <summary>Largest JSON body of a job request.</summary>
    public const int JsonBodyLimit = 64 * 1024;

    public static IEndpointRouteBuilder MapJobsEndpoints(this IEndpointRouteBuilder app)
    {
        // Job requests are small JSON documents; a body the size of an upload is refused (413) before it is parsed.
        var group = app.MapGroup("/jobs").WithTags("Jobs").WithMetadata(new RequestSizeLimitAttribute(JsonBodyLimit));
        group.MapPost("/train", Train).WithName("TrainJob").AddEndpointFilter<StateChangeAuthorization>()
            .WithSummary("Train wav2vec2, resnet18 or both on a configured dataset; 202 with Location: /jobs/{id}.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPost("/evaluate", Evaluate).WithName("EvaluateJob").AddEndpointFilter<StateChangeAuthorization>()
            .WithSummary("Evaluate finished runs again (on their own split, or a configured dataset); 202 with Location: /jobs/{id}.")
            .ProducesValidationProblem();
        group.MapGet("/{id}", Get).WithName("GetJob").WithSummary("A job's state, its runs' progress (epoch, step, loss, validation UA, ETA) and error.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", List).WithName("ListJobs").WithSummary("Jobs, newest first, a page at a time: ?state= filters, ?limit= (1–500, default 50), ?cursor= is the previous page's next.")
            .ProducesValidationProblem();
        group.MapDelete("/{id}", Cancel).WithName("CancelJob").AddEndpointFilter<StateChangeAuthorization>()
            .WithSummary("Cancel a job: it stops at the next step and keeps its last checkpoint.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static Results<Accepted<JobResponse>, ValidationProblem> Train(TrainJobRequest request, [FromHeader(Name = "Idempotency-Key")] string? key,
        JobLauncher launcher, JobStore jobs, TrainingRunner runner)
    {
        if (key is not null && jobs.FindByIdempotencyKey(key) is { } existing)
            return TypedResults.Accepted($"/jobs/{existing.Id}", Describe(existing, runner));
        var (job, errors) = launcher.StartTraining(request, key);
        if (job is null) return TypedResults.ValidationProblem(errors, title: "Invalid training request", type: "https://ser.dev/problems/400");
        return TypedResults.Accepted($"/jobs/{job.Id}", Describe(job, runner));
    }

    private static Results<Accepted<JobResponse>, ValidationProblem> Evaluate(EvaluateJobRequest request, JobLauncher launcher, TrainingRunner runner,
        CancellationToken cancellationToken)
    {
        var (job, errors) = launcher.StartEvaluation(request, cancellationToken);
        if (job is null) return TypedResults.ValidationProblem(errors, title: "Invalid evaluation request", type: "https://ser.dev/problems/400");
        return TypedResults.Accepted($"/jobs/{job.Id}", Describe(job, runner));
    }

    private static Results<Ok<JobResponse>, ProblemHttpResult> Get(string id, JobStore jobs, TrainingRunner runner) =>
        jobs.Find(id) is { } job
            ? TypedResults.Ok(Describe(job, runner))
            : Problems.Create(StatusCodes.Status404NotFound, "Unknown job", $"There is no job '{id}'.");

    private static Results<Ok<JobListResponse>, ValidationProblem> List(JobStore jobs, TrainingRunner runner, [FromQuery] string? state,
        [FromQuery] int? limit, [FromQuery] string? cursor)
    {
        var errors = PageCursor.Validate(limit, cursor, key => long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        JobState? filter = null;
        if (state is not null)
        {
            foreach (var s in Enum.GetValues<JobState>())
                if (string.Equals(s.ToString(), state, StringComparison.OrdinalIgnoreCase)) filter = s;
            if (filter is null) errors["state"] = ["state must be queued, running, succeeded, failed or cancelled."];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "Invalid request", type: "https://ser.dev/problems/400");
        (long, string)? before = cursor is not null && PageCursor.TryDecode(cursor, out var key, out var id)
            ? (long.Parse(key, CultureInfo.InvariantCulture), id) : null;
        var (items, more) = jobs.Page(filter, limit ?? PageCursor.DefaultLimit, before);
        var next = more ? PageCursor.Encode(items[^1].CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), items[^1].Id) : null;
        // Every listed job's runs in one registry query: no file is read per item.
        var rows = runner.Registry.FindMany(items.SelectMany(j => j.RunIds).Distinct(StringComparer.Ordinal).ToArray());
        return TypedResults.Ok(new JobListResponse(items.Select(j => Describe(j, rows, runner.Store.Root)).ToArray(), next));
    }

    private static Results<Accepted<JobResponse>, ProblemHttpResult> Cancel(string id, JobStore jobs, TrainingRunner runner, IBackgroundJobClient hangfire)
    {
        var job = jobs.Find(id);
        if (job is null) return Problems.Create(StatusCodes.Status404NotFound, "Unknown job", $"There is no job '{id}'.");
        if (job.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled)
            return Problems.Create(StatusCodes.Status409Conflict, "Job already finished", $"Job '{id}' is {job.State.ToString().ToLowerInvariant()}.");
        job = jobs.Update(id, j => j with { CancelRequested = true });
        if (job.HangfireId is not null) hangfire.Delete(job.HangfireId);
        if (job.State == JobState.Queued)
            job = jobs.Update(id, j => j with { State = JobState.Cancelled, FinishedAt = DateTimeOffset.UtcNow, Error = "cancelled before it started" });
        return TypedResults.Accepted($"/jobs/{id}", Describe(job, runner));
    }

    private static JobResponse Describe(JobRecord job, TrainingRunner runner) => Describe(job, runner.Registry.FindMany(job.RunIds), runner.Store.Root);

    // A run's state and progress come from its registry row (the source of truth), never from its folder.
    private static JobResponse Describe(JobRecord job, IReadOnlyDictionary<string, RunSummary> rows, string runsRoot) =>
        new(job.Id, job.Kind, job.State.ToString().ToLowerInvariant(), job.CreatedAt, job.StartedAt, job.FinishedAt, job.Attempt, job.Request,
            job.RunIds.Where(rows.ContainsKey).Select(runId =>
            {
                var row = rows[runId];
                return new JobRun(runId, row.Architecture, row.State.ToString().ToLowerInvariant(), row.Progress, row.ResumedFromStep);
            }).ToArray(), PublicText.Redact(job.Error, Path.GetDirectoryName(runsRoot)))
        {
            CrossValidation = job.CrossValidation is { } cv
                ? new CrossValidationInfo(cv.Id, cv.Fold, cv.Folds, cv.Jobs, $"/metrics/cross-validation/{cv.Id}")
                : null,
        };
}
