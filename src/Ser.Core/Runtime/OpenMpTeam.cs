using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>Runs a parallel loop of Ser's own kernels on libtorch's OpenMP threads, the ones its operators use. Between
/// operators those threads spin ~5 ms before they sleep (libgomp), so a kernel on .NET's thread pool right after a
/// libtorch operator shares a core with a spinning thread and runs at half speed on two cores (AMD Zen 5: a 149 × 768
/// × 3072 product at 190 against 400 GFLOP/s). The team is the calling thread's own, of the size its libtorch operators
/// get (<see cref="IntraOpThreads"/>). Where libtorch does not run on libgomp, .NET's pool runs the loop instead.</summary>
public static unsafe class OpenMpTeam
{
    private static readonly delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void> Parallel =
        (delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void>)Export("GOMP_parallel");
    private static readonly delegate* unmanaged<int> ThreadNumber = (delegate* unmanaged<int>)Export("omp_get_thread_num");
    private static readonly delegate* unmanaged<int> TeamSize = (delegate* unmanaged<int>)Export("omp_get_num_threads");

    /// <summary>Whether loops run on libtorch's OpenMP threads (libgomp's entry points found in libtorch).</summary>
    public static bool Supported => Parallel != null && ThreadNumber != null && TeamSize != null;

    /// <summary>Calls <paramref name="body"/>(thread, threads) once on each thread of the calling thread's team, the
    /// calling thread as thread 0, and returns when all have returned. An exception on any thread is rethrown here
    /// (the first, where several threw) once all have returned.</summary>
    public static void Run(Action<int, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!Supported)
        {
            var threads = Math.Max(1, get_num_threads());
            System.Threading.Tasks.Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                thread => body(thread, threads));
            return;
        }
        var loop = new Loop(body);
        var handle = GCHandle.Alloc(loop);
        try
        {
            Parallel(&Enter, (void*)GCHandle.ToIntPtr(handle), 0, 0);
        }
        finally
        {
            handle.Free();
        }
        if (loop.Error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(loop.Error);
    }

    /// <summary>Work of this many elements or more runs on the team (<see cref="RunSized"/>); below it a team costs more
    /// than it saves.</summary>
    public const long TeamElements = 1L << 16;

    /// <summary><paramref name="body"/>(0, 1) on the calling thread for fewer than <see cref="TeamElements"/> elements or
    /// where libtorch has one thread, else <see cref="Run"/>.</summary>
    public static void RunSized(long elements, Action<int, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (elements < TeamElements || get_num_threads() == 1) body(0, 1);
        else Run(body);
    }

    // No exception may leave a method that native code calls: it would end the process.
    [UnmanagedCallersOnly]
    private static void Enter(void* state)
    {
        var loop = (Loop)GCHandle.FromIntPtr((IntPtr)state).Target!;
        try
        {
            loop.Body(ThreadNumber(), TeamSize());
        }
        catch (Exception error)
        {
            Interlocked.CompareExchange(ref loop.Error, error, null);
        }
    }

    private static void* Export(string name) => TorchRuntime.TryGetExport(name, out var address) ? (void*)address : null;

    private sealed class Loop(Action<int, int> body)
    {
        public readonly Action<int, int> Body = body;
        public Exception? Error;
    }
}
