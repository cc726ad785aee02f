using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ser.Api.Hosting.Health;

/// <summary>Liveness and readiness probes for orchestrators and the quick-start check.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", Live).WithName("Live").WithSummary("200 while the process runs.");
        group.MapGet("/ready", Ready).WithName("Ready")
            .WithSummary("200 when every architecture has a model loaded; 503 with start-up progress otherwise.");
        return app;
    }

    private static Ok<HealthResponse> Live() => TypedResults.Ok(new HealthResponse("live"));

    // Through HealthCheckService (AddHealthChecks) rather than MapHealthChecks, so the route stays in the OpenAPI document.
    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> Ready(ServiceReadiness readiness, HealthCheckService health,
        CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(r => r.Tags.Contains(HealthCheckExtensions.ReadyTag), cancellationToken).ConfigureAwait(false);
        var checks = report.Entries.ToDictionary(e => e.Key, e => new HealthCheckEntry(e.Value.Status.ToString().ToLowerInvariant(), e.Value.Description),
            StringComparer.Ordinal);
        var models = readiness.ServesModels ? readiness.Models : null;
        if (report.Status != HealthStatus.Unhealthy) return TypedResults.Ok(new HealthResponse("ready", models, Checks: checks));
        // "starting" (with the bootstrap's progress) while models load; "unavailable" when something else is down.
        return readiness.IsReady
            ? TypedResults.Json(new HealthResponse("unavailable", models, Checks: checks), statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Json(new HealthResponse("starting", models, readiness.Bootstrap, checks), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
