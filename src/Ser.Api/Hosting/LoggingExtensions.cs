using Ser.Training.Storage;
using Serilog;
using Serilog.Events;

namespace Ser.Api.Hosting;

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
            // Probes poll often and a 503 from /health/ready is an answer, not a fault. A 503 the service answers on
            // purpose (no model yet, queue full) is a warning; ERR is kept for exceptions and 500s.
            options.GetLevel = (context, _, exception) =>
                context.Request.Path.StartsWithSegments("/health") ? LogEventLevel.Debug
                : exception is not null ? LogEventLevel.Error
                : context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable ? LogEventLevel.Warning
                : context.Response.StatusCode >= 500 ? LogEventLevel.Error
                : LogEventLevel.Information;
            options.EnrichDiagnosticContext = (diagnostics, context) =>
            {
                diagnostics.Set("RequestBytes", context.Request.ContentLength ?? 0);
                diagnostics.Set("TraceId", context.TraceIdentifier);
            };
        });
        return app;
    }

    /// <summary>Where to look once the host listens: Swagger UI, the dashboard, Hangfire, and what this process does.</summary>
    public static void LogStartupBanner(this WebApplication app, ServiceRole role)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var url = app.Urls.FirstOrDefault()?.TrimEnd('/') ?? "";
            var database = app.Services.GetRequiredService<SqlDatabase>().Description;
            if (role.Serves())
                app.Logger.LogInformation("Ser ({Role}) listening on {Urls}. Swagger UI: {Swagger}  Dashboard: {Dashboard}  Hangfire: {Hangfire}  Registry: {Database}",
                    role.ToString().ToLowerInvariant(), string.Join(", ", app.Urls), url + "/swagger", url + "/dashboard", url + "/hangfire", database);
            else
                app.Logger.LogInformation("Ser worker listening on {Urls} (health and /metrics only); training queue on {Database}",
                    string.Join(", ", app.Urls), database);
        });
    }
}
