using Ser.Api.Bootstrap;
using Ser.Api.Classification;
using Ser.Api.Hosting;
using Ser.Api.Hosting.Health;
using Ser.Api.Hosting.OpenApi;
using Ser.Api.Hosting.Security;
using Ser.Api.Hosting.Storage;
using Ser.Api.Jobs;
using Ser.Api.Metrics;
using Ser.Api.Models;

// appsettings.json (and so the Serilog sinks) from the application's folder, whatever the working directory;
// a relative Ser:DataPath still resolves against the working directory (README).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var role = ServiceRoles.Read(builder.Configuration);

// Hosting: logging, telemetry, keys, errors, OpenAPI, options, storage, health.
builder.AddSerLogging();
builder.AddSerTelemetry();
builder.AddSerAuth(role);
builder.Services.AddSerProblemDetails();
builder.Services.AddSerSwagger();
builder.Services.AddSerCore(builder.Configuration, role);
builder.AddSerStorage();
builder.Services.AddSerHealthChecks(role);
// Features: training and evaluation jobs (every role), then what a serving process adds.
builder.AddSerJobs(role);
if (role.Serves())
{
    builder.AddSerModels();
    builder.AddSerClassification();
    builder.AddSerBootstrap();
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
    app.MapSerClassification();
    app.MapModelsEndpoints();
    app.MapMetricsEndpoints();
    app.MapJobsEndpoints();
}
app.UseSerJobsDashboard();

app.LogStartupBanner(role);
app.Run();

/// <summary>Entry point; public so tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
