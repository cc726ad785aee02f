using Ser.Core.Data;

namespace Ser.Core.Evaluation;

/// <summary>Builds an <see cref="EvaluationReport"/> from per-clip predictions: WA, UA, macro-F1 with bootstrap CIs,
/// per-class figures, confusion, breakdowns by sex and intensity, calibration, and the human baseline where the
/// clips are CREMA-D's own recordings.</summary>
public static class Evaluator
{
    public static EvaluationReport Evaluate(IReadOnlyList<ClipPrediction> predictions, long seed, int resamples = 1000)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var labels = EmotionLabels.All;
        var truth = predictions.Select(p => p.Truth).ToArray();
        var predicted = predictions.Select(p => p.Predicted).ToArray();
        var metrics = ClassificationMetrics.Compute(truth, predicted, labels);
        ClassificationMetrics Sample(int[] idx) => ClassificationMetrics.Compute(idx.Select(i => truth[i]).ToArray(), idx.Select(i => predicted[i]).ToArray(), labels);
        Estimate With(double value, Func<ClassificationMetrics, double> pick)
        {
            var (low, high) = Bootstrap.Interval95(predictions.Count, idx => pick(Sample(idx)), seed, resamples);
            return new Estimate(value, [low, high]);
        }
        var (human, reason) = Human(predictions);
        return new EvaluationReport(With(metrics.Wa, m => m.Wa), With(metrics.Ua, m => m.Ua), With(metrics.MacroF1, m => m.MacroF1),
            metrics.PerClass, labels, metrics.Confusion, GroupBy(predictions, p => p.Sex), GroupBy(predictions, p => p.Intensity),
            Calibration.ExpectedCalibrationError(predictions.Select(p => p.Probabilities).ToArray(), truth), human, reason, predictions);
    }

    private static Dictionary<string, GroupMetrics> GroupBy(IReadOnlyList<ClipPrediction> predictions, Func<ClipPrediction, string?> key) =>
        predictions.Where(p => key(p) is not null).GroupBy(p => key(p)!).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g =>
        {
            var m = ClassificationMetrics.Compute(g.Select(p => p.Truth).ToArray(), g.Select(p => p.Predicted).ToArray(), EmotionLabels.All);
            return new GroupMetrics(m.Wa, m.Ua, m.MacroF1, m.Count);
        });

    private static (HumanBaseline?, string?) Human(IReadOnlyList<ClipPrediction> predictions)
    {
        if (predictions.Count == 0) return (null, "no clips");
        if (predictions.Any(p => p.CrowdLabels is null))
            return (null, "the crowd's votes belong to CREMA-D's own recordings; these clips are not all byte-identical to the release (manifest size check), e.g. a synthetic or other corpus");
        // Strict: a tie ("A:N") counts as a miss, so a tied clip is predicted as no class (-1 never equals the truth).
        var truth = predictions.Select(p => p.Truth).ToArray();
        var votes = predictions.Select(p => p.CrowdLabels!.Count == 1 ? p.CrowdLabels[0] : -1).ToArray();
        var correct = truth.Zip(votes).Count(p => p.First == p.Second);
        var recalls = Enumerable.Range(0, EmotionLabels.Count).Where(c => truth.Contains(c))
            .Select(c => (double)truth.Zip(votes).Count(p => p.First == c && p.Second == c) / truth.Count(t => t == c)).ToArray();
        var scorable = truth.Zip(votes).Where(p => p.Second >= 0).ToArray();
        var f1 = ClassificationMetrics.Compute(scorable.Select(p => p.First).ToArray(), scorable.Select(p => p.Second).ToArray(), EmotionLabels.All);
        return (new HumanBaseline((double)correct / truth.Length, recalls.Average(), f1.MacroF1, truth.Length,
            "audio-only crowd majority vote; ties count as misses (macro-F1 over untied clips)"), null);
    }
}
