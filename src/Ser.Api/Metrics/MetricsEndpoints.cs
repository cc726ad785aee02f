using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Ser.Api.Hosting;
using Ser.Api.Hosting.Security;
using Ser.Api.Metrics.Contracts;
using Ser.Api.Metrics.Dashboard;
using Ser.Api.Models;
using Ser.Core.Data.Splits;
using Ser.Core.Models;
using Microsoft.Extensions.Options;
using Ser.Training.CrossValidation;
using Ser.Training.Reports;
using Ser.Training.Runs;

namespace Ser.Api.Metrics;

/// <summary>Run metrics and the side-by-side comparison (JSON, or a dashboard page for browsers).</summary>
public static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/metrics").WithTags("Metrics");
        group.MapGet("/runs", ListRuns).WithName("ListRunMetrics").WithSummary("Runs with their headline test figures, newest first, a page at a time: ?architecture=, ?limit= (1–500, default 50), ?cursor=.")
            .ProducesValidationProblem();
        group.MapGet("/runs/{id}", GetRun).WithName("GetRunMetrics")
            .WithSummary("The full evaluation of a run: per class, confusion, by sex and intensity, calibration, CIs, human baseline.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/runs/{id}/plots/{name}.png", GetPlot).WithName("GetRunPlot")
            .WithSummary("A run's chart as PNG: confusion, per-class-f1 or learning-curve (drawn when the run finishes).")
            .Produces(StatusCodes.Status200OK, contentType: "image/png").ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/compare", Compare).WithName("CompareRuns")
            .WithSummary("Runs side by side on the same test clips (default: the active run of each architecture); HTML with Accept: text/html.")
            .Produces<CompareResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/cross-validation/{id}", GetCrossValidation).WithName("GetCrossValidation")
            .WithSummary("A k-fold cross-validation (actor-kfold without a fold): mean ± sd per architecture, paired per fold, and every fold's figures, as folds finish; HTML with Accept: text/html.")
            .Produces<CrossValidationReport>().ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/dashboard", (HttpContext context, [FromQuery] string? runs, [FromQuery] bool? allowDifferentSplits, RunStore store, ModelHost host) =>
                CompareCore(context, runs, allowDifferentSplits, store, host, html: true))
            .WithName("Dashboard").WithTags("Metrics").WithSummary("The comparison as a page with charts.").ExcludeFromDescription()
            .AddEndpointFilter<PageAuthorization>(); // API.md: the state-changing rule, like /hangfire
        return app;
    }

    private static Results<Ok<RunListResponse>, ValidationProblem> ListRuns(RunRegistry registry, RunStore store, [FromQuery] string? architecture,
        [FromQuery] int? limit, [FromQuery] string? cursor)
    {
        var errors = PageCursor.Validate(limit, cursor, key => DateTimeOffset.TryParseExact(key, "O", CultureInfo.InvariantCulture,
            DateTimeStyles.None, out _));
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "Invalid request", type: "https://ser.dev/problems/400");
        (string, string)? before = cursor is not null && PageCursor.TryDecode(cursor, out var key, out var id) ? (key, id) : null;
        var size = limit ?? PageCursor.DefaultLimit;
        var rows = registry.List(architecture, limit: size + 1, before: before);
        var page = rows.Take(size).ToArray();
        var items = page.Select(r =>
        {
            var report = r.State == RunState.Succeeded ? store.ReadEvaluation(r.RunId) : null;
            return new RunListItem(r.RunId, r.Kind, r.Architecture, r.Preset, r.Dataset,
                new SplitInfo(r.SplitStrategy, r.SplitSeed, r.SplitHash, r.SpeakerIndependent), r.State.ToString().ToLowerInvariant(), r.CreatedAt,
                report is null ? null : new HeadlineMetrics(report.Wa, report.Ua, report.MacroF1));
        }).ToArray();
        // The key is created_at as the registry stores it ("O"), so the next page compares text with text.
        var next = rows.Count > size ? PageCursor.Encode(page[^1].CreatedAt.ToString("O", CultureInfo.InvariantCulture), page[^1].RunId) : null;
        return TypedResults.Ok(new RunListResponse(items, next));
    }

    private static Results<Ok<RunMetrics>, ProblemHttpResult> GetRun(string id, RunStore store, RunRegistry registry)
    {
        if (!IsRunId(id) || !store.Exists(id)) return Problems.Create(StatusCodes.Status404NotFound, "Unknown run", $"There is no run '{id}'.");
        var state = registry.Find(id)?.State ?? RunState.Queued;
        if (state != RunState.Succeeded || store.ReadEvaluation(id) is null)
            return Problems.Create(StatusCodes.Status409Conflict, "Run not finished", $"Run '{id}' is {state.ToString().ToLowerInvariant()}; it has no evaluation yet.");
        return TypedResults.Ok(Describe(store, id));
    }

    private static IResult GetPlot(string id, string name, RunStore store, RunRegistry registry)
    {
        if (!IsRunId(id) || !store.Exists(id)) return Problems.Create(StatusCodes.Status404NotFound, "Unknown run", $"There is no run '{id}'.");
        if (!RunPlots.Names.Contains(name, StringComparer.Ordinal))
            return Problems.Create(StatusCodes.Status404NotFound, "Unknown plot", $"A run's plots are {string.Join(", ", RunPlots.Names)} (.png).");
        var path = Path.Combine(RunPlots.Directory(store, id), name + ".png");
        if (File.Exists(path)) return TypedResults.PhysicalFile(path, "image/png");
        var state = registry.Find(id)?.State ?? RunState.Queued;
        return state == RunState.Succeeded
            ? Problems.Create(StatusCodes.Status404NotFound, "No plot", $"Run '{id}' has no plots (drawn by runs that finished after plots were added).")
            : Problems.Create(StatusCodes.Status409Conflict, "Run not finished", $"Run '{id}' is {state.ToString().ToLowerInvariant()}; its plots are drawn when it succeeds.");
    }

    private static IResult Compare(HttpContext context, [FromQuery] string? runs, [FromQuery] bool? allowDifferentSplits, RunStore store,
        ModelHost host) => CompareCore(context, runs, allowDifferentSplits, store, host, html: WantsHtml(context.Request));

    private static IResult CompareCore(HttpContext context, string? runs, bool? allowDifferentSplits, RunStore store, ModelHost host, bool html)
    {
        var ids = runs?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            ?? ModelArchitectures.All.Select(a => host.Active.GetValueOrDefault(a)?.RunId).OfType<string>().ToArray();
        if (ids.Any(id => !IsRunId(id))) return Problems.Create(StatusCodes.Status404NotFound, "Unknown run", $"'{runs}' names no valid run id.");
        if (ids.Length < 2)
            return Problems.Create(StatusCodes.Status404NotFound, "Nothing to compare",
                "Name two runs (?runs=a,b) or activate one run of each architecture.");
        ComparisonReport report;
        try
        {
            report = ComparisonBuilder.Build(store, context.RequestServices.GetRequiredService<RunRegistry>(), ids, allowDifferentSplits == true);
        }
        catch (ComparisonException e)
        {
            var status = e.Message.StartsWith("Unknown run", StringComparison.Ordinal) ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict;
            return Problems.Create(status, "Runs cannot be compared", e.Message);
        }
        var response = new CompareResponse(new CompareSplit(report.Split.Hash, report.Split.Strategy, report.Split.SpeakerIndependent, report.Split.TestClips),
            ids.Select(id => Describe(store, id)).ToArray(), report.McNemar,
            report.Human is { } h ? new HumanSummary(h.Wa, h.Ua, h.Clips) : null, report.HumanAbsentReason, report.Notes) { Inflation = report.Inflation };
        if (!html) return Results.Ok(response);
        var extras = DashboardExtras.From(store, context.RequestServices.GetRequiredService<RunRegistry>(), ids);
        return Results.Content(DashboardPage.Render(response, extras), "text/html; charset=utf-8");
    }

    private static IResult GetCrossValidation(HttpContext context, string id, RunStore store, RunRegistry registry, IOptions<ServingOptions> serving)
    {
        if (CrossValidationPlan.Find(serving.Value.CrossValidationPath, id) is not { } plan)
            return Problems.Create(StatusCodes.Status404NotFound, "Unknown cross-validation", $"There is no cross-validation '{id}'.");
        var report = CrossValidationReport.Build(plan, registry, store);
        return WantsHtml(context.Request) ? Results.Content(CrossValidationPage.Render(report), "text/html; charset=utf-8") : Results.Ok(report);
    }

    private static RunMetrics Describe(RunStore store, string id)
    {
        var spec = store.ReadSpec(id);
        var split = store.ReadSplit(id);
        var e = store.ReadEvaluation(id)!;
        var training = store.ReadTraining(id);
        return new RunMetrics(id, spec.Architecture, spec.Preset, spec.Dataset,
            new SplitInfo(spec.Split.Strategy.Name(), spec.Split.Seed, split?.Hash, split?.SpeakerIndependent ?? true) { Leakage = store.ReadLeakage(id) },
            new FullMetrics(e.Wa, e.Ua, e.MacroF1, e.PerClass, new ConfusionInfo(e.Labels, e.Confusion), e.BySex, e.ByIntensity, e.Ece)
            {
                Calibration = e.Calibration,
            },
            e.Human, e.HumanAbsentReason,
            new TrainingInfo(training?.Seconds ?? 0, spec.Device, training?.History.Count ?? 0, training?.BestEpoch ?? 0, spec.Hyper.Seed));
    }

    private static bool WantsHtml(HttpRequest request) =>
        request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    private static bool IsRunId(string id) => id.Length is > 0 and < 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
