namespace Ser.Api.Hosting.Health;

/// <summary>One readiness check in <c>/health/ready</c>: <c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>, and why.</summary>
public sealed record HealthCheckEntry(string Status, string? Description);
