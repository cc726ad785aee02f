using Ser.Training.Runs;

namespace Ser.Api.Jobs.Contracts;

/// <summary>Body of <c>POST /jobs/train</c>. Only <see cref="Architecture"/> and <see cref="Dataset"/> are required;
/// datasets and base checkpoints are names from configuration, never paths.</summary>
/// <param name="Architecture"><c>wav2vec2</c>, <c>resnet18</c> or <c>both</c> (two runs on one split, then compared).</param>
/// <param name="Preset">For a single architecture; default wav2vec2-base / resnet18 (wav2vec2-tiny / resnet18-tiny on synthetic data).</param>
/// <param name="Dataset">A name under Ser:Datasets (e.g. crema-d, synthetic).</param>
/// <param name="BaseCheckpoint">A folder name under the data folder's models/ (e.g. wav2vec2-base), or <c>none</c> for random weights;
/// default: the preset's pretrained checkpoint (full presets), random weights (tiny ones).</param>
/// <param name="HyperParameters">Overrides of the recipe's defaults; a null field keeps the default (the planner's own record).</param>
public sealed record TrainJobRequest(string? Architecture, string? Preset, string? Dataset, SplitRequest? Split,
    HyperParameters? HyperParameters, string? BaseCheckpoint, string? Name);
