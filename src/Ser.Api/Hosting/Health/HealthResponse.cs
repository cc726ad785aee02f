using System.Text.Json.Serialization;

namespace Ser.Api.Hosting.Health;

/// <summary>Body of <c>/health/live</c> and <c>/health/ready</c>.</summary>
/// <param name="Status"><c>live</c>, <c>ready</c> or <c>starting</c>.</param>
/// <param name="Models">For each architecture, whether a model is loaded (readiness only).</param>
/// <param name="Bootstrap">Start-up progress while not ready.</param>
/// <param name="Checks">Readiness only: each health check (models, storage, hangfire-server) by name.</param>
public sealed record HealthResponse(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, bool>? Models = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] BootstrapStatus? Bootstrap = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, HealthCheckEntry>? Checks = null);
