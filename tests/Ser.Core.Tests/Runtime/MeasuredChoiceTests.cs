using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

public sealed class MeasuredChoiceTests
{
    [Fact]
    public void A_second_form_that_disagrees_is_never_chosen_however_fast()
    {
        using var x = arange(Scalars.OfInteger(0), Scalars.OfInteger(1000), Scalars.OfInteger(1), dtype: ScalarType.Float32);
        Assert.False(MeasuredChoice.Measure(() => x, Slow, t => t.mul(Scalars.Of(1.01))));
    }

    [Fact]
    public void A_second_form_that_libtorch_refuses_is_not_chosen()
    {
        using var x = ones(4);
        Assert.False(MeasuredChoice.Measure(() => x, t => t.clone(), t => t.view(3)));
    }

    [Fact]
    public void A_faster_agreeing_second_form_is_chosen_and_a_slower_one_is_not()
    {
        using var x = arange(Scalars.OfInteger(0), Scalars.OfInteger(1000), Scalars.OfInteger(1), dtype: ScalarType.Float32);
        Assert.True(MeasuredChoice.Measure(() => x, Slow, t => t.clone()));
        Assert.False(MeasuredChoice.Measure(() => x, t => t.clone(), Slow));
    }

    [Fact]
    public void Each_key_is_measured_once_and_its_choice_kept()
    {
        using var x = ones(4);
        var key = $"test {Guid.NewGuid()}";
        var (runs, samples) = (0, 0);
        Tensor Counted(Tensor t) { runs++; return t.clone(); }
        Tensor Sample() { samples++; return x; }

        var choice = MeasuredChoice.PrefersSecond(key, Sample, Counted, t => t.clone());
        var measuredRuns = runs;
        Assert.Equal(choice, MeasuredChoice.PrefersSecond(key, Sample, Counted, _ => throw new InvalidOperationException("not run again")));

        Assert.Equal(MeasuredChoice.Rounds + 1, measuredRuns);
        Assert.Equal(measuredRuns, runs);
        Assert.Equal(1, samples); // built for the measurement only
        Assert.Equal(choice, MeasuredChoice.Made[MeasuredChoice.KeyAt(key, get_num_threads())]);
    }

    [Fact]
    public void A_key_is_measured_again_at_another_thread_count_and_each_count_keeps_its_own_choice()
    {
        using var x = ones(4);
        var key = $"test {Guid.NewGuid()}";
        var runs = 0;
        // The first form slow on two threads, the second on one: a choice that depends on the count.
        Tensor Counted(Tensor t) { runs++; if (get_num_threads() == 2) Thread.Sleep(20); return t.clone(); }
        Tensor Second(Tensor t) { if (get_num_threads() == 1) Thread.Sleep(20); return t.clone(); }

        bool onOne, onTwo;
        using (IntraOpThreads.Use(1)) onOne = MeasuredChoice.PrefersSecond(key, () => x, Counted, Second);
        using (IntraOpThreads.Use(2)) onTwo = MeasuredChoice.PrefersSecond(key, () => x, Counted, Second);
        using (IntraOpThreads.Use(1)) Assert.False(MeasuredChoice.PrefersSecond(key, () => x, Counted, _ => throw new InvalidOperationException("not run again")));

        Assert.False(onOne);
        Assert.True(onTwo);
        Assert.Equal(2 * (MeasuredChoice.Rounds + 1), runs); // measured once per count
        Assert.False(MeasuredChoice.Made[MeasuredChoice.KeyAt(key, 1)]);
        Assert.True(MeasuredChoice.Made[MeasuredChoice.KeyAt(key, 2)]);
    }

    [Fact]
    public void With_a_settle_time_every_timed_run_starts_at_least_that_long_after_the_previous_one_ended()
    {
        using var x = ones(4);
        var settle = TimeSpan.FromMilliseconds(30);
        var (starts, ends) = (new List<long>(), new List<long>());
        Tensor Recorded(Tensor t)
        {
            starts.Add(System.Diagnostics.Stopwatch.GetTimestamp());
            var result = t.clone();
            ends.Add(System.Diagnostics.Stopwatch.GetTimestamp());
            return result;
        }

        MeasuredChoice.Measure(() => x, Recorded, Recorded, settle);

        // Two untimed runs (reference, agreement), then 2 × Rounds timed ones, each after the pause.
        Assert.Equal(2 + (2 * MeasuredChoice.Rounds), starts.Count);
        for (var i = 2; i < starts.Count; i++)
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(ends[i - 1], starts[i]) >= settle, $"run {i} started too soon");
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

    [Fact]
    public void A_sample_repeats_the_first_item_to_the_length_asked()
    {
        using var x = arange(Scalars.OfInteger(0), Scalars.OfInteger(6), Scalars.OfInteger(1), dtype: ScalarType.Float32).reshape(2, 1, 3); // items [0 1 2] and [3 4 5]
        using var sample = MeasuredChoice.FirstItemRepeated(x, 2, 7);
        Assert.Equal([1L, 1, 7], sample.shape);
        Assert.Equal(Repeated, sample.flatten().data<float>().ToArray());
    }

    [Fact]
    public void A_batch_sample_repeats_every_item_to_the_length_asked()
    {
        using var x = arange(Scalars.OfInteger(0), Scalars.OfInteger(6), Scalars.OfInteger(1), dtype: ScalarType.Float32).reshape(2, 1, 3);
        using var sample = MeasuredChoice.Repeated(x, 2, 7);
        Assert.Equal([2L, 1, 7], sample.shape);
        Assert.Equal([.. Repeated, 3f, 4f, 5f, 3f, 4f, 5f, 3f], sample.flatten().data<float>().ToArray());
    }

    private static readonly float[] Repeated = [0f, 1f, 2f, 0f, 1f, 2f, 0f];

    private static readonly float[] Values = [1000f, 1f], Close = [1000f, 1.5f], Far = [1002f, 1f],
        WithNaN = [1000f, float.NaN], Shorter = [1000f];

    private static Tensor Slow(Tensor x)
    {
        Thread.Sleep(20);
        return x.clone();
    }
}
