using Microsoft.Extensions.Options;
using Ser.Api.Classification;
using Ser.Api.Hosting;
using Ser.Api.Jobs.Contracts;
using Ser.Api.Jobs.Datasets;
using Ser.Api.Models;
using Ser.Core.Data;
using Ser.Core.IO;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>Turns a <see cref="TrainJobRequest"/> into run specs, or lists every invalid field. Datasets and base
/// checkpoints are names resolved through configuration: anything that looks like a path is refused.</summary>
public sealed class TrainJobValidator(IOptions<DatasetsOptions> datasets, SyntheticCorpora synthetic, IOptions<ServingOptions> serving,
    IOptions<InferenceOptions> inference)
{
    /// <summary>Most runs one <c>POST /jobs/evaluate</c> may name.</summary>
    public const int MaxEvaluationRuns = 50;

    /// <summary>The request mapped onto a <see cref="TrainingRequest"/> (dataset names resolved through configuration)
    /// and planned by <see cref="RunPlanner"/>; the API's own errors (a dataset that is no name) come first.</summary>
    public (IReadOnlyList<RunSpec> Runs, Dictionary<string, string[]> Errors) Validate(TrainJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Error(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field) ?? [], message];
        var dataset = ResolveDataset(request.Dataset, Error);
        var planner = new RunPlanner { ModelsFolder = Path.Combine(serving.Value.FullDataPath, "models") };
        var plan = planner.Plan(ToTrainingRequest(request, dataset, inference.Value.Device));
        foreach (var (field, messages) in plan.Errors)
            if (!errors.ContainsKey(field)) errors[field] = messages;
        if (errors.Count == 0) EnsureGenerated(dataset, Error);
        return (errors.Count == 0 ? plan.Runs : [], errors);
    }

    /// <summary>The API's request in the planner's terms; <paramref name="dataset"/> is already resolved (null when it is not).</summary>
    public static TrainingRequest ToTrainingRequest(TrainJobRequest request, (string Name, string Kind, string Path)? dataset, string device)
    {
        ArgumentNullException.ThrowIfNull(request);
        var s = request.Split;
        return new TrainingRequest
        {
            Architecture = request.Architecture, Preset = request.Preset, Name = request.Name, BaseCheckpoint = request.BaseCheckpoint, Device = device,
            Dataset = dataset is { } d ? new TrainingDataset { Name = d.Name, Kind = d.Kind, Path = d.Path } : null,
            Split = s is null ? null : new TrainingSplit { Strategy = s.Strategy, Seed = s.Seed, Folds = s.Folds, Fold = s.Fold, Validation = s.Validation, Test = s.Test },
            HyperParameters = request.HyperParameters,
        };
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
            if (summary.State != RunState.Succeeded || summary.Kind != RunKinds.Train) { Error("runs", $"'{id}' is not a succeeded training run"); continue; }
            var source = store.ReadSpec(summary.RunId);
            specs.Add(source with
            {
                RunId = TrainingRunner.NewRunId(), Kind = RunKinds.Evaluate, SourceRun = id, CreatedAt = DateTimeOffset.UtcNow,
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
        if (dataset is not { Kind: DatasetKinds.Synthetic } d || !SyntheticCorpora.Missing(d.Path)) return;
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
}
