using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

public sealed class MeasuredChoiceTests
{
    [Fact]
    public void A_second_form_that_disagrees_is_never_chosen_however_fast()
    {
        using var x = arange(1000, dtype: ScalarType.Float32);
        Assert.False(MeasuredChoice.Measure(() => Slow(x), () => x * 1.01f));
    }

    [Fact]
    public void A_second_form_that_libtorch_refuses_is_not_chosen()
    {
        using var x = ones(4);
        Assert.False(MeasuredChoice.Measure(() => x.clone(), () => x.view(3)));
    }

    [Fact]
    public void A_faster_agreeing_second_form_is_chosen_and_a_slower_one_is_not()
    {
        using var x = arange(1000, dtype: ScalarType.Float32);
        Assert.True(MeasuredChoice.Measure(() => Slow(x), () => x.clone()));
        Assert.False(MeasuredChoice.Measure(() => x.clone(), () => Slow(x)));
    }

    [Fact]
    public void Each_key_is_measured_once_and_its_choice_kept()
    {
        using var x = ones(4);
        var key = $"test {Guid.NewGuid()}";
        var runs = 0;
        Tensor Counted() { runs++; return x.clone(); }

        var choice = MeasuredChoice.PrefersSecond(key, Counted, () => x.clone());
        var measuredRuns = runs;
        Assert.Equal(choice, MeasuredChoice.PrefersSecond(key, Counted, () => throw new InvalidOperationException("not run again")));

        Assert.Equal(MeasuredChoice.Rounds + 1, measuredRuns);
        Assert.Equal(measuredRuns, runs);
        Assert.Equal(choice, MeasuredChoice.Made[key]);
    }

    [Fact]
    public void Agreement_is_relative_to_the_largest_magnitude_and_NaN_never_agrees()
    {
        using var a = tensor(Values);
        using var close = tensor(Close);
        using var far = tensor(Far);
        using var nan = tensor(WithNaN);
        using var shorter = tensor(Shorter);
        Assert.True(MeasuredChoice.Agree(a, close));
        Assert.False(MeasuredChoice.Agree(a, far));
        Assert.False(MeasuredChoice.Agree(a, nan));
        Assert.False(MeasuredChoice.Agree(a, shorter));
    }

    private static readonly float[] Values = [1000f, 1f], Close = [1000f, 1.5f], Far = [1002f, 1f],
        WithNaN = [1000f, float.NaN], Shorter = [1000f];

    private static Tensor Slow(Tensor x)
    {
        Thread.Sleep(20);
        return x.clone();
    }
}
