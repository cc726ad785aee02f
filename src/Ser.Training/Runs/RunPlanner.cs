using Ser.Core.Data;
using Ser.Core.Data.Splits;
using Ser.Core.IO;
using Ser.Core.Models;
using Ser.Training.BaseCheckpoints;
using Ser.Training.Loops;
using Ser.Training.Recipes;

namespace Ser.Training.Runs;

/// <summary>Turns a <see cref="TrainingRequest"/> into run specs, or lists every invalid field: preset choice, recipe
/// defaults, split, base checkpoint and device, decided once for the API and the CLI alike.</summary>
public sealed class RunPlanner
{
    /// <summary>The base checkpoint value that asks for random weights, even for a full preset.</summary>
    public const string NoBaseCheckpoint = "none";

    /// <summary>Longest run <c>name</c> (it is shown in every listing).</summary>
    public const int MaxNameLength = 200;

    /// <summary>Where base checkpoint names resolve: <c>{data}/models</c>.</summary>
    public required string ModelsFolder { get; init; }

    /// <summary>Whether a base checkpoint may be a path (the CLI) rather than only a name under <see cref="ModelsFolder"/> (the API).</summary>
    public bool AllowBaseCheckpointPaths { get; init; }

    public RunPlan Plan(TrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Error(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field) ?? [], message];

        string[] architectures = request.Architecture switch
        {
            "both" => [.. ModelArchitectures.All],
            ModelArchitectures.Wav2Vec2 or ModelArchitectures.ResNet18 => [request.Architecture],
            null => Fail("architecture", "is required (wav2vec2, resnet18 or both)"),
            _ => Fail("architecture", $"'{Shown(request.Architecture)}' is not wav2vec2, resnet18 or both"),
        };
        if (request.Name is { Length: > MaxNameLength }) Error("name", $"must be at most {MaxNameLength} characters");
        var dataset = CheckDataset(request.Dataset, Error);
        string PresetName(string architecture) => (architectures.Length == 1 ? request.Preset : null) ?? request.Presets?.GetValueOrDefault(architecture)
            ?? DefaultPreset(architecture, dataset?.Kind);
        // The reference study's recipes rerun its protocol, split included, unless the request says otherwise.
        var study = request.Split?.Strategy is null or "random" && architectures.Length > 0
            && architectures.All(a => ModelPresets.All.FirstOrDefault(p => p.Name == PresetName(a))?.ReferenceOf is not null);
        var split = ResolveSplit(request.Split, study ? ReferenceStudySplit : new SplitSpec(), Error);
        // A path where only names are allowed is refused whatever else is wrong (the architecture included).
        var single = request.BaseCheckpoint;
        if (single is not null && !AllowBaseCheckpointPaths && !PlainName.IsValid(single))
        {
            Error("baseCheckpoint", NotAName);
            single = null;
        }
        else if (single is not null && architectures.Length > 1) Error("baseCheckpoint", "applies to a single architecture");
        var runs = new List<RunSpec>();
        foreach (var architecture in architectures)
        {
            var presetName = PresetName(architecture);
            var preset = ModelPresets.All.FirstOrDefault(p => p.Name == presetName);
            if (preset is null || preset.Architecture != architecture)
            {
                Error("preset", $"'{Shown(presetName)}' is not a {architecture} preset ({string.Join(", ", ModelPresets.All.Where(p => p.Architecture == architecture).Select(p => p.Name))})");
                continue;
            }
            var hyper = ResolveHyperParameters(request.HyperParameters, preset);
            foreach (var (field, message) in hyper.Validate()) Error("hyperParameters." + field, message);
            var asked = request.BaseCheckpoints?.GetValueOrDefault(architecture) ?? (architectures.Length == 1 ? single : null);
            var checkpoint = asked is null ? DefaultBaseCheckpoint(preset.BaseName) : ResolveBaseCheckpoint(asked, architecture, Error);
            if (dataset is not null && split is not null)
                runs.Add(new RunSpec(TrainingRunner.NewRunId(), RunKinds.Train, architecture, preset.Name, dataset.Name, dataset.Kind, dataset.Path,
                    split, hyper, checkpoint, request.Name, request.Device ?? TorchDevices.Auto, DateTimeOffset.UtcNow));
        }
        return new RunPlan(errors.Count == 0 ? runs : [], errors);

        string[] Fail(string field, string message)
        {
            Error(field, message);
            return [];
        }
    }

    /// <summary>The preset a request gets when it names none: the full one, or the tiny one on synthetic data.</summary>
    public static string DefaultPreset(string architecture, string? datasetKind) =>
        datasetKind == DatasetKinds.Synthetic ? architecture + "-tiny" : architecture == ModelArchitectures.Wav2Vec2 ? ModelPresets.Wav2Vec2Base.Name : ModelPresets.ResNet18.Name;

    /// <summary>Recipe defaults for every field the request leaves null.</summary>
    public static ResolvedHyperParameters ResolveHyperParameters(HyperParameters? overrides, ModelPreset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var h = overrides ?? new HyperParameters();
        return preset.Wav2Vec2 is null ? ResNetRecipe.Defaults(h, preset) : Wav2Vec2Recipe.Defaults(h, preset);
    }

    // The full presets start from their pretrained weights (downloaded when the run starts, if absent); tiny ones from scratch.
    private string? DefaultBaseCheckpoint(string preset) =>
        BaseCheckpointCatalog.IsKnown(preset) || BaseCheckpointCatalog.IsAvailable(preset, ModelsFolder) ? BaseCheckpointCatalog.PathOf(preset, ModelsFolder) : null;

    private string? ResolveBaseCheckpoint(string value, string architecture, Action<string, string> error)
    {
        if (value == NoBaseCheckpoint) return null;
        if (!PlainName.IsValid(value))
        {
            if (!AllowBaseCheckpointPaths) error("baseCheckpoint", NotAName);
            else if (!Path.Exists(value)) error("baseCheckpoint", $"'{Shown(value)}' does not exist");
            else return Path.GetFullPath(value);
            return null;
        }
        if (BaseCheckpointCatalog.Find(value) is { } known && known.Architecture != architecture)
            error("baseCheckpoint", $"'{value}' is a {known.Architecture} checkpoint");
        else if (BaseCheckpointCatalog.IsAvailable(value, ModelsFolder) || BaseCheckpointCatalog.IsKnown(value))
            return BaseCheckpointCatalog.PathOf(value, ModelsFolder);
        else if (AllowBaseCheckpointPaths && Path.Exists(value)) return Path.GetFullPath(value);
        else
            error("baseCheckpoint", $"'{value}' is not in the models folder ({{data}}/models) and not one the service can download "
                + $"({string.Join(", ", BaseCheckpointCatalog.Known.Select(k => k.Name))})");
        return null;
    }

    private static TrainingDataset? CheckDataset(TrainingDataset? dataset, Action<string, string> error)
    {
        if (dataset is null) error("dataset", "is required");
        else if (!DatasetKinds.All.Contains(dataset.Kind))
            error("dataset", $"kind '{Shown(dataset.Kind)}' is not {string.Join(", ", DatasetKinds.All)}");
        else return dataset with { Path = Path.GetFullPath(dataset.Path) };
        return null;
    }

    /// <summary>The reference study's split (SEED.md): random per clip, seed 42, 20 % test, and 10 % of the rest for
    /// validation (made before any augmentation, unlike the study's).</summary>
    public static readonly SplitSpec ReferenceStudySplit = new(SplitStrategy.Random, 42, Validation: 0.08, Test: 0.2);

    private static SplitSpec? ResolveSplit(TrainingSplit? request, SplitSpec d, Action<string, string> error)
    {
        var strategy = SplitStrategyNames.Parse(request?.Strategy ?? d.Strategy.Name());
        if (strategy is null) error("split.strategy", $"must be {SplitStrategyNames.Listed}");
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

    private const string NotAName = "must be a folder name under the models folder, not a path";

    // A caller's text echoed in an error, cut short.
    private static string? Shown(string? text) => text is { Length: > 64 } ? text[..64] + "…" : text;
}
