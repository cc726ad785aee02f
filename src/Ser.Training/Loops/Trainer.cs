using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ser.Core.Data;
using Ser.Core.Diagnostics;
using Ser.Core.Evaluation;
using Ser.Core.Models;
using Ser.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Ser.Training.Runs;

namespace Ser.Training.Loops;

/// <summary>One training loop for both model families: seeded batch plan, background batch loading, optional class
/// weights, gradient accumulation and clipping, warm-up + decay, validation UA each epoch with early stopping and
/// best-weights selection, resumable checkpoints every N steps and at epoch ends, cancellation between steps.
/// A run stopped at any step and resumed reaches the same weights as an uninterrupted one (bit-identical on CPU).</summary>
/// <param name="ensureLeased">Called after each step and before each epoch's writes; it throws when this process no
/// longer owns the run (<see cref="Runs.RunLease.ThrowIfLost"/>), and the loop stops without writing a checkpoint.</param>
public sealed class Trainer(ITrainableModel model, ResolvedHyperParameters hyper, IReadOnlyList<ClipInfo> train,
    IReadOnlyList<ClipInfo> validation, string checkpointDirectory, ClipAudioReader? audio = null, ILogger? logger = null,
    Action? ensureLeased = null)
{
    private readonly ClipAudioReader _audio = audio ?? new ClipAudioReader();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Told the history so far after each epoch, once its checkpoint is written.</summary>
    public Action<IReadOnlyList<EpochMetrics>>? EpochEnded { get; init; }

    /// <summary>The CPU whose bf16 speed decides whether a <c>bfloat16</c> request trains in bf16
    /// (<see cref="TrainingPrecision.Effective"/>): this machine's, unless a caller judges for another.</summary>
    public CpuInfo Cpu { get; init; } = CpuInfo.Current;

    /// <exception cref="OperationCanceledException">Cancelled; a checkpoint of the last finished step was written.</exception>
    /// <exception cref="Runs.RunLeaseLostException">Thrown by <c>ensureLeased</c>; the last checkpoint is left as it was.</exception>
    public async Task<TrainingResult> RunAsync(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(checkpointDirectory);
        var (precision, fallback) = TrainingPrecision.Effective(hyper.Precision, model.Device, Cpu);
        if (fallback is not null) _logger.LogWarning("Training {Architecture} in {Precision}, not {Requested}: {Reason}", model.Architecture, precision, hyper.Precision, fallback);
        var plan = new BatchPlan(train.Count, hyper.BatchSize, hyper.Seed);
        var stepsPerEpoch = (plan.BatchesPerEpoch + hyper.GradientAccumulation - 1) / hyper.GradientAccumulation;
        var totalSteps = (long)stepsPerEpoch * hyper.Epochs;
        var schedule = new LearningRateSchedule(totalSteps, (long)(totalSteps * hyper.WarmupFraction), Cosine: model.Architecture == ModelArchitectures.ResNet18);
        var (optimizer, baseRates) = model.CreateOptimizer(hyper);
        using var weights = ClassWeights();
        var state = new TrainingCheckpoint(0, 0, 0, BestUa: -1, 0, 0, [], 0);
        long? resumedFrom = null;
        if (TrainingCheckpoint.Exists(checkpointDirectory))
        {
            state = TrainingCheckpoint.Load(checkpointDirectory, model.Network, optimizer);
            resumedFrom = state.Step;
            _logger.LogInformation("Resuming {Architecture} at epoch {Epoch}, batch {Batch}, step {Step}", model.Architecture, state.Epoch + 1, state.NextBatch, state.Step);
        }
        else
        {
            manual_seed(hyper.Seed + 1); // dropout stream; model init was seeded by the caller
        }
        using var twin = precision == TrainingPrecision.BFloat16 ? CreateTwin() : null;
        var history = state.History.ToList();
        var watch = Stopwatch.StartNew();
        var secondsBefore = state.Seconds;
        var stepsThisSession = 0L;
        var stopped = false;
        for (var epoch = state.Epoch; epoch < hyper.Epochs && !stopped; epoch++)
        {
            model.Network.train();
            twin?.Module.train();
            var firstBatch = epoch == state.Epoch ? state.NextBatch : 0;
            var step = state.Step;
            var resumedEpoch = epoch == state.Epoch && firstBatch > 0;
            var lossSum = resumedEpoch ? state.EpochLossSum : 0;
            var lossCount = resumedEpoch ? state.EpochLossCount : 0;
            var clipsSeen = 0;
            var epochWatch = Stopwatch.StartNew();
            using var epochActivity = SerTelemetry.Source.StartActivity("ser.training.epoch");
            epochActivity?.SetTag(SerTelemetry.ArchitectureTag, model.Architecture);
            epochActivity?.SetTag("ser.epoch", epoch + 1);
            epochActivity?.SetTag("ser.epochs", hyper.Epochs);
            await using (var loader = new BatchLoader(model, train, _audio, plan, epoch, firstBatch))
            {
                var batchIndex = firstBatch;
                while (await loader.NextAsync(cancellationToken).ConfigureAwait(false) is { } batch)
                {
                    using (batch)
                    using (var scope = NewDisposeScope())
                    {
                        // Groups of accumulated batches start at multiples of the accumulation count; checkpoints only
                        // fall between groups, so a resumed epoch forms the same groups.
                        if (batchIndex % hyper.GradientAccumulation == 0) optimizer.zero_grad();
                        var onDevice = ToDevice(batch);
                        var logits = twin is null
                            ? model.Forward(onDevice)
                            : model.Forward(onDevice with { Inputs = Bf16Twin.Input(onDevice.Inputs) }, twin.Module).to(ScalarType.Float32);
                        var loss = nn.functional.cross_entropy(logits, onDevice.Labels, weights);
                        loss.div(Scalars.Of(hyper.GradientAccumulation)).backward();
                        twin?.AccumulateGradients();
                        lossSum += loss.item<float>() * batch.Clips;
                        lossCount += batch.Clips;
                        clipsSeen += batch.Clips;
                    }
                    batchIndex++;
                    var endOfGroup = batchIndex % hyper.GradientAccumulation == 0 || batchIndex == plan.BatchesPerEpoch;
                    if (!endOfGroup) continue;
                    var factor = schedule.Factor(step);
                    var groups = optimizer.ParamGroups.ToArray();
                    for (var g = 0; g < groups.Length; g++) groups[g].LearningRate = baseRates[g] * factor;
                    if (hyper.GradientClip > 0) nn.utils.clip_grad_norm_(model.Network.parameters().Where(p => p.requires_grad), hyper.GradientClip);
                    optimizer.step();
                    twin?.Synchronise();
                    step++;
                    stepsThisSession++;
                    ensureLeased?.Invoke();
                    state = state with { Epoch = epoch, NextBatch = batchIndex, Step = step, History = history, EpochLossSum = lossSum, EpochLossCount = lossCount };
                    var elapsed = watch.Elapsed.TotalSeconds;
                    var eta = elapsed / stepsThisSession * (totalSteps - step);
                    progress?.Report(new TrainingProgress(TrainingProgress.StepPhase, epoch + 1, hyper.Epochs, step, totalSteps, lossSum / Math.Max(1, lossCount),
                        baseRates[^1] * factor, clipsSeen / Math.Max(1e-9, epochWatch.Elapsed.TotalSeconds), eta));
                    if (cancellationToken.IsCancellationRequested)
                    {
                        Checkpoint(state with { Seconds = secondsBefore + watch.Elapsed.TotalSeconds }, optimizer);
                        _logger.LogInformation("Training cancelled after step {Step}; checkpoint written", step);
                        cancellationToken.ThrowIfCancellationRequested();
                    }
                    if (step % hyper.CheckpointEverySteps == 0 && batchIndex < plan.BatchesPerEpoch)
                        Checkpoint(state with { Seconds = secondsBefore + watch.Elapsed.TotalSeconds }, optimizer);
                }
            }
            var metrics = Validate();
            ensureLeased?.Invoke();
            var epochSeconds = epochWatch.Elapsed.TotalSeconds;
            var record = new EpochMetrics(epoch + 1, state.Step, lossSum / Math.Max(1, lossCount), optimizer.ParamGroups.Last().LearningRate,
                metrics.Wa, metrics.Ua, metrics.MacroF1, epochSeconds, clipsSeen / Math.Max(1e-9, epochSeconds));
            history.Add(record);
            epochActivity?.SetTag("ser.steps", state.Step);
            epochActivity?.SetTag("ser.loss", record.TrainLoss);
            epochActivity?.SetTag("ser.validation.ua", metrics.Ua);
            SerTelemetry.Epochs.Add(1, new KeyValuePair<string, object?>(SerTelemetry.ArchitectureTag, model.Architecture));
            _logger.LogInformation("Epoch {Epoch}/{Epochs} {Architecture}: loss {Loss:0.000}, validation UA {Ua:0.000} WA {Wa:0.000}, {ClipsPerSecond:0.0} clips/s",
                record.Epoch, hyper.Epochs, model.Architecture, record.TrainLoss, record.ValidationUa, record.ValidationWa, record.ClipsPerSecond);
            var improved = metrics.Ua > state.BestUa;
            if (improved) TrainingCheckpoint.SaveBest(checkpointDirectory, model.Network);
            state = state with
            {
                Epoch = epoch + 1, NextBatch = 0, History = history,
                BestUa = improved ? metrics.Ua : state.BestUa, BestEpoch = improved ? epoch + 1 : state.BestEpoch,
                SinceBest = improved ? 0 : state.SinceBest + 1, Seconds = secondsBefore + watch.Elapsed.TotalSeconds,
                EpochLossSum = 0, EpochLossCount = 0,
            };
            stopped = hyper.Patience > 0 && state.SinceBest >= hyper.Patience;
            Checkpoint(state, optimizer);
            EpochEnded?.Invoke(history);
            progress?.Report(new TrainingProgress(TrainingProgress.EpochPhase, epoch + 1, hyper.Epochs, state.Step, totalSteps, record.TrainLoss, record.LearningRate,
                record.ClipsPerSecond, watch.Elapsed.TotalSeconds / Math.Max(1, stepsThisSession) * (totalSteps - state.Step), metrics.Ua, metrics.Wa));
        }
        TrainingCheckpoint.RestoreBest(checkpointDirectory, model.Network);
        model.Network.eval();
        return new TrainingResult(state.BestEpoch, state.BestUa, history, stopped, state.Step, state.Seconds, resumedFrom, precision);
    }

    private Bf16Twin CreateTwin()
    {
        // The twin's random initialisation (overwritten at once) must not move the training's random stream.
        using var rng = get_rng_state();
        var network = model.CreateTwin();
        set_rng_state(rng);
        try
        {
            return new Bf16Twin(model.Network, network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private void Checkpoint(TrainingCheckpoint state, OptimizerHelper optimizer) => state.Save(checkpointDirectory, model.Network, optimizer);

    private ClassificationMetrics Validate()
    {
        using var classifier = model.ToClassifier();
        var predictions = new List<int>();
        foreach (var chunk in validation.Chunk(32))
            predictions.AddRange(classifier.PredictBatch(chunk.Select(_audio.Read).ToArray()).Select(p => Array.IndexOf(p, p.Max())));
        model.Network.train();
        return ClassificationMetrics.Compute(validation.Select(c => c.Label).ToArray(), predictions, EmotionLabels.All);
    }

    // Inverse-frequency weights N / (K · n_c) over the training clips, when asked for.
    private Tensor? ClassWeights()
    {
        if (!hyper.ClassBalancedLoss) return null;
        var counts = new double[EmotionLabels.Count];
        foreach (var clip in train) counts[clip.Label]++;
        using var weights = tensor(counts.Select(c => c == 0 ? 0f : (float)(train.Count / (EmotionLabels.Count * c))).ToArray());
        return weights.to(model.Device);
    }

    // Copies made here belong to the step's dispose scope.
    private TrainingBatch ToDevice(TrainingBatch batch) =>
        model.Device.type == DeviceType.CPU
            ? batch
            : new TrainingBatch(batch.Inputs.to(model.Device), batch.Lengths?.to(model.Device), batch.Labels.to(model.Device), batch.Clips);
}
