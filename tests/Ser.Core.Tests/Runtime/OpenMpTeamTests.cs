using System.Collections.Concurrent;
using Ser.Core.Runtime;

namespace Ser.Core.Tests.Runtime;

/// <summary>Ser's kernels run their loops on libtorch's OpenMP team of the calling thread.</summary>
public sealed class OpenMpTeamTests
{
    [Fact]
    public void Each_thread_of_the_calling_threads_team_runs_the_body_once()
    {
        Assert.True(OpenMpTeam.Supported, "this libtorch has no libgomp entry points");
        foreach (var size in new[] { 1, 3 })
        {
            var calls = new ConcurrentBag<(int Thread, int Threads, int Managed)>();
            using (IntraOpThreads.Use(size))
                OpenMpTeam.Run((thread, threads) => calls.Add((thread, threads, Environment.CurrentManagedThreadId)));

            Assert.Equal(Enumerable.Range(0, size), calls.Select(c => c.Thread).Order());
            Assert.All(calls, c => Assert.Equal(size, c.Threads));
            Assert.Equal(size, calls.Select(c => c.Managed).Distinct().Count());
            Assert.Equal(Environment.CurrentManagedThreadId, calls.Single(c => c.Thread == 0).Managed);
        }
    }

    [Fact]
    public void An_exception_on_a_team_thread_is_rethrown_to_the_caller_and_the_team_keeps_working()
    {
        using var threads = IntraOpThreads.Use(2);

        var error = Assert.Throws<InvalidDataException>(() => OpenMpTeam.Run((thread, _) =>
        {
            if (thread == 1) throw new InvalidDataException("from thread 1");
        }));
        Assert.Equal("from thread 1", error.Message);

        var ran = 0;
        OpenMpTeam.Run((_, _) => Interlocked.Increment(ref ran));
        Assert.Equal(2, ran);
    }
}
