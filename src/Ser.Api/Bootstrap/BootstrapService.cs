using Microsoft.Extensions.Options;
using Ser.Api.Hosting;
using Ser.Api.Hosting.Health;
using Ser.Api.Hosting.Storage;
using Ser.Api.Jobs;
using Ser.Api.Jobs.Contracts;
using Ser.Api.Jobs.Datasets;
using Ser.Api.Models;
using Ser.Core.Models;
using Ser.Training.Runs;
using Ser.Core.Data;

namespace Ser.Api.Bootstrap;

/// <summary>First start without models: trains what is missing as an ordinary job (so it is listed, resumable and runs
/// on whichever process has the training role), reports its progress through <c>/health/ready</c> and <c>/classify</c>'s
/// 503, and activates the runs when the job succeeds. The job id is fixed per attempt (<c>j-bootstrap-N</c>), so two API
/// processes starting together create one job; a restart follows the job already there instead of starting another.</summary>
public sealed class BootstrapService(ModelHost host, ServiceReadiness readiness, JobStore jobs, JobLauncher launcher, RunStore store, RunRegistry registry,
    IOptions<BootstrapOptions> options, IOptions<DatasetsOptions> datasets, SyntheticCorpora corpora, ILogger<BootstrapService> logger) : BackgroundService
{
    private const string IdPrefix = "j-bootstrap-";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await host.Started.WaitAsync(stoppingToken).ConfigureAwait(false);
        var missing = Missing();
        if (missing.Count == 0) return;
        if (!options.Value.Enabled)
        {
            readiness.SetBootstrap("no model to serve and Ser:Bootstrap:Enabled is false: train a run with POST /jobs/train and activate it", 0);
            return;
        }
        while (true)
        {
            try
            {
                var job = FindOrStart(missing, stoppingToken);
                if (job is not null) await FollowAsync(job.Id, stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (StorageUnavailableHandler.IsUnavailable(e))
            {
                // Locked, full or unreachable storage passes: follow (or start) the job again once it answers.
                readiness.SetBootstrap($"waiting for the service's storage ({PublicText.Redact(e.Message, Path.GetDirectoryName(store.Root))})", 0);
                logger.LogWarning("Bootstrap: storage unavailable ({Message}); trying again in {Seconds} s", e.Message, StorageRetry.TotalSeconds);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                readiness.SetBootstrap($"failed: {PublicText.Redact(e.Message, Path.GetDirectoryName(store.Root))}", 0);
                logger.LogError(e, "Bootstrap failed: {Message}", e.Message);
                return;
            }
            await Task.Delay(StorageRetry, stoppingToken).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan StorageRetry = TimeSpan.FromSeconds(5);

    private List<string> Missing() => ModelArchitectures.All.Where(a => !host.Active.ContainsKey(a) && !host.ServesFolder(a)).ToList();

    private JobRecord? FindOrStart(IReadOnlyList<string> missing, CancellationToken cancellationToken)
    {
        var previous = jobs.WithIdPrefix(IdPrefix).ToList();
        if (previous.FirstOrDefault() is { State: not (JobState.Failed or JobState.Cancelled) } current)
        {
            logger.LogInformation("Bootstrap: following {JobId} ({State}) started earlier", current.Id, current.State);
            return current;
        }
        var (name, dataset) = BootstrapExtensions.Dataset(datasets.Value);
        var synthetic = dataset.Kind == DatasetKinds.Synthetic;
        if (synthetic) EnsureSyntheticCorpus(dataset.Path!, cancellationToken);
        var request = new TrainJobRequest(missing.Count == 1 ? missing[0] : "both", null, name, null,
            synthetic ? new HyperParameters { Epochs = options.Value.SyntheticEpochs, Patience = 0 } : null,
            null, "bootstrap");
        var (job, errors) = launcher.StartTraining(request, jobId: IdPrefix + (previous.Count + 1));
        if (job is null) throw new InvalidOperationException("the bootstrap request was refused: " + string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}")));
        logger.LogInformation("Bootstrap: no {Architectures} model yet; training {Presets} on {Dataset} as job {JobId} (GET /jobs/{JobId})",
            string.Join(" and ", missing), string.Join(", ", job.RunIds.Select(r => store.ReadSpec(r).Preset)), name, job.Id, job.Id);
        return job;
    }

    private void EnsureSyntheticCorpus(string path, CancellationToken cancellationToken)
    {
        if (SyntheticCorpora.Exists(path)) return;
        readiness.SetBootstrap("generating the synthetic corpus", 0);
        logger.LogInformation("Bootstrap: generating the synthetic corpus in {Path} (no CREMA-D volume configured: Ser:Datasets:crema-d:Path)", path);
        corpora.Ensure(path, cancellationToken);
    }

    private async Task FollowAsync(string jobId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = jobs.Find(jobId) ?? throw new InvalidOperationException($"job {jobId} disappeared");
            // The runs' state and progress from their registry rows, in one query.
            var rows = registry.FindMany(job.RunIds);
            var runs = job.RunIds.Where(rows.ContainsKey).Select(r => rows[r]).ToArray();
            var done = runs.Sum(r => r.State == RunState.Succeeded ? 1.0 : r.Progress is { Phase: not TrainingProgress.DownloadPhase } p ? p.Fraction : 0) / Math.Max(1, runs.Length);
            switch (job.State)
            {
                case JobState.Succeeded:
                    foreach (var run in runs.Where(r => r.State == RunState.Succeeded && !host.Active.ContainsKey(r.Architecture)
                        && !host.ServesFolder(r.Architecture)))
                        await host.ActivateAsync(run.RunId, cancellationToken).ConfigureAwait(false);
                    readiness.SetBootstrap("done", 1);
                    logger.LogInformation("Bootstrap: {JobId} finished; serving {Runs}", jobId, string.Join(", ", job.RunIds));
                    return;
                case JobState.Failed or JobState.Cancelled:
                    readiness.SetBootstrap($"job {jobId} {job.State.ToString().ToLowerInvariant()}: {PublicText.Redact(job.Error, Path.GetDirectoryName(store.Root))}", done);
                    logger.LogError("Bootstrap: {JobId} {State}: {Error}", jobId, job.State, job.Error);
                    return;
                default:
                    readiness.SetBootstrap(Stage(job, runs), done);
                    break;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Stage(JobRecord job, RunSummary[] runs)
    {
        if (job.State == JobState.Queued) return $"job {job.Id} queued for a training worker";
        var current = runs.FirstOrDefault(r => r.State != RunState.Succeeded);
        if (current is null) return "writing the comparison";
        var p = current.Progress;
        return p is null
            ? $"training {current.Preset} on {current.Dataset}: preparing"
            : p.Phase == TrainingProgress.DownloadPhase
            ? $"training {current.Preset} on {current.Dataset}: downloading the base checkpoint ({p.File}, {p.Fraction:P0})"
            : $"training {current.Preset} on {current.Dataset}: epoch {p.Epoch}/{p.Epochs}, step {p.Step}/{p.Steps}, ETA {p.EtaSeconds:0} s";
    }
}
