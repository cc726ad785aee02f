namespace Ser.Training.Runs;

/// <summary>What a caller asks to train, before anything is resolved: the one input of <see cref="RunPlanner"/>, which
/// <c>POST /jobs/train</c> and <c>ser-train train</c> both map their arguments to. Null fields take the planner's defaults.</summary>
public sealed record TrainingRequest
{
    /// <summary><c>wav2vec2</c>, <c>resnet18</c> or <c>both</c> (two runs on one split, then compared).</summary>
    public string? Architecture { get; init; }

    /// <summary>For a single architecture; default the full preset (the tiny one on synthetic data).</summary>
    public string? Preset { get; init; }

    /// <summary>A preset per architecture (the CLI's <c>--wav2vec2-preset</c>, <c>--tiny</c>); <see cref="Preset"/> wins for a single one.</summary>
    public IReadOnlyDictionary<string, string>? Presets { get; init; }

    /// <summary>The corpus, already resolved by the caller.</summary>
    public TrainingDataset? Dataset { get; init; }

    public TrainingSplit? Split { get; init; }

    /// <summary>Overrides of the recipe's defaults.</summary>
    public HyperParameters? HyperParameters { get; init; }

    /// <summary>For a single architecture: a folder name under the models folder, <see cref="RunPlanner.NoBaseCheckpoint"/>
    /// (random weights), or a path where the planner allows paths. Default: the preset's catalog checkpoint.</summary>
    public string? BaseCheckpoint { get; init; }

    /// <summary>A base checkpoint per architecture (the CLI's <c>--wav2vec2-checkpoint</c>); same forms as <see cref="BaseCheckpoint"/>.</summary>
    public IReadOnlyDictionary<string, string>? BaseCheckpoints { get; init; }

    public string? Name { get; init; }

    /// <summary><c>cpu</c>, <c>cuda</c> or <c>auto</c>; default <c>cpu</c>.</summary>
    public string? Device { get; init; }
}
