using Ser.Core.Data;

namespace Ser.Core.Evaluation;

/// <summary>How much a speaker-dependent split flatters one architecture on one corpus: WA and UA on the
/// speaker-dependent run's test clips minus those on the speaker-independent run's, each with a 95 % bootstrap interval
/// (the two test sets resampled independently: they are different clips).</summary>
public sealed record SplitInflation(string Architecture, string DependentRun, string IndependentRun, Estimate Wa, Estimate Ua)
{
    public static SplitInflation Measure(string architecture, string dependentRun, IReadOnlyList<ClipPrediction> dependent, string independentRun,
        IReadOnlyList<ClipPrediction> independent, long seed, int resamples = 1000)
    {
        ArgumentNullException.ThrowIfNull(dependent);
        ArgumentNullException.ThrowIfNull(independent);
        ClassificationMetrics Of(IReadOnlyList<ClipPrediction> p, IEnumerable<int> idx)
        {
            var picked = idx.Select(i => p[i]).ToArray();
            return ClassificationMetrics.Compute(picked.Select(c => c.Truth).ToArray(), picked.Select(c => c.Predicted).ToArray(), EmotionLabels.All);
        }
        var (d, i) = (Of(dependent, Enumerable.Range(0, dependent.Count)), Of(independent, Enumerable.Range(0, independent.Count)));
        Estimate Gap(double value, Func<ClassificationMetrics, double> pick)
        {
            var (low, high) = Bootstrap.Interval95(dependent.Count, independent.Count, (a, b) => pick(Of(dependent, a)) - pick(Of(independent, b)), seed, resamples);
            return new Estimate(value, [low, high]);
        }
        return new SplitInflation(architecture, dependentRun, independentRun, Gap(d.Wa - i.Wa, m => m.Wa), Gap(d.Ua - i.Ua, m => m.Ua));
    }
}
