namespace Ser.Core.Evaluation;

/// <summary>Expected calibration error: clips binned by confidence (top probability) into equal-width bins;
/// the support-weighted mean of |accuracy − mean confidence| over the bins.</summary>
public static class Calibration
{
    public static double ExpectedCalibrationError(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth, int bins = 15)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(truth);
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
        double ece = 0;
        for (var b = 0; b < bins; b++)
            if (count[b] > 0) ece += (double)count[b] / probabilities.Count * Math.Abs(correct[b] / count[b] - confidence[b] / count[b]);
        return ece;
    }
}
