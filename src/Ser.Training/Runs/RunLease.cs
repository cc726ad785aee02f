using System.Diagnostics;

namespace Ser.Training.Runs;

/// <summary>A held lease on a run, kept alive by a heartbeat until disposed. Owners are "machine:pid:start:id" (one id
/// per acquisition, so two deliveries inside one process exclude each other too), and a restarted process on the same
/// machine can tell that a previous holder is dead without waiting for staleness.</summary>
public sealed class RunLease : IDisposable
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Beat = TimeSpan.FromSeconds(15);
    public static readonly string ThisProcess = $"{Environment.MachineName}:{Environment.ProcessId}:{StartStamp(Environment.ProcessId)}";

    private readonly RunRegistry _registry;
    private readonly string _runId;
    private readonly string _owner;
    private readonly Timer _timer;

    private RunLease(RunRegistry registry, string runId, string owner)
    {
        (_registry, _runId, _owner) = (registry, runId, owner);
        _timer = new Timer(_ => _registry.Heartbeat(_runId, _owner), null, Beat, Beat);
    }

    public string Owner => _owner;

    /// <exception cref="RunLeasedException">A live process already trains this run.</exception>
    public static RunLease Acquire(RunRegistry registry, string runId)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var owner = $"{ThisProcess}:{Guid.NewGuid():N}";
        if (!registry.TryLease(runId, owner, StaleAfter, IsDeadLocalOwner))
            throw new RunLeasedException(runId, registry.Lease(runId)?.Owner ?? "another process");
        return new RunLease(registry, runId, owner);
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
            return (process.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (ArgumentException)
        {
            return "gone";
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _registry.ReleaseLease(_runId, _owner);
    }
}

/// <summary>The run is being trained by another live process.</summary>
public sealed class RunLeasedException(string runId, string owner) : Exception($"Run {runId} is already being trained by {owner}.")
{
    public string RunId => runId;

    public string Owner => owner;
}
