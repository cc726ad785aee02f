using Microsoft.Extensions.Options;
using Ser.Core.Audio;

namespace Ser.Api.Classification;

/// <summary>The memory every upload in flight holds together (bytes received plus decoded samples), within
/// <c>Ser:Audio:MemoryBudgetMiB</c>, and the number decoding at once (<c>Ser:Audio:MaxConcurrentDecodes</c>). Requests
/// reserve before they allocate; one that finds no room waits its turn (first come, first served) for
/// <c>BudgetWaitSeconds</c>, then is refused with 503, so concurrency never multiplies memory.</summary>
public sealed class UploadBudget : IDisposable
{
    // Requests at least this large collect the large-object heap when they end (see Reservation.Dispose).
    private const long LargeRequestBytes = 16L << 20;

    private readonly long _capacity;
    private readonly TimeSpan _wait;
    private readonly Lock _lock = new();
    private readonly LinkedList<(long Bytes, TaskCompletionSource Granted)> _waiters = new();
    private readonly SemaphoreSlim _decodes;
    private long _used;

    public UploadBudget(IOptions<AudioOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _capacity = (long)options.Value.MemoryBudgetMiB << 20;
        _wait = TimeSpan.FromSeconds(options.Value.BudgetWaitSeconds);
        _decodes = new SemaphoreSlim(options.Value.MaxConcurrentDecodes);
    }

    /// <summary>Bytes reserved now (for /metrics and tests).</summary>
    public long Used
    {
        get
        {
            lock (_lock) return _used;
        }
    }

    public long Capacity => _capacity;

    /// <summary>A reservation of nothing yet, grown as the request allocates; dispose it when the request is done.</summary>
    public Reservation Open() => new(this);

    /// <summary>Holds one of the decode slots until disposed.</summary>
    /// <exception cref="UploadException">503 when no slot frees up in time.</exception>
    public async Task<IDisposable> DecodeSlotAsync(CancellationToken cancellationToken)
    {
        if (!await _decodes.WaitAsync(_wait, cancellationToken).ConfigureAwait(false)) throw Busy();
        return new Slot(_decodes);
    }

    private async Task TakeAsync(long bytes, long held, CancellationToken cancellationToken)
    {
        if (held + bytes > _capacity)
            throw new UploadException(StatusCodes.Status413PayloadTooLarge,
                $"This upload needs {(held + bytes) >> 20} MiB to decode, more than the service's memory budget of {_capacity >> 20} MiB (Ser:Audio:MemoryBudgetMiB).");
        TaskCompletionSource granted;
        LinkedListNode<(long, TaskCompletionSource)> node;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _used + bytes <= _capacity)
            {
                _used += bytes;
                return;
            }
            granted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast((bytes, granted));
        }
        try
        {
            await granted.Task.WaitAsync(_wait, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null) _waiters.Remove(node);
                else _used -= bytes; // granted just as the wait ended: give it back
                Grant();
            }
            if (e is TimeoutException) throw Busy();
            throw;
        }
    }

    private void Give(long bytes)
    {
        if (bytes == 0) return;
        lock (_lock)
        {
            _used -= bytes;
            Grant();
        }
    }

    // In arrival order, so a large request is not starved by a stream of small ones.
    private void Grant()
    {
        while (_waiters.First is { } first && _used + first.Value.Bytes <= _capacity)
        {
            _used += first.Value.Bytes;
            _waiters.RemoveFirst();
            first.Value.Granted.TrySetResult();
        }
    }

    private static UploadException Busy() =>
        new(StatusCodes.Status503ServiceUnavailable, "The service is decoding as much audio as its memory budget allows; retry shortly.", retryAfterSeconds: 2);

    public void Dispose() => _decodes.Dispose();

    /// <summary>What one request holds; grows as it reads and decodes, given back on dispose.</summary>
    public sealed class Reservation(UploadBudget budget) : IDisposable
    {
        private long _bytes;

        public long Bytes => _bytes;

        /// <exception cref="UploadException">413 over the whole budget, 503 when no room frees up in time.</exception>
        public async Task GrowAsync(long bytes, CancellationToken cancellationToken)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(bytes);
            await budget.TakeAsync(bytes, _bytes, cancellationToken).ConfigureAwait(false);
            _bytes += bytes;
        }

        public void Shrink(long bytes)
        {
            bytes = Math.Min(bytes, _bytes);
            _bytes -= bytes;
            budget.Give(bytes);
        }

        public void Dispose()
        {
            var large = _bytes >= LargeRequestBytes;
            Shrink(_bytes);
            // A large request leaves its buffers (and its windows' copies) on the large-object heap, which the GC
            // otherwise frees only when it next collects gen 2: without this, released budget is not released memory.
            if (large) GC.Collect(2, GCCollectionMode.Forced, blocking: false);
        }
    }

    private sealed class Slot(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) semaphore.Release();
        }
    }
}
