namespace Ser.Api.Models;

/// <summary>One forward pass over 2 s of audio, timed after the model's warm-up on one thread and on all
/// <paramref name="Threads"/> of libtorch's: how the service shares the threads among the served models
/// (<see cref="Classification.PassThreadShares"/>).</summary>
public sealed record PassCost(TimeSpan OneThread, TimeSpan AllThreads, int Threads)
{
    /// <summary>Estimated time of the pass on <paramref name="threads"/> threads: its speed-up interpolated linearly
    /// between the two measured counts.</summary>
    public double Seconds(int threads)
    {
        if (Threads <= 1 || threads <= 1) return OneThread.TotalSeconds;
        var speedUp = OneThread.TotalSeconds / AllThreads.TotalSeconds;
        return OneThread.TotalSeconds / (1 + ((Math.Min(threads, Threads) - 1) * (speedUp - 1) / (Threads - 1)));
    }
}
