using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;
using Ser.Api.Jobs;
using Ser.Api.Serving;
using Ser.Training.Runs;

namespace Ser.Api.Extensions;

/// <summary>Hangfire (SQLite by default, in memory for tests), one worker on the <c>training</c> queue, the job store
/// and the dashboard at /hangfire (local requests only).</summary>
public static class JobsExtensions
{
    public static WebApplicationBuilder AddSerJobs(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var dataPath = Path.GetFullPath(builder.Configuration.GetValue<string>("Ser:DataPath") ?? "data");
        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddSingleton<TrainJobValidator>();
        builder.Services.AddSingleton(sp => new TrainingRunner(sp.GetRequiredService<RunStore>(), sp.GetRequiredService<RunRegistry>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Training")));
        builder.Services.AddTransient<TrainModelJob>();
        builder.Services.AddTransient<EvaluateRunsJob>();
        builder.Services.AddHangfire(config =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            if (options.Storage == "memory") config.UseInMemoryStorage();
            else
            {
                Directory.CreateDirectory(dataPath);
                config.UseSQLiteStorage(Path.Combine(dataPath, "hangfire.db"));
            }
        });
        if (options.RunWorker)
        {
            builder.Services.AddHangfireServer(server =>
            {
                server.Queues = ["training"];
                server.WorkerCount = 1; // one training at a time: a device is never shared by two
                server.CancellationCheckInterval = TimeSpan.FromSeconds(1);
                server.ShutdownTimeout = TimeSpan.FromSeconds(60);
            });
            builder.Services.AddHostedService<JobRecovery>();
            // Give a training job time to write its checkpoint before the host stops.
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(90));
        }
        return builder;
    }

    public static WebApplication UseSerJobsDashboard(this WebApplication app)
    {
        var authorization = new DashboardAuthorization(app.Services.GetRequiredService<IOptions<Endpoints.AuthOptions>>());
        app.UseHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [authorization] });
        return app;
    }
}
