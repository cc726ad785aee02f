using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Ser.Training.Runs;
using Ser.Training.Storage;
using Ser.Tests;

namespace Ser.Training.Tests.Runs;

/// <summary>The lease heartbeat runs on a timer thread, where an exception would end the process: storage errors are
/// logged, and a lease that can no longer be proven is marked lost for the training loop to see.</summary>
public sealed class RunLeaseTests : IDisposable
{
    private static readonly TimeSpan ShortBeat = TimeSpan.FromMilliseconds(100);
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-lease-").FullName;

    private string Database => Path.Combine(_temp, "registry.db");

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task A_heartbeat_that_cannot_reach_a_locked_registry_logs_and_loses_the_lease_after_the_stale_window_without_throwing()
    {
        var registry = new RunRegistry(SqlDatabase.Sqlite(Database, TimeSpan.FromMilliseconds(50)));
        var log = new ListLogger();
        var lease = RunLease.Acquire(registry, "r-1", ShortBeat, staleAfter: TimeSpan.FromSeconds(2), log);
        var acquired = registry.Lease("r-1")!.Value.Heartbeat;
        await WaitUntil(() => registry.Lease("r-1")!.Value.Heartbeat > acquired);
        Assert.Null(lease.LostReason); // renewed while the registry answers

        using (var locker = LockExclusively(Database))
        {
            // Before the fix the first failed beat threw "database is locked" on the timer thread and ended this process.
            await WaitUntil(() => lease.LostReason is not null);
            lease.Dispose(); // releasing cannot reach the registry either: logged, not thrown
        }

        var lost = Assert.Throws<RunLeaseLostException>(lease.ThrowIfLost);
        Assert.Equal("r-1", lost.RunId);
        Assert.Contains("could not be reached", lost.Reason, StringComparison.Ordinal);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("heartbeat failed", StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("could not release", StringComparison.Ordinal));
        Assert.Equal(lease.Owner, registry.Lease("r-1")!.Value.Owner); // left to go stale, then to be taken over
    }

    [Fact]
    public async Task A_lease_taken_over_by_another_process_is_lost_at_the_next_beat_and_the_new_holder_keeps_it()
    {
        var registry = new RunRegistry(Database);
        using var lease = RunLease.Acquire(registry, "r-2", ShortBeat, staleAfter: TimeSpan.FromMinutes(1));
        // As when this process stalled past the stale window and a second delivery took the run.
        Assert.True(registry.TryLease("r-2", "other-host:1:1:x", TimeSpan.FromSeconds(-1)));

        await WaitUntil(() => lease.LostReason is not null);
        lease.Dispose();

        Assert.Contains("another process took", lease.LostReason, StringComparison.Ordinal);
        Assert.Throws<RunLeaseLostException>(lease.ThrowIfLost);
        Assert.Equal("other-host:1:1:x", registry.Lease("r-2")!.Value.Owner);
    }

    /// <summary>What another process's <c>BEGIN EXCLUSIVE</c> does: writers wait and then fail with SQLITE_BUSY.</summary>
    internal static SqliteConnection LockExclusively(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN EXCLUSIVE;";
        command.ExecuteNonQuery();
        return connection;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not come true within a minute.");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
