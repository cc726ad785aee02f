using System.Text.Json;
using Hangfire;
using Hangfire.Client;
using Hangfire.InMemory;
using Hangfire.Server;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Ser.Api.Jobs;
using Ser.Api.Models;
using Ser.Training.Runs;
using Ser.Training.Storage;

namespace Ser.Api.Tests.Jobs;

/// <summary>A Hangfire server on in-memory storage with the service's <see cref="JobStateFilter"/>, real job classes, and
/// a job store and run registry in a temp SQLite file: servers can be stopped and started again on the same storage.</summary>
internal sealed class JobServerHarness : IDisposable
{
    public JobServerHarness()
    {
        var database = SqlDatabase.Sqlite(Path.Combine(Root, "registry.db"));
        Jobs = new JobStore(database);
        Runner = new TrainingRunner(new RunStore(Path.Combine(Root, "runs")), new RunRegistry(database));
        Logging = new LoggerFactory([Recorder]);
        Filters = new JobStateFilterProvider(new JobStateFilter(Jobs, Logging.CreateLogger<JobStateFilter>()));
        Client = new BackgroundJobClient(Storage, Filters);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("ser-jobfilter-").FullName;

    public JobStore Jobs { get; }

    /// <summary>Every message logged through <see cref="Logging"/>, with its scopes.</summary>
    public ScopeRecorder Recorder { get; } = new();

    public ILoggerFactory Logging { get; }

    public TrainingRunner Runner { get; }

    public JobStateFilterProvider Filters { get; }

    public InMemoryStorage Storage { get; } = new();

    public BackgroundJobClient Client { get; }

    /// <summary>What <see cref="ProbeJob"/> saw of its own record while it ran.</summary>
    public List<JobRecord> Seen { get; } = [];

    public BackgroundJobServer StartServer()
    {
        var activator = new Activator(this);
        // The constructor Hangfire.AspNetCore itself uses to hand a server its filter provider (what AddHangfireServer does).
#pragma warning disable CS0618
        return new BackgroundJobServer(new BackgroundJobServerOptions
            {
                Queues = ["training"], WorkerCount = 1, CancellationCheckInterval = TimeSpan.FromMilliseconds(200), ShutdownTimeout = TimeSpan.FromSeconds(60),
                SchedulePollingInterval = TimeSpan.FromSeconds(1), ServerCheckInterval = TimeSpan.FromSeconds(1),
            }, Storage, [], Filters, activator, new BackgroundJobFactory(Filters), new BackgroundJobPerformer(Filters, activator),
            new BackgroundJobStateChanger(Filters));
#pragma warning restore CS0618
    }

    /// <summary>Records a job (as the launcher does) and enqueues it.</summary>
    public string Start(string kind, IReadOnlyList<string> runIds, Func<string, string> enqueue)
    {
        var id = JobStore.NewId();
        Assert.True(Jobs.TryAdd(new JobRecord(id, kind, JobState.Queued, DateTimeOffset.UtcNow, JsonSerializer.SerializeToElement(new { }), runIds)));
        var hangfireId = enqueue(id);
        Jobs.Update(id, j => j with { HangfireId = hangfireId });
        return id;
    }

    public async Task<JobRecord> WaitForAsync(string jobId, Func<JobRecord, bool> done, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var job = Jobs.Find(jobId)!;
            if (done(job)) return job;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Job {jobId} still {job.State}.");
            await Task.Delay(50, cancellationToken);
        }
    }

    public void Dispose()
    {
        Storage.Dispose();
        Logging.Dispose();
        Directory.Delete(Root, recursive: true);
    }

    private sealed class Activator(JobServerHarness harness) : JobActivator
    {
        public override object ActivateJob(Type jobType) =>
            jobType == typeof(ProbeJob) ? new ProbeJob(harness.Jobs, harness.Seen, harness.Logging.CreateLogger<ProbeJob>())
            : jobType == typeof(EvaluateRunsJob) ? new EvaluateRunsJob(harness.Jobs, harness.Runner)
            : jobType == typeof(TrainModelJob) ? new TrainModelJob(harness.Jobs, harness.Runner,
                Options.Create(new ServingOptions { DataPath = harness.Root }), NullLogger<TrainModelJob>.Instance)
            : throw new InvalidOperationException($"No {jobType}.");
    }
}

/// <summary>A job of a third kind, writing no state of its own: what the filter does is all there is.</summary>
[Queue("training")]
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class ProbeJob(JobStore jobs, List<JobRecord> seen, ILogger<ProbeJob> logger)
{
    public void Run(string jobId, bool fail)
    {
        lock (seen) seen.Add(jobs.Find(jobId)!);
        logger.LogInformation("The probe runs");
        if (fail) throw new InvalidOperationException("the probe failed on purpose");
    }
}
