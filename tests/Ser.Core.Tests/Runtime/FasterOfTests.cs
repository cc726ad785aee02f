using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

/// <summary>The chooser on a clock the test moves: each computation advances it by its own cost.</summary>
public sealed class FasterOfTests
{
    private long _now;
    private int _firstCalls;
    private int _secondCalls;

    private FasterOf<string> Chooser() => new(() => _now);

    private Func<Tensor> Costing(long cost, float value, bool first, ScalarType dtype = ScalarType.Float32) => () =>
    {
        _now += cost;
        if (first) _firstCalls++;
        else _secondCalls++;
        return full(4, value, dtype: dtype);
    };

    [Fact]
    public void Trials_run_both_and_return_the_first_then_only_the_faster_runs()
    {
        var chooser = Chooser();
        var first = Costing(10, 1f, first: true);
        var second = Costing(4, 1f, first: false);

        for (var i = 0; i < FasterOf<string>.Trials; i++)
        {
            Assert.Null(chooser.Choice("a"));
            using var result = chooser.Run("a", first, second);
            Assert.Equal(1f, result[0].item<float>());
        }
        Assert.Equal(1, chooser.Choice("a"));
        Assert.Equal((FasterOf<string>.Trials, FasterOf<string>.Trials), (_firstCalls, _secondCalls));

        using var later = chooser.Run("a", first, second);
        Assert.Equal((FasterOf<string>.Trials, FasterOf<string>.Trials + 1), (_firstCalls, _secondCalls));
    }

    [Fact]
    public void The_first_is_kept_when_it_is_as_fast()
    {
        var chooser = Chooser();
        for (var i = 0; i < FasterOf<string>.Trials; i++)
            chooser.Run("a", Costing(5, 1f, first: true), Costing(5, 1f, first: false)).Dispose();

        Assert.Equal(0, chooser.Choice("a"));
    }

    [Fact]
    public void A_faster_second_that_computes_something_else_is_never_kept()
    {
        var chooser = Chooser();
        using var result = chooser.Run("a", Costing(10, 1f, first: true), Costing(1, 1.01f, first: false));

        Assert.Equal(1f, result[0].item<float>());
        Assert.Equal(0, chooser.Choice("a"));
        chooser.Run("a", Costing(10, 1f, first: true), Costing(1, 1.01f, first: false)).Dispose();
        Assert.Equal((2, 1), (_firstCalls, _secondCalls));
    }

    [Fact]
    public void A_second_that_libtorch_refuses_leaves_the_first()
    {
        var chooser = Chooser();
        using var result = chooser.Run("a", Costing(10, 1f, first: true), () => zeros(2, 3).view(7));

        Assert.Equal(1f, result[0].item<float>());
        Assert.Equal(0, chooser.Choice("a"));
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1e-5f, 1)]
    [InlineData(ScalarType.Float32, 1e-3f, 0)]
    [InlineData(ScalarType.BFloat16, 3e-2f, 1)]
    [InlineData(ScalarType.BFloat16, 0.1f, 0)]
    public void Agreement_allows_for_the_precision(ScalarType dtype, float difference, int expected)
    {
        var chooser = Chooser();
        for (var i = 0; i < FasterOf<string>.Trials; i++)
            chooser.Run("a", Costing(10, 1f, first: true, dtype), Costing(1, 1f + difference, first: false, dtype)).Dispose();

        Assert.Equal(expected, chooser.Choice("a"));
    }

    [Fact]
    public void Each_case_is_chosen_on_its_own()
    {
        var chooser = Chooser();
        for (var i = 0; i < FasterOf<string>.Trials; i++)
        {
            chooser.Run("short", Costing(2, 1f, first: true), Costing(3, 1f, first: false)).Dispose();
            chooser.Run("long", Costing(30, 1f, first: true), Costing(20, 1f, first: false)).Dispose();
        }

        Assert.Equal(0, chooser.Choice("short"));
        Assert.Equal(1, chooser.Choice("long"));
        Assert.Null(chooser.Choice("other"));
    }
}
