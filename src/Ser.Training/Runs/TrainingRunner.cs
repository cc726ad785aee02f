using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ser.Core.Data;
using Ser.Core.Data.Splits;
using Ser.Core.Evaluation;
using Ser.Core.IO;
using Ser.Core.Models;
using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;
using Ser.Training.BaseCheckpoints;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Reports;
using Ser.Training.Storage;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Training.Runs;

/// <summary>Executes a recorded run end to end: corpus (undecodable clips excluded with reasons), split (made once,
/// saved, reused on resume), seeded model, training with resumable checkpoints, test evaluation, model and report
/// files, then the registry. Re-entrant: running a run again resumes from its last checkpoint. The CLI and the
/// service's background jobs both use it. With a <see cref="BaseCheckpointCatalog"/>, a base checkpoint that is absent
/// and known by name is downloaded when the run starts.</summary>
public sealed class TrainingRunner(RunStore store, RunRegistry registry, ILogger? logger = null, BaseCheckpointCatalog? baseCheckpoints = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public RunStore Store => store;

    public RunRegistry Registry => registry;

    /// <summary>How often a training run's lease is renewed, and the staleness every process applies; null: the
    /// defaults of <see cref="RunLease"/>.</summary>
    public (TimeSpan? Beat, TimeSpan? StaleAfter) LeaseTimings { get; init; }

    /// <summary>Records a new run: the registry row first (the id is claimed there, once), then spec.json and status.json
    /// (state queued). A failed write takes the row back.</summary>
    /// <exception cref="RunExistsException">The id is taken; that run is left as it was.</exception>
    public void Create(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!registry.TryAdd(spec)) throw new RunExistsException(spec.RunId);
        if (store.Exists(spec.RunId))
        {
            // A folder without a registry row (a registry rebuilt, a copied folder) still belongs to another run.
            registry.Remove(spec.RunId);
            throw new RunExistsException(spec.RunId);
        }
        try
        {
            store.WriteSpec(spec);
            SetState(spec.RunId, new RunStatus(RunState.Queued));
        }
        catch
        {
            Discard(spec.RunId);
            throw;
        }
    }

    /// <summary>Takes back a run that was created and never started: its registry row and its folder.</summary>
    public void Discard(string runId)
    {
        registry.Remove(runId);
        store.Delete(runId);
    }

    /// <summary><c>r-yyyyMMdd-HHmmss-</c> and 64 random bits: readable, sortable by time, never the same twice in practice.</summary>
    public static string NewRunId() => TimestampId.New("r");

    /// <exception cref="RunLeasedException">Another live process is training this run (nothing is changed).</exception>
    /// <exception cref="RunLeaseLostException">The lease was lost mid-run; nothing more was written.</exception>
    public async Task<RunSummary> TrainAsync(string runId, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var lease = RunLease.Acquire(registry, runId, LeaseTimings.Beat, LeaseTimings.StaleAfter, _logger);
        Ser.Core.Runtime.TorchRuntime.Initialize(); // a no-op after the host's own start-up
        var spec = store.ReadSpec(runId);
        var previous = StateOf(runId);
        // Checked again under the lease: a copy that finished just before we got it leaves nothing to do.
        if (previous.State == RunState.Succeeded) return registry.Find(runId)!;
        var started = previous.StartedAt ?? DateTimeOffset.UtcNow;
        var running = new RunStatus(RunState.Running, started, Attempt: previous.Attempt + 1);
        SetState(runId, running);
        try
        {
            spec = await ResolveBaseCheckpointAsync(spec, cancellationToken, DownloadReporter(runId, started, previous.Attempt + 1, progress))
                .ConfigureAwait(false);
            var audio = new ClipAudioReader();
            var corpus = audio.ExcludeUndecodable(DatasetLoader.Load(spec.Dataset, spec.DatasetKind, spec.DatasetPath));
            foreach (var excluded in corpus.Excluded) _logger.LogWarning("Excluded {File}: {Reason}", excluded.File, excluded.Reason);
            var split = store.ReadSplit(runId) ?? spec.Split.Apply(corpus);
            split.EnsureMadeFrom(corpus);
            store.WriteSplit(runId, split);
            Audit(runId, split, corpus);
            SetState(runId, running, split.Hash);
            store.WriteEnvironment(runId, RunEnvironment.Capture(spec.Device));

            using var model = CreateModel(spec);
            var trainer = new Trainer(model, spec.Hyper, split.Resolve(corpus, split.Train), split.Resolve(corpus, split.Validation),
                store.Checkpoints(runId), audio, _logger, lease.ThrowIfLost)
            {
                // One line per finished epoch as training goes; rewritten whole, so a resumed run never repeats an epoch.
                EpochEnded = history => store.WriteMetrics(runId, history),
            };
            var lastWrite = DateTime.MinValue;
            var reporter = new CallbackProgress<TrainingProgress>(p =>
            {
                // The row and status.json (fsynced): at most once a second, and at every epoch end.
                if (p.Phase == TrainingProgress.EpochPhase || DateTime.UtcNow - lastWrite > TimeSpan.FromSeconds(1))
                {
                    SetProgress(runId, running with { Progress = p });
                    lastWrite = DateTime.UtcNow;
                }
                progress?.Report(p);
            });
            var result = await trainer.RunAsync(reporter, cancellationToken).ConfigureAwait(false);
            var test = split.Resolve(corpus, split.Test);
            var (report, calibration) = EvaluateAndCalibrate(model, split.Resolve(corpus, split.Validation), test, audio, spec.Split.Seed);
            lease.ThrowIfLost(); // the model and the state belong to whoever holds the run now
            model.SaveModel(store.Model(runId));
            calibration.Save(store.Model(runId));
            store.WriteTraining(runId, result);
            store.WriteEvaluation(runId, report);
            TryWriteBf16Drift(runId, spec.Architecture, store.Model(runId), model.Device, test, report, audio);
            TryWritePlots(runId, report);
            lease.ThrowIfLost();
            SetState(runId, new RunStatus(RunState.Succeeded, started, DateTimeOffset.UtcNow, ResumedFromStep: result.ResumedFromStep,
                Attempt: previous.Attempt + 1), figures: (report.Wa.Value, report.Ua.Value, report.MacroF1.Value, result.Seconds));
            _logger.LogInformation("Run {RunId} ({Architecture}) succeeded: test UA {Ua:0.000}, WA {Wa:0.000}", runId, spec.Architecture, report.Ua.Value, report.Wa.Value);
        }
        catch (RunLeaseLostException)
        {
            // Nothing is written: another process may own the run by now, and the storage may still be unreachable.
            throw;
        }
        catch (OperationCanceledException)
        {
            Finish(runId, started, RunState.Cancelled, "cancelled; the last checkpoint is kept and the run can be resumed", previous.Attempt + 1);
            throw;
        }
        catch (Exception e)
        {
            Finish(runId, started, RunState.Failed, e.Message, previous.Attempt + 1);
            throw;
        }
        return registry.Find(runId)!;
    }

    // Saved with the split (leakage.json); a speaker-independent split that shares speakers or audio is refused.
    private void Audit(string runId, DataSplit split, Corpus corpus)
    {
        var audit = LeakageAudit.Of(split, corpus, LeakageAudit.FileHash);
        store.WriteLeakage(runId, audit);
        _logger.LogInformation("Run {RunId}: {Strategy} split shares {Speakers} speakers, {Sentences} sentences and {Audio} identical-audio groups between its sides",
            runId, split.Strategy.Name(), audit.SharedSpeakers, audit.SharedSentences, audit.IdenticalAudioGroups);
        if (audit.Violation(split) is { } violation) throw new DatasetException(violation);
    }

    /// <summary><paramref name="spec"/> with its base checkpoint (<c>{models}/{name}</c>) fetched through the catalog when
    /// it is not a file: downloaded if it is a known name that is absent, else left for the loader to report.</summary>
    /// <exception cref="BaseCheckpointMissingException">Absent and not downloadable.</exception>
    public async Task<RunSpec> ResolveBaseCheckpointAsync(RunSpec spec, CancellationToken cancellationToken, IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (baseCheckpoints is null || spec.BaseCheckpoint is not { } path || File.Exists(path)) return spec;
        var name = Path.GetFileName(path.TrimEnd(Path.DirectorySeparatorChar));
        if (!PlainName.IsValid(name)) return spec;
        var resolved = await baseCheckpoints.ResolveAsync(name, Path.GetDirectoryName(Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar))!,
            cancellationToken, progress is null ? null : new CallbackProgress<HubDownloadProgress>(p =>
                progress.Report(TrainingProgress.Download(p.File, p.Bytes, p.TotalBytes, spec.Hyper.Epochs)))).ConfigureAwait(false);
        return spec with { BaseCheckpoint = resolved };
    }

    // Download progress into status.json (at most once a second, and when a file completes) and on to the caller.
    private IProgress<TrainingProgress> DownloadReporter(string runId, DateTimeOffset started, int attempt, IProgress<TrainingProgress>? progress)
    {
        var lastWrite = DateTime.MinValue;
        return new CallbackProgress<TrainingProgress>(p =>
        {
            if (p.Bytes == p.TotalBytes || DateTime.UtcNow - lastWrite > TimeSpan.FromSeconds(1))
            {
                SetProgress(runId, new RunStatus(RunState.Running, started, Progress: p, Attempt: attempt));
                lastWrite = DateTime.UtcNow;
            }
            progress?.Report(p);
        });
    }

    /// <summary>Evaluates the model of <see cref="RunSpec.SourceRun"/> on the test clips of that run's split (or of the
    /// evaluation run's own split spec when it names another dataset), as a run of kind <c>evaluate</c>.</summary>
    public Task<RunSummary> EvaluateAsync(string runId, CancellationToken cancellationToken) => EvaluateAsync(runId, null, cancellationToken);

    /// <inheritdoc cref="EvaluateAsync(string, CancellationToken)"/>
    /// <param name="progress">Told as test clips are scored (phase <c>evaluate</c>).</param>
    public Task<RunSummary> EvaluateAsync(string runId, IProgress<CountProgress>? progress, CancellationToken cancellationToken = default)
    {
        var spec = store.ReadSpec(runId);
        var started = DateTimeOffset.UtcNow;
        var attempt = StateOf(runId).Attempt + 1;
        var running = new RunStatus(RunState.Running, started, Attempt: attempt);
        SetState(runId, running);
        try
        {
            var source = spec.SourceRun ?? throw new InvalidOperationException($"Evaluation run {runId} names no source run.");
            if (registry.Find(source)?.State != RunState.Succeeded) throw new InvalidOperationException($"Run {source} has no finished model.");
            var audio = new ClipAudioReader();
            var corpus = audio.ExcludeUndecodable(DatasetLoader.Load(spec.Dataset, spec.DatasetKind, spec.DatasetPath));
            var sourceSplit = store.ReadSplit(source);
            var split = sourceSplit is not null && sourceSplit.ManifestHash == corpus.ManifestHash ? sourceSplit : spec.Split.Apply(corpus);
            store.WriteSplit(runId, split);
            Audit(runId, split, corpus);
            SetState(runId, running, split.Hash);
            cancellationToken.ThrowIfCancellationRequested();
            using var classifier = EmotionClassifierFactory.Load(spec.Architecture, store.Model(source));
            // The classifier's device, not the spec's: evaluation loads on the factory's default.
            store.WriteEnvironment(runId, RunEnvironment.Capture(classifier.DeviceName));
            var test = split.Resolve(corpus, split.Test);
            var calibration = ModelCalibration.TryLoad(store.Model(source));
            var report = Evaluate(classifier, test, audio, split.Seed, progress, cancellationToken);
            report = report with { Calibration = CalibrationReport.Build(calibration?.Temperature ?? 1, calibration?.ValidationClips ?? 0, report.Predictions) };
            store.WriteEvaluation(runId, report);
            TryWriteBf16Drift(runId, spec.Architecture, store.Model(source), null, test, report, audio);
            TryWritePlots(runId, report);
            SetState(runId, new RunStatus(RunState.Succeeded, started, DateTimeOffset.UtcNow, Attempt: attempt),
                figures: (report.Wa.Value, report.Ua.Value, report.MacroF1.Value, 0));
        }
        catch (Exception e)
        {
            Finish(runId, started, e is OperationCanceledException ? RunState.Cancelled : RunState.Failed, e.Message, attempt);
            throw;
        }
        return Task.FromResult(registry.Find(runId)!);
    }

    /// <summary>Scores <paramref name="classifier"/> on <paramref name="clips"/> the way the service does.</summary>
    public static EvaluationReport Evaluate(IEmotionClassifier classifier, IReadOnlyList<ClipInfo> clips, ClipAudioReader audio, long seed,
        IProgress<CountProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Evaluator.Evaluate(Predict(classifier, clips, audio, "evaluate", progress, cancellationToken), seed);

    /// <summary>The test evaluation, and a temperature fitted on the validation clips (T = 1 when there are none), with
    /// the test figures before and after it in the report's <see cref="EvaluationReport.Calibration"/>.</summary>
    public static (EvaluationReport Report, ModelCalibration Calibration) EvaluateAndCalibrate(ITrainableModel model, IReadOnlyList<ClipInfo> validation,
        IReadOnlyList<ClipInfo> test, ClipAudioReader audio, long seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var classifier = model.ToClassifier();
        var fitted = Predict(classifier, validation, audio, "calibrate");
        var calibration = ModelCalibration.Fit(fitted.Select(p => p.Probabilities).ToArray(), fitted.Select(p => p.Truth).ToArray());
        var report = Evaluate(classifier, test, audio, seed);
        return (report with { Calibration = CalibrationReport.Build(calibration.Temperature, calibration.ValidationClips, report.Predictions) }, calibration);
    }

    private static List<ClipPrediction> Predict(IEmotionClassifier classifier, IReadOnlyList<ClipInfo> clips, ClipAudioReader audio, string phase,
        IProgress<CountProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(audio);
        var predictions = new List<ClipPrediction>();
        foreach (var chunk in clips.Chunk(32))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var probabilities = classifier.PredictBatch(chunk.Select(audio.Read).ToArray());
            predictions.AddRange(chunk.Zip(probabilities, (c, p) =>
                new ClipPrediction(c.Id, c.Label, Array.IndexOf(p, p.Max()), p, c.Sex, c.Intensity, c.Crowd?.Labels)));
            progress?.Report(new CountProgress(phase, predictions.Count, clips.Count));
        }
        return predictions;
    }

    /// <summary>How far the saved model's bfloat16 copy (<c>Ser:Inference:Precision=BFloat16</c>) strays from the float32
    /// answers in <paramref name="report"/>, on the same clips (the test split: held out from training).</summary>
    public static PrecisionDrift MeasureBf16Drift(string architecture, string modelFolder, Device? device, IReadOnlyList<ClipInfo> clips,
        EvaluationReport report, ClipAudioReader audio)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(audio);
        using var bf16 = EmotionClassifierFactory.Load(architecture, modelFolder, device, precision: InferencePrecision.BFloat16);
        var probabilities = new List<float[]>(clips.Count);
        foreach (var chunk in clips.Chunk(32)) probabilities.AddRange(bf16.PredictBatch(chunk.Select(audio.Read).ToArray()));
        var cpu = Ser.Core.Runtime.CpuInfo.Current;
        return PrecisionDrift.Measure(nameof(InferencePrecision.BFloat16), report.Predictions.Select(p => p.Probabilities).ToArray(), probabilities,
            cpu.Model, cpu.Bf16Kernels);
    }

    // The drift is a report about the model, not part of it: a device without bf16 support must not fail a trained run.
    private void TryWriteBf16Drift(string runId, string architecture, string modelFolder, Device? device, IReadOnlyList<ClipInfo> clips,
        EvaluationReport report, ClipAudioReader audio)
    {
        try
        {
            store.WriteBf16Drift(runId, MeasureBf16Drift(architecture, modelFolder, device, clips, report, audio));
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException or IOException))
        {
            _logger.LogWarning(e, "Run {RunId}: the bfloat16 drift was not measured: {Message}", runId, e.Message);
        }
    }

    // Plots are for people reading the run; a drawing failure must not fail it.
    private void TryWritePlots(string runId, EvaluationReport report)
    {
        try
        {
            RunPlots.Write(store, runId, report);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            _logger.LogWarning(e, "Run {RunId}: its plots were not drawn: {Message}", runId, e.Message);
        }
    }

    /// <summary>A seeded model of the run's preset, from its base checkpoint when it names one.</summary>
    public static ITrainableModel CreateModel(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        manual_seed(spec.Hyper.Seed);
        var device = TorchDevices.Resolve(spec.Device);
        // TorchSharp 0.107 has no autocast: on CUDA, TF32 tensor-core matmuls are the mixed precision used.
        if (device.type == DeviceType.CUDA) Ser.Core.Runtime.TorchRuntime.TrySetFloat32MatmulPrecision("high");
        var preset = ModelPresets.Get(spec.Preset);
        if (preset.Wav2Vec2 is { } config)
        {
            var model = spec.BaseCheckpoint is null
                ? new Wav2Vec2ForSequenceClassification(config)
                : Wav2Vec2Checkpoint.Load(spec.BaseCheckpoint, EmotionLabels.All);
            return new Wav2Vec2Recipe(model, spec.Preset, spec.Hyper, device);
        }
        var resnet = preset.ResNet!;
        var network = new ResNet18(EmotionLabels.Count, resnet.InChannels, resnet.BaseWidth);
        if (spec.BaseCheckpoint is not null) ResNetCheckpoint.LoadInto(network, spec.BaseCheckpoint);
        return new ResNetRecipe(network, resnet, spec.Preset, spec.Hyper, device);
    }

    private void Finish(string runId, DateTimeOffset started, RunState state, string error, int attempt)
    {
        SetState(runId, new RunStatus(state, started, DateTimeOffset.UtcNow, error, Attempt: attempt));
        _logger.LogWarning("Run {RunId} {State}: {Error}", runId, state, error);
    }

    /// <summary>A run's state as the registry holds it (queued when the row is missing).</summary>
    public RunStatus StateOf(string runId) => registry.Find(runId)?.Status ?? new RunStatus(RunState.Queued);

    /// <summary>The one writer of a run's state: its registry row (the source of truth) first, then status.json, a
    /// copy for people and tools reading the run's folder. With <paramref name="figures"/>, the row takes the test
    /// figures in the same statement.</summary>
    private void SetState(string runId, RunStatus status, string? splitHash = null,
        (double Wa, double Ua, double MacroF1, double Seconds)? figures = null)
    {
        if (figures is var (wa, ua, f1, seconds)) registry.Complete(runId, wa, ua, f1, seconds, status);
        else registry.SetState(runId, status, splitHash);
        store.WriteStatus(runId, status);
    }

    // Progress is a report, not a state change: storage that is unavailable for a moment must not stop the run (the
    // lease says whether it may go on).
    private void SetProgress(string runId, RunStatus status)
    {
        try
        {
            SetState(runId, status);
        }
        catch (Exception e) when (StorageFaults.IsUnavailable(e))
        {
            _logger.LogWarning("Run {RunId}: progress not recorded, storage unavailable: {Message}", runId, e.Message);
        }
    }
}
