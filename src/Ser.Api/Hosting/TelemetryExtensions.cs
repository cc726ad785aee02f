using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Ser.Core.Diagnostics;

namespace Ser.Api.Hosting;

/// <summary>OpenTelemetry traces and metrics (ASP.NET Core, HttpClient and Ser's own "Ser" source and meter), exported
/// by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (environment or configuration; the other standard OTEL_*
/// variables apply as well). Without it nothing is registered and nothing exports; Prometheus' /metrics is separate.</summary>
public static class TelemetryExtensions
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddSerTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(builder.Configuration[EndpointKey])) return builder;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("ser")) // OTEL_SERVICE_NAME, when set, wins
            .WithTracing(tracing => tracing.AddSource(SerTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics.AddMeter(SerTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation())
            .UseOtlpExporter();
        return builder;
    }
}
