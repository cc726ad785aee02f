using Ser.Api.Endpoints;
using Ser.Api.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddSerLogging();
builder.Services.AddSerProblemDetails();
builder.Services.AddSerSwagger();
builder.Services.AddSerCore(builder.Configuration);
builder.AddSerServing();
builder.AddSerJobs();
builder.AddSerRateLimits();

var app = builder.Build();

app.UseSerProblemDetails();
app.UseSerRequestLogging();
app.UseSerSwagger();
app.UseSerPrometheus();
app.UseRateLimiter();

app.MapHealthEndpoints();
app.MapClassifyEndpoints();
app.MapExampleEndpoints();
app.MapModelsEndpoints();
app.MapMetricsEndpoints();
app.MapJobsEndpoints();
app.UseSerJobsDashboard();

app.LogStartupBanner();
app.Run();

/// <summary>Entry point; public so tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
