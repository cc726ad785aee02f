using Microsoft.Extensions.Options;
using Ser.Api.Classification;
using Ser.Api.Hosting;
using Ser.Api.Jobs.Contracts;
using Ser.Api.Jobs.Datasets;
using Ser.Api.Models;
using Ser.Core.Data.Splits;
using Ser.Core.IO;
using Ser.Core.Models;
using Ser.Training.BaseCheckpoints;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>Turns a <see cref="TrainJobRequest"/> into run specs, or lists every invalid field. Datasets and base
/// checkpoints are names resolved through configuration: anything that looks like a path is refused.</summary>
public sealed class TrainJobValidator(IOptions<DatasetsOptions> datasets, SyntheticCorpora synthetic, IOptions<ServingOptions> serving,
    IOptions<InferenceOptions> inference)
{
    /// <summary>Most runs one <c>POST /jobs/evaluate</c> may name.</summary>
    public const int MaxEvaluationRuns = 50;

    /// <summary>Longest job <c>name</c> (it is shown in every job listing).</summary>
    public const int MaxNameLength = 200;

    public (IReadOnlyList<RunSpec> Runs, Dictionary<string, string[]> Errors) Validate(TrainJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Error(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field) ?? [], message];

        var architectures = request.Architecture switch
        {
            "both" => ModelArchitectures.All.ToArray(),
            ModelArchitectures.Wav2Vec2 or ModelArchitectures.ResNet18 => [request.Architecture],
            null => Fail("architecture", "is required (wav2vec2, resnet18 or both)"),
            _ => Fail("architecture", $"'{Shown(request.Architecture)}' is not wav2vec2, resnet18 or both"),
        };
        if (request.Name is { Length: > MaxNameLength }) Error("name", $"must be at most {MaxNameLength} characters");
        var dataset = ResolveDataset(request.Dataset, Error);
        var split = ResolveSplit(request.Split, Error);
        var models = Path.Combine(serving.Value.FullDataPath, "models");
        string? checkpoint = null;
        if (request.BaseCheckpoint is { } name)
        {
            if (!PlainName.IsValid(name)) Error("baseCheckpoint", "must be a folder name under the models folder, not a path");
            else if (architectures.Length != 1) Error("baseCheckpoint", "applies to a single architecture");
            else if (BaseCheckpointCatalog.Find(name) is { } known && known.Architecture != architectures[0])
                Error("baseCheckpoint", $"'{name}' is a {known.Architecture} checkpoint");
            else if (!BaseCheckpointCatalog.IsAvailable(name, models) && !BaseCheckpointCatalog.IsKnown(name))
                Error("baseCheckpoint", $"'{name}' is not in the models folder ({{data}}/models) and not one the service can download "
                    + $"({string.Join(", ", BaseCheckpointCatalog.Known.Select(k => k.Name))})");
            else checkpoint = BaseCheckpointCatalog.PathOf(name, models);
        }
        var runs = new List<RunSpec>();
        foreach (var architecture in architectures)
        {
            var presetName = architectures.Length == 1 && request.Preset is not null ? request.Preset
                : dataset?.Kind == "synthetic" ? architecture + "-tiny" : architecture == ModelArchitectures.Wav2Vec2 ? "wav2vec2-base" : "resnet18";
            var preset = ModelPresets.All.FirstOrDefault(p => p.Name == presetName);
            if (preset is null || preset.Architecture != architecture)
            {
                Error("preset", $"'{Shown(presetName)}' is not a {architecture} preset ({string.Join(", ", ModelPresets.All.Where(p => p.Architecture == architecture).Select(p => p.Name))})");
                continue;
            }
            var hyper = Resolve(request.HyperParameters, preset);
            foreach (var (field, message) in hyper.Validate()) Error("hyperParameters." + field, message);
            if (dataset is not null && split is not null)
                runs.Add(new RunSpec(TrainingRunner.NewRunId(), "train", architecture, preset.Name, dataset.Value.Name, dataset.Value.Kind, dataset.Value.Path,
                    split, hyper, checkpoint ?? DefaultBase(preset.Name, models), request.Name, inference.Value.Device, DateTimeOffset.UtcNow));
        }
        if (errors.Count == 0) EnsureGenerated(dataset, Error);
        return (errors.Count == 0 ? runs : [], errors);

        string[] Fail(string field, string message)
        {
            Error(field, message);
            return [];
        }
    }

    /// <summary>One evaluation run per named run, or every invalid field.</summary>
    public (IReadOnlyList<RunSpec> Runs, Dictionary<string, string[]> Errors) ValidateEvaluation(EvaluateJobRequest request, RunStore store, RunRegistry registry,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(registry);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Error(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field) ?? [], message];
        if (request.Runs is not { Count: > 0 }) Error("runs", "name one or more succeeded training runs");
        // Counted before anything is looked up: a request is never more work than this many runs.
        if (request.Runs is { Count: > MaxEvaluationRuns })
            return ([], new Dictionary<string, string[]> { ["runs"] = [$"name at most {MaxEvaluationRuns} runs (got {request.Runs.Count})"] });
        if (request.Split is not (null or "same")) Error("split", "only 'same' is supported");
        var dataset = request.Dataset is null ? null : ResolveDataset(request.Dataset, Error);
        var ids = (request.Runs ?? []).Where(id => id is not null && PlainName.IsValid(id)).Distinct(StringComparer.Ordinal).ToArray();
        var found = registry.FindMany(ids);
        var specs = new List<RunSpec>();
        foreach (var id in request.Runs ?? [])
        {
            cancellationToken.ThrowIfCancellationRequested();
            var summary = found.GetValueOrDefault(id ?? "");
            if (summary is null) { Error("runs", $"'{Shown(id)}' is not a run"); continue; }
            if (summary.State != RunState.Succeeded || summary.Kind != "train") { Error("runs", $"'{id}' is not a succeeded training run"); continue; }
            var source = store.ReadSpec(summary.RunId);
            specs.Add(source with
            {
                RunId = TrainingRunner.NewRunId(), Kind = "evaluate", SourceRun = id, CreatedAt = DateTimeOffset.UtcNow,
                Dataset = dataset?.Name ?? source.Dataset, DatasetKind = dataset?.Kind ?? source.DatasetKind, DatasetPath = dataset?.Path ?? source.DatasetPath,
            });
        }
        if (errors.Count == 0) EnsureGenerated(dataset, Error);
        return (errors.Count == 0 ? specs : [], errors);
    }

    // A synthetic dataset not on disk yet is generated on first use (once the request is otherwise valid), rather than
    // accepted now and failing in the job ("Dataset folder … does not exist").
    private void EnsureGenerated((string Name, string Kind, string Path)? dataset, Action<string, string> error)
    {
        if (dataset is not { Kind: "synthetic" } d || !SyntheticCorpora.Missing(d.Path)) return;
        try { synthetic.Ensure(d.Path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error("dataset", $"'{d.Name}' is a synthetic dataset not generated yet, and generating it failed: {PublicText.Redact(e.Message, serving.Value.FullDataPath)}");
        }
    }

    // A caller's text echoed in an error, cut short.
    private static string? Shown(string? text) => text is { Length: > 64 } ? text[..64] + "…" : text;

    private (string Name, string Kind, string Path)? ResolveDataset(string? name, Action<string, string> error)
    {
        if (name is null) { error("dataset", "is required: a dataset name from configuration (Ser:Datasets:{name})"); return null; }
        if (!PlainName.IsValid(name)) { error("dataset", "must be a dataset name from configuration, not a path"); return null; }
        var options = datasets.Value.Find(name);
        if (options?.Path is not { Length: > 0 } path) { error("dataset", $"'{name}' is not configured (set Ser:Datasets:{name}:Path)"); return null; }
        return (name, options.Kind, Path.GetFullPath(path));
    }

    private static SplitSpec? ResolveSplit(SplitRequest? request, Action<string, string> error)
    {
        var d = new SplitSpec();
        var strategy = SplitStrategyNames.Parse(request?.Strategy ?? "actor");
        if (strategy is null) error("split.strategy", "must be actor, actor-kfold or random");
        var folds = request?.Folds ?? d.Folds;
        var fold = request?.Fold ?? d.Fold;
        var validation = request?.Validation ?? d.Validation;
        var test = request?.Test ?? d.Test;
        if (folds is < 2 or > 20) error("split.folds", "must be 2 to 20");
        if (fold < 0 || fold >= folds) error("split.fold", $"must be 0 to {folds - 1}");
        if (validation is < 0 or > 0.5) error("split.validation", "must be 0 to 0.5");
        if (test is < 0 or > 0.5) error("split.test", "must be 0 to 0.5");
        return strategy is null ? null : new SplitSpec(strategy.Value, request?.Seed ?? d.Seed, validation, test, folds, fold);
    }

    private static ResolvedHyperParameters Resolve(HyperParametersRequest? r, ModelPreset preset)
    {
        var h = new HyperParameters
        {
            Epochs = r?.Epochs, BatchSize = r?.BatchSize, LearningRate = r?.LearningRate, EncoderLearningRate = r?.EncoderLearningRate,
            WeightDecay = r?.WeightDecay, WarmupFraction = r?.WarmupFraction, GradientClip = r?.GradientClip, GradientAccumulation = r?.GradientAccumulation,
            MaxSeconds = r?.MaxSeconds, Patience = r?.Patience, CheckpointEverySteps = r?.CheckpointEverySteps, ClassBalancedLoss = r?.ClassBalancedLoss,
            Optimizer = r?.Optimizer, FreezeFeatureEncoder = r?.FreezeFeatureEncoder, FreezeBaseModel = r?.FreezeBaseModel,
            SpecAugmentMasks = r?.SpecAugmentMasks, Seed = r?.Seed ?? 42,
        };
        return preset.Wav2Vec2 is null ? ResNetRecipe.Defaults(h, preset) : Wav2Vec2Recipe.Defaults(h, preset);
    }

    // The full presets start from their pretrained weights (downloaded by the job when absent); tiny ones from scratch.
    private static string? DefaultBase(string preset, string models) =>
        BaseCheckpointCatalog.IsKnown(preset) || BaseCheckpointCatalog.IsAvailable(preset, models) ? BaseCheckpointCatalog.PathOf(preset, models) : null;
}
