using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ser.Api.Hosting.Health;

namespace Ser.Api.Models;

/// <summary>Every architecture has a model loaded; the data carries the bootstrap's stage while not.</summary>
public sealed class ModelsHealthCheck(ServiceReadiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["stage"] = readiness.Bootstrap.Stage, ["fraction"] = readiness.Bootstrap.Fraction };
        return Task.FromResult(readiness.IsReady
            ? HealthCheckResult.Healthy("every architecture has a model loaded")
            : new HealthCheckResult(context.Registration.FailureStatus, "waiting for models: " + readiness.Bootstrap.Stage, data: data));
    }
}
