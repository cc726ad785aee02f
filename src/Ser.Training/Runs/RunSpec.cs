using Ser.Training.Loops;

namespace Ser.Training.Runs;

/// <summary>Everything that defines a run, resolved and recorded before it starts (<c>spec.json</c>).</summary>
/// <param name="Kind">One of <see cref="RunKinds"/>.</param>
/// <param name="DatasetPath">Where the corpus was mounted when the run was made.</param>
/// <param name="BaseCheckpoint">A pretrained model folder or state dict to start from; null for random init.</param>
/// <param name="SourceRun">For evaluation runs: the run whose model is evaluated.</param>
public sealed record RunSpec(
    string RunId, string Kind, string Architecture, string Preset, string Dataset, string DatasetKind, string DatasetPath,
    SplitSpec Split, ResolvedHyperParameters Hyper, string? BaseCheckpoint, string? Name, string Device, DateTimeOffset CreatedAt,
    string? SourceRun = null);
