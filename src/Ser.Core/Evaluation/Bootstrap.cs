using Ser.Core.Data;

namespace Ser.Core.Evaluation;

/// <summary>Percentile bootstrap confidence intervals over clips (seeded, so reports are reproducible).</summary>
public static class Bootstrap
{
    /// <summary>The 95 % interval of <paramref name="statistic"/> over <paramref name="resamples"/> resamples of the indices.</summary>
    public static (double Low, double High) Interval95(int count, Func<int[], double> statistic, long seed, int resamples = 1000)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        if (count == 0) return (0, 0);
        var random = new DeterministicRandom(seed);
        var values = new double[resamples];
        var indices = new int[count];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < count; i++) indices[i] = random.Next(count);
            values[r] = statistic(indices);
        }
        return Interval(values);
    }

    /// <summary>The 95 % interval of a statistic of two independent samples, each resampled on its own (e.g. the
    /// difference between two models' accuracies on different test sets).</summary>
    public static (double Low, double High) Interval95(int countA, int countB, Func<int[], int[], double> statistic, long seed, int resamples = 1000)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        if (countA == 0 || countB == 0) return (0, 0);
        var random = new DeterministicRandom(seed);
        var values = new double[resamples];
        var (a, b) = (new int[countA], new int[countB]);
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < countA; i++) a[i] = random.Next(countA);
            for (var i = 0; i < countB; i++) b[i] = random.Next(countB);
            values[r] = statistic(a, b);
        }
        return Interval(values);
    }

    private static (double, double) Interval(double[] values)
    {
        Array.Sort(values);
        return (Percentile(values, 0.025), Percentile(values, 0.975));
    }

    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(sorted.Length - 1, low + 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
