using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ser.Training.Storage;

namespace Ser.Training.Runs;

/// <summary>A held lease on a run, kept alive by a heartbeat until disposed. Owners are "machine:pid:start:id" (one id
/// per acquisition, so two deliveries inside one process exclude each other too), and a restarted process on the same
/// machine can tell that a previous holder is dead without waiting for staleness. When the heartbeat finds the lease
/// taken over, or cannot reach the registry for nearly <see cref="StaleAfter"/> (after which another process may take
/// it), the lease is lost: the holder checks <see cref="ThrowIfLost"/> at each step and stops.</summary>
public sealed class RunLease : IDisposable
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan Beat = TimeSpan.FromSeconds(15);
    public static readonly string ThisProcess = $"{Environment.MachineName}:{Environment.ProcessId}:{StartStamp(Environment.ProcessId)}";

    private readonly RunRegistry _registry;
    private readonly string _runId;
    private readonly string _owner;
    private readonly TimeSpan _beat;
    private readonly TimeSpan _staleAfter;
    private readonly ILogger _logger;
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private long _provenAt = Environment.TickCount64;
    private string? _lost;
    private bool _disposed;

    private RunLease(RunRegistry registry, string runId, string owner, TimeSpan beat, TimeSpan staleAfter, ILogger logger)
    {
        (_registry, _runId, _owner, _beat, _staleAfter, _logger) = (registry, runId, owner, beat, staleAfter, logger);
        // One-shot, re-armed after each beat: a slow beat (a busy database) never overlaps the next.
        _timer = new Timer(_ => OnBeat(), null, beat, Timeout.InfiniteTimeSpan);
    }

    public string Owner => _owner;

    /// <summary>Why the lease was lost, or null while it is held.</summary>
    public string? LostReason => Volatile.Read(ref _lost);

    /// <exception cref="RunLeaseLostException">The lease was lost: stop without writing anything of the run.</exception>
    public void ThrowIfLost()
    {
        if (LostReason is { } reason) throw new RunLeaseLostException(_runId, reason);
    }

    /// <param name="beat">How often the heartbeat renews the lease (default <see cref="Beat"/>).</param>
    /// <param name="staleAfter">The staleness every process applies (default <see cref="StaleAfter"/>).</param>
    /// <exception cref="RunLeasedException">A live process already trains this run.</exception>
    public static RunLease Acquire(RunRegistry registry, string runId, TimeSpan? beat = null, TimeSpan? staleAfter = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var owner = $"{ThisProcess}:{Guid.NewGuid():N}";
        var stale = staleAfter ?? StaleAfter;
        if (!registry.TryLease(runId, owner, stale, IsDeadLocalOwner))
            throw new RunLeasedException(runId, registry.Lease(runId)?.Owner ?? "another process");
        return new RunLease(registry, runId, owner, beat ?? Beat, stale, logger ?? NullLogger.Instance);
    }

    // A timer callback must never throw: an unhandled exception there ends the whole process.
    private void OnBeat()
    {
        try
        {
            Renew();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Run {RunId}: the lease heartbeat failed unexpectedly: {Message}", _runId, e.Message);
        }
        lock (_gate)
        {
            if (!_disposed && LostReason is null) _timer.Change(_beat, Timeout.InfiniteTimeSpan);
        }
    }

    private void Renew()
    {
        try
        {
            if (_registry.Heartbeat(_runId, _owner))
            {
                Volatile.Write(ref _provenAt, Environment.TickCount64);
                return;
            }
            Lose("another process took its lease over (this one's heartbeat was stale) or released it");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var unproven = TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _provenAt));
            _logger.LogWarning("Run {RunId}: the lease heartbeat failed ({Message}); last renewed {Seconds:0.0} s ago", _runId, e.Message, unproven.TotalSeconds);
            // Others may take the lease once its heartbeat is older than the stale window: give up before that, with a
            // margin of two beats for the next attempt and its busy wait.
            if (unproven + 2 * _beat >= _staleAfter)
                Lose(string.Create(CultureInfo.InvariantCulture, $"the run registry could not be reached for {unproven.TotalSeconds:0} s ({e.Message})"));
        }
    }

    private void Lose(string reason)
    {
        Volatile.Write(ref _lost, reason);
        _logger.LogError("Run {RunId}: lease lost: {Reason}; the run stops at its next step and keeps its last checkpoint", _runId, reason);
    }

    /// <summary>True when the owner ran on this machine and that process is gone (or the pid now belongs to another process).</summary>
    public static bool IsDeadLocalOwner(string owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var parts = owner.Split(':');
        if (parts.Length < 3 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], out var pid)) return false;
        return StartStamp(pid) != parts[2];
    }

    /// <summary>When a process started, as the kernel counts it (clock ticks since boot, <c>/proc/{pid}/stat</c> field 22):
    /// the same for every reader. <see cref="Process.StartTime"/> is not: .NET derives it from the reader's own clock,
    /// and two processes disagree by about a millisecond, which made a live owner look dead. "gone" when there is no
    /// such process.</summary>
    public static string StartStamp(int pid)
    {
        if (!OperatingSystem.IsLinux()) return ProcessStartSeconds(pid);
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, starttime 22.
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return "gone";
        }
    }

    // Elsewhere: .NET's start time, rounded to seconds so readers' clock differences do not count.
    private static string ProcessStartSeconds(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return (process.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture);
        }
        catch (ArgumentException)
        {
            return "gone";
        }
    }

    /// <summary>Stops the heartbeat and releases the lease. Storage errors are logged, not thrown: the lease then goes
    /// stale and is taken over.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _timer.Dispose();
        }
        try
        {
            _registry.ReleaseLease(_runId, _owner);
        }
        catch (Exception e) when (StorageFaults.IsUnavailable(e))
        {
            _logger.LogWarning("Run {RunId}: could not release the lease ({Message}); it expires after {Seconds:0} s", _runId, e.Message, _staleAfter.TotalSeconds);
        }
    }
}
