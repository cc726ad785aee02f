using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

public sealed class IntraOpThreadsTests
{
    [Fact]
    public void A_scope_sets_the_calling_threads_count_alone_and_restores_it()
    {
        Assert.True(IntraOpThreads.Supported, "this libtorch has no OpenMP omp_set_num_threads");
        int before = 0, inside = 0, after = 0, otherInside = 0;
        using var entered = new ManualResetEventSlim();
        using var measured = new ManualResetEventSlim();

        var thread = new Thread(() =>
        {
            before = get_num_threads();
            using (IntraOpThreads.Use(before + 3))
            {
                inside = get_num_threads();
                entered.Set();
                measured.Wait();
            }
            after = get_num_threads();
        });
        thread.Start();
        entered.Wait(TestContext.Current.CancellationToken);
        var other = new Thread(() => otherInside = get_num_threads()); // a thread started meanwhile: the process default
        other.Start();
        other.Join();
        measured.Set();
        thread.Join();

        Assert.Equal(before + 3, inside);
        Assert.Equal(before, after);
        Assert.Equal(before, otherInside);
    }
}
