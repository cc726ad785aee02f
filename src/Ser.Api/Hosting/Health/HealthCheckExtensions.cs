using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ser.Api.Hosting.Storage;
using Ser.Api.Jobs;
using Ser.Api.Models;

namespace Ser.Api.Hosting.Health;

/// <summary>Readiness checks (tag <see cref="ReadyTag"/>): models loaded, storage, the training server.</summary>
public static class HealthCheckExtensions
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddSerHealthChecks(this IServiceCollection services, ServiceRole role)
    {
        var checks = services.AddHealthChecks();
        string[] tags = [ReadyTag];
        if (role.Serves()) checks.AddCheck<ModelsHealthCheck>("models", HealthStatus.Unhealthy, tags);
        // API.md: a serving process is ready once its models are loaded (it classifies without the database), so there a
        // database fault is reported, not fatal; a worker without its database cannot take jobs: not ready.
        checks.AddCheck<StorageHealthCheck>("storage", role.Serves() ? HealthStatus.Degraded : HealthStatus.Unhealthy, tags);
        // Reported only: the server registers itself a moment after start.
        if (role.Trains()) checks.AddCheck<HangfireServerHealthCheck>("hangfire-server", HealthStatus.Degraded, tags);
        return services;
    }
}
