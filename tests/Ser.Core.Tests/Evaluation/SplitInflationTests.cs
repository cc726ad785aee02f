using Ser.Core.Evaluation;

namespace Ser.Core.Tests.Evaluation;

public sealed class SplitInflationTests
{
    // n clips over the six labels, the first `correct` of them predicted right.
    private static ClipPrediction[] Predictions(int n, int correct) => Enumerable.Range(0, n)
        .Select(i => new ClipPrediction($"c{i}", i % 6, i < correct ? i % 6 : (i + 1) % 6, new float[6])).ToArray();

    [Fact]
    public void The_gain_is_dependent_minus_independent_with_an_interval_around_it()
    {
        var inflation = SplitInflation.Measure("wav2vec2", "r-dep", Predictions(600, 540), "r-ind", Predictions(400, 240), seed: 5);

        Assert.Equal(0.9 - 0.6, inflation.Wa.Value, 9);
        Assert.InRange(inflation.Wa.Ci95[0], 0.24, 0.3);
        Assert.InRange(inflation.Wa.Ci95[1], 0.3, 0.36);
        Assert.True(inflation.Ua.Ci95[0] > 0, "a 30-point gap on hundreds of clips is not noise");
        Assert.Equal(("wav2vec2", "r-dep", "r-ind"), (inflation.Architecture, inflation.DependentRun, inflation.IndependentRun));
    }

    [Fact]
    public void Equal_accuracy_gives_an_interval_spanning_zero()
    {
        var inflation = SplitInflation.Measure("resnet18", "a", Predictions(300, 150), "b", Predictions(300, 150), seed: 1);

        Assert.Equal(0, inflation.Wa.Value, 9);
        Assert.True(inflation.Wa.Ci95[0] < 0 && inflation.Wa.Ci95[1] > 0);
    }
}
