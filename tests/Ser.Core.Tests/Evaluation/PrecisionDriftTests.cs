using Ser.Core.Evaluation;

namespace Ser.Core.Tests.Evaluation;

public sealed class PrecisionDriftTests
{
    [Fact]
    public void Drift_is_the_mean_and_largest_probability_difference_and_the_top_label_agreement()
    {
        float[][] float32 = [[0.7f, 0.2f, 0.1f], [0.4f, 0.35f, 0.25f]];
        float[][] bf16 = [[0.68f, 0.22f, 0.1f], [0.34f, 0.41f, 0.25f]];

        var drift = PrecisionDrift.Measure("BFloat16", float32, bf16, "cpu", "amx");

        Assert.Equal(2, drift.Clips);
        Assert.Equal((0.02 + 0.02 + 0 + 0.06 + 0.06 + 0) / 6, drift.MeanAbsDiff, 6);
        Assert.Equal(0.06, drift.MaxAbsDiff, 6);
        Assert.Equal(0.5, drift.TopLabelAgreement); // the second clip's top label flips
        Assert.Equal("amx", drift.Kernels);
    }

    [Fact]
    public void Lists_of_different_lengths_are_refused()
    {
        float[][] one = [[1f, 0f]];
        Assert.Throws<ArgumentException>(() => PrecisionDrift.Measure("BFloat16", one, [], "cpu", "amx"));
        Assert.Throws<ArgumentException>(() => PrecisionDrift.Measure("BFloat16", one, [[1f]], "cpu", "amx"));
    }
}
