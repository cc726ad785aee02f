using Ser.Api.Bootstrap;
using Ser.Api.Endpoints;
using Ser.Api.Extensions;
using Ser.Api.Health;
using Ser.Api.Hosting;

// appsettings.json (and so the Serilog sinks) from the application's folder, whatever the working directory;
// a relative Ser:DataPath still resolves against the working directory (README).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var role = ServiceRoles.Read(builder.Configuration);

builder.AddSerLogging();
builder.AddSerTelemetry();
builder.AddSerAuth(role);
builder.Services.AddSerProblemDetails();
builder.Services.AddSerSwagger();
builder.Services.AddSerCore(builder.Configuration, role);
builder.AddSerStorage();
builder.AddSerJobs(role);
builder.Services.AddSerHealthChecks(role);
if (role.Serves())
{
    builder.AddSerServing();
    builder.AddSerBootstrap();
    builder.AddSerRateLimits();
}

var app = builder.Build();

app.UseSerForwardedHeaders();
// Request logging outside the exception handler, so a refusal Kestrel raises (408, 413) is logged with the status sent.
app.UseSerRequestLogging();
app.UseSerProblemDetails();
app.UseSerSwagger();
app.UseSerPrometheus();
app.MapHealthEndpoints();
app.MapSessionEndpoints();
if (role.Serves())
{
    app.UseRateLimiter();
    app.MapClassifyEndpoints();
    app.MapExampleEndpoints();
    app.MapModelsEndpoints();
    app.MapMetricsEndpoints();
    app.MapJobsEndpoints();
}
app.UseSerJobsDashboard();

app.LogStartupBanner(role);
app.Run();

/// <summary>Entry point; public so tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
