using Serilog;
using Serilog.Events;

namespace Ser.Api.Extensions;

/// <summary>Serilog: settings from the <c>Serilog</c> configuration section, one line per request.</summary>
public static class LoggingExtensions
{
    public static WebApplicationBuilder AddSerLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext());
        return builder;
    }

    /// <summary>One structured line per request: method, path, status, elapsed ms, response size.
    /// Never the body or the client's file names (uploads may be personal audio).</summary>
    public static WebApplication UseSerRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
            // Probes poll often and a 503 from /health/ready is an answer, not a fault.
            options.GetLevel = (context, _, exception) =>
                context.Request.Path.StartsWithSegments("/health") ? LogEventLevel.Debug
                : exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error
                : LogEventLevel.Information;
            options.EnrichDiagnosticContext = (diagnostics, context) =>
            {
                diagnostics.Set("RequestBytes", context.Request.ContentLength ?? 0);
                diagnostics.Set("TraceId", context.TraceIdentifier);
            };
        });
        return app;
    }

    public static void LogStartupBanner(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = string.Join(", ", app.Urls);
            var swagger = string.Join(", ", app.Urls.Select(u => u.TrimEnd('/') + "/swagger"));
            app.Logger.LogInformation("Ser listening on {Urls}; Swagger UI at {Swagger}", urls, swagger);
        });
    }
}
