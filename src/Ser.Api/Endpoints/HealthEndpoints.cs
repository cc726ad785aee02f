using Microsoft.AspNetCore.Http.HttpResults;
using Ser.Api.Contracts;
using Ser.Api.Health;

namespace Ser.Api.Endpoints;

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

    private static Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>> Ready(ServiceReadiness readiness)
    {
        if (!readiness.ServesModels) return TypedResults.Ok(new HealthResponse("ready"));
        if (readiness.IsReady) return TypedResults.Ok(new HealthResponse("ready", readiness.Models));
        return TypedResults.Json(new HealthResponse("starting", readiness.Models, readiness.Bootstrap),
            statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
