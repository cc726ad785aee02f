using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ser.Api.Jobs;

/// <summary>A Hangfire server takes the <c>training</c> queue (registered only where the role trains).</summary>
public sealed class HangfireServerHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var servers = storage.GetMonitoringApi().Servers().Count(s => s.Queues.Contains("training"));
            return Task.FromResult(servers > 0
                ? HealthCheckResult.Healthy($"{servers} server(s) on the training queue")
                : new HealthCheckResult(context.Registration.FailureStatus, "no Hangfire server on the training queue yet"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "the job storage did not answer: " + e.GetType().Name));
        }
    }
}
