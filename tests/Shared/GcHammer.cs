namespace Ser.Tests;

/// <summary>Forces garbage collections and runs finalizers on another thread, without pause, until disposed: the
/// allocation pressure of a busy service, at its worst. Code that lets the GC free a native object still in use
/// (a temporary TorchSharp scalar) fails or computes something else under it.</summary>
internal sealed class GcHammer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _collections;

    // A thread of its own: queued on the thread pool, the loop waited behind other test classes' work and a test once
    // ran its 100 rounds before a single collection (only 0 collections).
    public GcHammer() => _loop = Task.Factory.StartNew(() =>
    {
        while (!_stop.IsCancellationRequested)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Interlocked.Increment(ref _collections);
        }
    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Collections forced so far: a test asserts there were enough to mean something.</summary>
    public int Collections => Volatile.Read(ref _collections);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
