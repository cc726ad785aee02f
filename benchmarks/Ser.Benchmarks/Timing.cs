using System.Diagnostics;

namespace Ser.Benchmarks;

internal static class Timing
{
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
}
