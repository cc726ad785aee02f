using System.Diagnostics;

namespace Ser.Benchmarks;

internal static class Timing
{
    private const int SettleMs = 50;

    /// <summary>Median wall time of <paramref name="repeats"/> calls after two warm-up calls (allocator, oneDNN caches).</summary>
    public static double MedianMs(Action action, int repeats)
    {
        action();
        action();
        var times = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    /// <summary>Times each action <paramref name="repeats"/> times, taking turns (after two warm-up calls each):
    /// result[a][i] is action a's i-th time in ms. A pause before each call lets the previous one's idle worker threads
    /// stop spinning (ONNX Runtime's and OpenMP's spin for a while after each call and would slow the next one). Each
    /// turn starts one action later than the one before, so no action always follows the same other one (whose
    /// weights it finds in the cache, or whose threads it finds awake).</summary>
    public static double[][] InTurns(IReadOnlyList<Action> actions, int repeats)
    {
        foreach (var action in actions)
        {
            action();
            action();
        }
        var times = actions.Select(_ => new double[repeats]).ToArray();
        for (var i = 0; i < repeats; i++)
            for (var k = 0; k < actions.Count; k++)
            {
                var a = (i + k) % actions.Count;
                Thread.Sleep(SettleMs);
                var watch = Stopwatch.StartNew();
                actions[a]();
                times[a][i] = watch.Elapsed.TotalMilliseconds;
            }
        return times;
    }

    /// <summary>First quartile, median and third quartile (nearest rank): how far per-turn ratios spread on a noisy machine.</summary>
    public static (double Low, double Median, double High) Quartiles(double[] values)
    {
        var sorted = values.Order().ToArray();
        return (sorted[(sorted.Length - 1) / 4], Median(values), sorted[sorted.Length - 1 - (sorted.Length - 1) / 4]);
    }

    public static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
