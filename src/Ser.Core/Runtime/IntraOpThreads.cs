using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>libtorch's intra-op threads for the calling thread alone. <c>torch.set_num_threads</c> is process-wide (it
/// also sets what threads that start later take); OpenMP keeps the count per thread, and that is what libtorch's and
/// oneDNN's parallel loops read. A thread's count changes the last bits of some models' outputs (resnet18: 6e-8), so
/// callers that must repeat their results keep it fixed.</summary>
public static class IntraOpThreads
{
    private static readonly IntPtr SetForThread = TorchRuntime.TryGetExport("omp_set_num_threads", out var address) ? address : IntPtr.Zero;

    /// <summary>Whether this libtorch runs its parallel loops on OpenMP, whose per-thread count this sets.</summary>
    public static bool Supported => SetForThread != IntPtr.Zero;

    /// <summary>The calling thread's libtorch operations run on <paramref name="threads"/> threads until the scope is
    /// disposed (on the same thread); a no-op where not <see cref="Supported"/>.</summary>
    public static Scope Use(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        if (!Supported) return default;
        // Also libtorch's first-use initialisation of this thread's count, which would otherwise overwrite ours.
        var previous = get_num_threads();
        Set(threads);
        return new Scope(previous);
    }

    private static unsafe void Set(int threads) => ((delegate* unmanaged<int, void>)SetForThread)(threads);

    /// <summary>Restores the thread's previous count.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly int _previous;

        internal Scope(int previous) => _previous = previous;

        public void Dispose()
        {
            if (_previous > 0) Set(_previous);
        }
    }
}
