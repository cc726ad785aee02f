using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Ser.Api.Hosting;
using Ser.Api.Hosting.Security;
using Ser.Api.Hosting.Storage;
using Ser.Api.Jobs.Datasets;
using Ser.Api.Models;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>Hangfire (PostgreSQL when <c>ConnectionStrings:Postgres</c> is set, else SQLite under the data folder; tests replace <see cref="JobStorageSetup"/>), one
/// worker on the <c>training</c> queue where the role trains, and the dashboard at /hangfire (API.md's state-changing rule).</summary>
public static class JobsExtensions
{
    public static WebApplicationBuilder AddSerJobs(this WebApplicationBuilder builder, ServiceRole role)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var dataPath = ServingOptions.FullDataPathOf(builder.Configuration);
        var postgres = builder.Configuration.GetConnectionString(StorageExtensions.PostgresKey);
        builder.Services.AddSerDatasets(builder.Configuration);
        builder.Services.AddSingleton<TrainJobValidator>();
        builder.Services.AddSingleton<JobLauncher>();
        // Base checkpoints missing from {data}/models are fetched from the Hugging Face hub by the job (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE).
        builder.Services.AddTrainingRunner();
        builder.Services.AddTransient<TrainModelJob>();
        builder.Services.AddTransient<EvaluateRunsJob>();
        builder.Services.AddSingleton(new JobStorageSetup(config =>
        {
            if (!string.IsNullOrWhiteSpace(postgres))
                config.UsePostgreSqlStorage(c => c.UseNpgsqlConnection(postgres), new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    PrepareSchemaIfNecessary = true,
                    // A live worker keeps renewing its job; a killed one's job is delivered again after the timeout.
                    UseSlidingInvisibilityTimeout = true,
                    InvisibilityTimeout = TimeSpan.FromSeconds(options.InvisibilityTimeoutSeconds),
                });
            else
            {
                Directory.CreateDirectory(dataPath);
                config.UseSQLiteStorage(Path.Combine(dataPath, "hangfire.db"));
            }
        }));
        builder.Services.AddHangfire((sp, config) =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            sp.GetRequiredService<JobStorageSetup>().Apply(config);
        });
        JobStateFilterProvider.AddJobStateFilter(builder.Services);
        if (role.Trains())
        {
            builder.Services.AddHangfireServer(server =>
            {
                server.Queues = ["training"];
                server.WorkerCount = 1; // one training at a time: a device is never shared by two
                server.CancellationCheckInterval = TimeSpan.FromSeconds(1);
                server.ShutdownTimeout = TimeSpan.FromSeconds(60);
            });
            // PostgreSQL hands a dead worker's job back by itself (sliding invisibility timeout); a recovery pass there
            // would only add duplicate deliveries. SQLite (and the tests' in-memory storage) need it (PITFALLS.md).
            if (string.IsNullOrWhiteSpace(postgres)) builder.Services.AddHostedService<JobRecovery>();
            // Give a training job time to write its checkpoint before the host stops.
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(90));
        }
        return builder;
    }

    /// <summary>/hangfire under <see cref="ApiKeyGate"/>: refusals are problem details (401/403) rather than Hangfire's bare status.</summary>
    public static WebApplication UseSerJobsDashboard(this WebApplication app)
    {
        var gate = app.Services.GetRequiredService<ApiKeyGate>();
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/hangfire"), branch => branch.Use(async (context, next) =>
        {
            if (ApiKeyGate.Refusal(gate.CheckPage(context)) is { } refusal) await refusal.ExecuteAsync(context).ConfigureAwait(false);
            else await next(context).ConfigureAwait(false);
        }));
        app.UseHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [new DashboardAuthorization(gate)] });
        return app;
    }
}
