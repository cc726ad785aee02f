using System.Text.Json.Serialization;
using Ser.Core.Evaluation;
using Ser.Training.Loops;
using Ser.Training.Runs;

namespace Ser.Training.Reports;

/// <summary>Two or more runs side by side on the same test clips: figures with CIs, per class, confusion, McNemar's
/// test between the first two, the crowd baseline on those clips, and training cost (the API's /metrics/compare).</summary>
public sealed record ComparisonReport(ComparisonSplit Split, IReadOnlyList<RunComparison> Runs,
    [property: JsonPropertyName("mcnemar")] McNemar? McNemar, HumanBaseline? Human,
    string? HumanAbsentReason, IReadOnlyList<string> Notes);

/// <summary>The split the runs share (or the first run's, when different splits were allowed).</summary>
public sealed record ComparisonSplit(string Hash, string Strategy, bool SpeakerIndependent, long Seed, int TestClips);

/// <summary>One run's evaluation (without per-clip predictions) and what its training cost.</summary>
public sealed record RunComparison(string RunId, string Architecture, string Preset, string Dataset, ComparisonSplit Split,
    EvaluationReport Metrics, TrainingCost Training, IReadOnlyList<EpochMetrics> LearningCurve);

/// <summary>Training time, device, epochs and seed.</summary>
public sealed record TrainingCost(double Seconds, string Device, int Epochs, int BestEpoch, long Seed);
