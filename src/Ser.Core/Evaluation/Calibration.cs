namespace Ser.Core.Evaluation;

/// <summary>Expected calibration error and the reliability diagram behind it: clips binned by confidence (top
/// probability) into equal-width bins; ECE is the support-weighted mean of |accuracy − mean confidence| over the bins.</summary>
public static class Calibration
{
    public const int DefaultBins = 15;

    public static double ExpectedCalibrationError(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth, int bins = DefaultBins)
    {
        var diagram = Reliability(probabilities, truth, bins);
        var total = diagram.Sum(b => b.Count);
        return total == 0 ? 0 : diagram.Sum(b => (double)b.Count / total * Math.Abs(b.Accuracy - b.Confidence));
    }

    /// <summary>Every bin, empty ones included (count 0), so diagrams of two models line up.</summary>
    public static IReadOnlyList<ReliabilityBin> Reliability(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth, int bins = DefaultBins)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var count = new int[bins];
        var confidence = new double[bins];
        var correct = new double[bins];
        for (var i = 0; i < probabilities.Count; i++)
        {
            var p = probabilities[i];
            var top = Array.IndexOf(p, p.Max());
            var bin = Math.Min(bins - 1, (int)(p[top] * bins));
            count[bin]++;
            confidence[bin] += p[top];
            correct[bin] += top == truth[i] ? 1 : 0;
        }
        return Enumerable.Range(0, bins).Select(b => new ReliabilityBin(Math.Round((double)b / bins, 6), Math.Round((double)(b + 1) / bins, 6), count[b],
            count[b] == 0 ? 0 : confidence[b] / count[b], count[b] == 0 ? 0 : correct[b] / count[b])).ToArray();
    }
}
