using Ser.Api.Classification;
using Ser.Api.Models;

namespace Ser.Api.Tests.Classification;

/// <summary>libtorch's threads shared among the served models by their measured pass costs.</summary>
public sealed class PassThreadSharesTests
{
    private static (string, PassCost?) Model(string architecture, double oneThreadMs, double allThreadsMs, int threads) =>
        (architecture, new PassCost(TimeSpan.FromMilliseconds(oneThreadMs), TimeSpan.FromMilliseconds(allThreadsMs), threads));

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    public void A_model_served_alone_takes_every_thread(int threads) =>
        Assert.Equal(threads, PassThreadShares.For("wav2vec2", [Model("wav2vec2", 3.4, 3.5, threads)], threads));

    public static TheoryData<string, (string, PassCost?)[], int, int, int> Cases => new()
    {
        // wav2vec2-base and resnet18 as measured on 2 cores (AMD EPYC Zen 5): the costly one takes every thread.
        { "base models, 2 threads", [Model("wav2vec2", 170.7, 93.4, 2), Model("resnet18", 12.6, 13.8, 2)], 2, 2, 1 },
        { "base models, 16 threads", [Model("wav2vec2", 170.7, 20, 16), Model("resnet18", 12.6, 3, 16)], 16, 16, 1 },
        // The tiny presets as measured on 2 cores: a 2 s clip is no faster on two threads.
        { "tiny presets", [Model("wav2vec2", 3.4, 3.5, 2), Model("resnet18", 2.4, 2.2, 2)], 2, 1, 1 },
        { "costly but no faster on more threads", [Model("wav2vec2", 170, 165, 8), Model("resnet18", 12, 12, 8)], 8, 4, 4 },
        { "scaling, but the other costs nearly as much", [Model("wav2vec2", 100, 25, 8), Model("resnet18", 60, 15, 8)], 8, 4, 4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Threads_go_to_a_model_that_costs_far_more_and_scales_else_evenly(string what, (string, PassCost?)[] served, int threads,
        int wav2vec2, int resnet18)
    {
        Assert.NotEmpty(what);
        Assert.Equal((wav2vec2, resnet18), (PassThreadShares.For("wav2vec2", served, threads), PassThreadShares.For("resnet18", served, threads)));
    }

    [Fact]
    public void Without_a_cost_for_every_model_the_share_is_even()
    {
        (string, PassCost?)[] served = [Model("wav2vec2", 170.7, 93.4, 8), ("resnet18", null)];
        (string, PassCost?)[] zero = [Model("wav2vec2", 0, 0, 8), Model("resnet18", 12, 12, 8)];

        Assert.Equal(4, PassThreadShares.For("wav2vec2", served, 8));
        Assert.Equal(4, PassThreadShares.For("resnet18", served, 8));
        Assert.Equal(4, PassThreadShares.For("wav2vec2", zero, 8));
        Assert.Equal(1, PassThreadShares.For("resnet18", served, 1));
    }

    [Fact]
    public void A_pass_on_fewer_threads_than_measured_takes_its_interpolated_speed_up()
    {
        var cost = new PassCost(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(25), 5); // 4x on 5 threads

        Assert.Equal(0.100, cost.Seconds(1), 9);
        Assert.Equal(0.040, cost.Seconds(3), 9); // 2.5x
        Assert.Equal(0.025, cost.Seconds(5), 9);
        Assert.Equal(0.025, cost.Seconds(8), 9); // no more than measured
    }

    [Fact]
    public void An_idle_loop_helps_only_models_on_its_own_share()
    {
        var even = new Dictionary<string, int> { ["wav2vec2"] = 1, ["resnet18"] = 1 };
        var dominant = new Dictionary<string, int> { ["wav2vec2"] = 2, ["resnet18"] = 1 };
        var alone = new Dictionary<string, int> { ["wav2vec2"] = 2 };

        Assert.Equal(["wav2vec2"], PassThreadShares.HelpedBy("resnet18", even));
        Assert.Equal(["resnet18"], PassThreadShares.HelpedBy("wav2vec2", even));
        Assert.Empty(PassThreadShares.HelpedBy("resnet18", dominant)); // wav2vec2 on every thread beside it would oversubscribe
        Assert.Empty(PassThreadShares.HelpedBy("wav2vec2", dominant));
        Assert.Empty(PassThreadShares.HelpedBy("resnet18", alone)); // its loop has no model: wav2vec2 already takes every thread
        Assert.Empty(PassThreadShares.HelpedBy("wav2vec2", alone));
    }
}
