namespace Ser.Core.Evaluation;

/// <summary>Temperature scaling (Guo et al., 2017): one scalar T divides the logits, softmax(z / T). It keeps every
/// clip's ranking of labels (accuracy is unchanged) and only makes confidences honest. Works from probabilities:
/// log p is the logits up to a per-clip constant, which softmax ignores.</summary>
public static class TemperatureScaling
{
    /// <summary>Probabilities this small count as this small: log 0 would make one clip's loss infinite.</summary>
    private const double Floor = 1e-30;

    /// <summary>softmax(log p / T); labels with probability 0 (a checkpoint's unsupported labels) stay 0.</summary>
    public static float[] Apply(IReadOnlyList<float> probabilities, double temperature)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (!(temperature > 0) || double.IsInfinity(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Must be positive and finite.");
        var z = new double[probabilities.Count];
        var max = double.NegativeInfinity;
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = probabilities[i] > 0 ? Math.Log(Math.Max(probabilities[i], Floor)) / temperature : double.NegativeInfinity;
            max = Math.Max(max, z[i]);
        }
        if (double.IsNegativeInfinity(max)) return probabilities.ToArray(); // nothing to scale (no positive probability)
        double sum = 0;
        for (var i = 0; i < z.Length; i++) sum += z[i] = double.IsNegativeInfinity(z[i]) ? 0 : Math.Exp(z[i] - max);
        return z.Select(v => (float)(v / sum)).ToArray();
    }

    /// <summary>Mean negative log-likelihood of the true labels after scaling by <paramref name="temperature"/>.</summary>
    public static double NegativeLogLikelihood(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth, double temperature)
    {
        Check(probabilities, truth);
        if (probabilities.Count == 0) return 0;
        double total = 0;
        for (var i = 0; i < probabilities.Count; i++)
        {
            var p = probabilities[i];
            var beta = 1 / temperature;
            var logs = p.Select(v => v > 0 ? beta * Math.Log(Math.Max(v, Floor)) : double.NegativeInfinity).ToArray();
            var max = logs.Max();
            var logSum = max + Math.Log(logs.Sum(l => double.IsNegativeInfinity(l) ? 0 : Math.Exp(l - max)));
            total += logSum - (double.IsNegativeInfinity(logs[truth[i]]) ? beta * Math.Log(Floor) : logs[truth[i]]);
        }
        return total / probabilities.Count;
    }

    /// <summary>The temperature that minimises the NLL of <paramref name="truth"/> (golden-section search over 1/T in
    /// [0.05, 20], where the NLL is convex). 1 when there are no clips to fit on.</summary>
    public static double Fit(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth)
    {
        Check(probabilities, truth);
        if (probabilities.Count == 0) return 1;
        var ratio = (Math.Sqrt(5) - 1) / 2;
        double lo = 0.05, hi = 20;
        double a = lo + (1 - ratio) * (hi - lo), b = lo + ratio * (hi - lo);
        double Loss(double beta) => NegativeLogLikelihood(probabilities, truth, 1 / beta);
        double fa = Loss(a), fb = Loss(b);
        while (hi - lo > 1e-4)
        {
            if (fa <= fb)
            {
                (hi, b, fb) = (b, a, fa);
                a = lo + (1 - ratio) * (hi - lo);
                fa = Loss(a);
            }
            else
            {
                (lo, a, fa) = (a, b, fb);
                b = lo + ratio * (hi - lo);
                fb = Loss(b);
            }
        }
        return Math.Round(1 / ((lo + hi) / 2), 4);
    }

    private static void Check(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(truth);
        if (probabilities.Count != truth.Count) throw new ArgumentException($"{probabilities.Count} predictions but {truth.Count} labels.", nameof(truth));
    }
}
