using Ser.Core.Data.CremaD;
using Ser.Core.Data;
using Ser.Core.Evaluation;
using Ser.Core.Models;

namespace Ser.Core.Tests.Evaluation;

public class MetricsTests
{
    private static readonly string[] Three = ["a", "b", "c"];

    [Fact]
    public void Metrics_match_a_hand_computed_case_with_a_class_never_predicted()
    {
        // truth:     a a a a b b c c
        // predicted: a a a b b a a a   → class c is never predicted
        int[] truth = [0, 0, 0, 0, 1, 1, 2, 2];
        int[] predicted = [0, 0, 0, 1, 1, 0, 0, 0];

        var m = ClassificationMetrics.Compute(truth, predicted, Three);

        Assert.Equal(4.0 / 8, m.Wa, 12);                               // 3 + 1 correct of 8
        Assert.Equal((3.0 / 4 + 1.0 / 2 + 0) / 3, m.Ua, 12);           // recalls .75, .5, 0
        // precision a = 3/6, b = 1/2, c = 0 (never predicted); F1 a = 2·.5·.75/1.25 = .6, b = .5, c = 0
        Assert.Equal((0.6 + 0.5 + 0) / 3, m.MacroF1, 12);
        Assert.Equal(0, m.PerClass[2].Precision);
        Assert.Equal(2, m.PerClass[2].Support);
        Assert.Equal([[3, 1, 0], [1, 1, 0], [2, 0, 0]], m.Confusion);
    }

    [Fact]
    public void Ua_ignores_classes_absent_from_the_truth()
    {
        var m = ClassificationMetrics.Compute([0, 0, 1], [0, 0, 1], Three);

        Assert.Equal(1.0, m.Ua);
        Assert.Equal(1.0, m.MacroF1);
    }

    [Fact]
    public void Ece_is_zero_when_confidence_equals_accuracy_and_measures_overconfidence()
    {
        var calibrated = Calibration.ExpectedCalibrationError([[0.5f, 0.5f], [0.5f, 0.5f]], [0, 1]);
        var overconfident = Calibration.ExpectedCalibrationError([[0.9f, 0.1f], [0.9f, 0.1f]], [0, 1]);

        Assert.Equal(0, calibrated, 6);
        Assert.Equal(0.4, overconfident, 6);
    }

    [Fact]
    public void McNemar_counts_discordant_pairs_and_gives_the_exact_binomial_p()
    {
        bool[] a = [true, true, true, true, true, false, true, true];
        bool[] b = [false, false, false, false, true, true, true, false];

        var test = McNemar.Test(a, b);

        Assert.Equal((5, 1), (test.B, test.C));
        Assert.Equal(2 * (1 + 6) / 64.0, test.PValue, 12); // 2·P(X ≤ 1), X ~ Bin(6, ½)
        Assert.Equal(1.0, McNemar.Test(a, a).PValue);
    }

    [Fact]
    public void Bootstrap_intervals_contain_the_estimate_and_repeat_with_the_seed()
    {
        var correct = Enumerable.Range(0, 200).Select(i => i % 4 != 0).ToArray();
        double Accuracy(int[] idx) => idx.Count(i => correct[i]) / (double)idx.Length;

        var first = Bootstrap.Interval95(200, Accuracy, seed: 9);
        var second = Bootstrap.Interval95(200, Accuracy, seed: 9);

        Assert.Equal(first, second);
        Assert.InRange(0.75, first.Low, first.High);
        Assert.InRange(first.High - first.Low, 0.05, 0.2);
    }

    [Fact]
    public void The_human_baseline_on_all_of_cremad_is_41_6_percent_wa_and_42_9_percent_ua()
    {
        var predictions = CremaDMetadata.Votes.Select(v =>
        {
            var truth = CremaDFileName.TryParse(v.Key, out _)!.Label;
            return new ClipPrediction(v.Key, truth, truth, OneHot(truth), CrowdLabels: v.Value.Labels);
        }).ToArray();

        var report = Evaluator.Evaluate(predictions, seed: 1, resamples: 50);

        Assert.NotNull(report.Human);
        Assert.Equal(0.416, report.Human.Wa, 3);
        Assert.Equal(0.429, report.Human.Ua, 3);
        Assert.Equal(7442, report.Human.Clips);
        Assert.Null(report.HumanAbsentReason);
    }

    [Fact]
    public void Without_crowd_votes_the_human_baseline_is_absent_with_a_reason_and_groups_are_reported()
    {
        var predictions = Enumerable.Range(0, 60).Select(i => new ClipPrediction($"c{i}", i % 6, (i % 7) % 6, OneHot((i % 7) % 6),
            i % 2 == 0 ? "female" : "male", i % 3 == 0 ? "HI" : "XX")).ToArray();

        var report = Evaluator.Evaluate(predictions, seed: 1, resamples: 50);

        Assert.Null(report.Human);
        Assert.Contains("CREMA-D's own recordings", report.HumanAbsentReason, StringComparison.Ordinal);
        Assert.Equal(["female", "male"], report.BySex.Keys);
        Assert.Equal(30, report.BySex["female"].Clips);
        Assert.Equal(["HI", "XX"], report.ByIntensity.Keys);
        Assert.InRange(report.Wa.Value, report.Wa.Ci95[0], report.Wa.Ci95[1]);
    }

    private static float[] OneHot(int label)
    {
        var p = new float[EmotionLabels.Count];
        p[label] = 1;
        return p;
    }
}
