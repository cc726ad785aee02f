using Ser.Core.Evaluation;
using Ser.Training.Runs;

namespace Ser.Training.Reports;

/// <summary>One run's evaluation (without per-clip predictions) and what its training cost.</summary>
public sealed record RunComparison(string RunId, string Architecture, string Preset, string Dataset, ComparisonSplit Split,
    EvaluationReport Metrics, TrainingCost Training, IReadOnlyList<EpochMetrics> LearningCurve);
