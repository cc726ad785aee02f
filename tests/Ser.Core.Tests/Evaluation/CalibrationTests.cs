using Ser.Core.Data;
using Ser.Core.Evaluation;
using Ser.Core.Models;
using Ser.Core.Models.Checkpoints;

namespace Ser.Core.Tests.Evaluation;

public sealed class CalibrationTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-calibration-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    // Labels drawn from softmax(z): calibrated by construction. The model reports softmax(z · sharpness) instead.
    private static (float[][] Probabilities, int[] Truth) Overconfident(int clips, double sharpness, int seed)
    {
        var random = new Random(seed);
        var probabilities = new float[clips][];
        var truth = new int[clips];
        for (var i = 0; i < clips; i++)
        {
            var z = Enumerable.Range(0, 6).Select(_ => random.NextDouble() * 3).ToArray();
            var honest = Softmax(z, 1);
            var u = random.NextDouble();
            var label = 0;
            for (var acc = honest[0]; acc < u && label < 5; acc += honest[++label]) { }
            truth[i] = label;
            probabilities[i] = Softmax(z, sharpness).Select(v => (float)v).ToArray();
        }
        return (probabilities, truth);
    }

    private static double[] Softmax(double[] z, double scale)
    {
        var e = z.Select(v => Math.Exp(v * scale - z.Max() * scale)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    [Fact]
    public void The_fitted_temperature_undoes_overconfidence_and_keeps_every_label()
    {
        var (probabilities, truth) = Overconfident(4000, sharpness: 2.5, seed: 1);

        var temperature = TemperatureScaling.Fit(probabilities, truth);
        var calibrated = probabilities.Select(p => TemperatureScaling.Apply(p, temperature)).ToArray();

        Assert.InRange(temperature, 2.2, 2.8);
        Assert.True(TemperatureScaling.NegativeLogLikelihood(probabilities, truth, temperature) < TemperatureScaling.NegativeLogLikelihood(probabilities, truth, 1));
        var before = Calibration.ExpectedCalibrationError(probabilities, truth);
        var after = Calibration.ExpectedCalibrationError(calibrated, truth);
        Assert.True(after < before / 3, $"ECE {before:0.000} → {after:0.000}");
        Assert.Equal(probabilities.Select(p => Array.IndexOf(p, p.Max())), calibrated.Select(p => Array.IndexOf(p, p.Max())));
        Assert.All(calibrated, p => Assert.Equal(1, p.Sum(), 5));
    }

    [Fact]
    public void Underconfidence_gets_a_temperature_below_one()
    {
        var (probabilities, truth) = Overconfident(4000, sharpness: 0.5, seed: 2);

        Assert.InRange(TemperatureScaling.Fit(probabilities, truth), 0.4, 0.6);
    }

    [Fact]
    public void Scaling_keeps_zero_probabilities_at_zero_and_one_is_the_identity()
    {
        float[] p = [0.5f, 0.3f, 0.2f, 0, 0, 0];

        var hot = TemperatureScaling.Apply(p, 4);

        Assert.Equal([0f, 0f, 0f], hot[3..]);
        Assert.True(hot[0] < p[0] && hot[2] > p[2]);
        Assert.Equal(p, TemperatureScaling.Apply(p, 1).Select(v => MathF.Round(v, 6)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureScaling.Apply(p, 0));
        Assert.Equal(new float[6], TemperatureScaling.Apply(new float[6], 2)); // no NaN from an empty vector
        Assert.Equal(1, TemperatureScaling.Fit([], []));
    }

    [Fact]
    public void The_reliability_diagram_has_every_bin_and_its_weighted_gaps_are_the_ece()
    {
        float[][] probabilities = [[0.95f, 0.05f, 0, 0, 0, 0], [0.9f, 0.1f, 0, 0, 0, 0], [0.55f, 0.45f, 0, 0, 0, 0], [0.35f, 0.3f, 0.35f, 0, 0, 0]];
        int[] truth = [0, 1, 0, 0];

        var bins = Calibration.Reliability(probabilities, truth, bins: 10);

        Assert.Equal(10, bins.Count);
        Assert.Equal(2, bins[9].Count);
        Assert.Equal(0.5, bins[9].Accuracy, 9);
        Assert.Equal(0.925, bins[9].Confidence, 6);
        Assert.Equal(1, bins[5].Count);
        Assert.Equal(1, bins[3].Count);
        Assert.Equal((2 * 0.425 + (1 - 0.55) + (1 - 0.35)) / 4, Calibration.ExpectedCalibrationError(probabilities, truth, bins: 10), 6);
    }

    [Fact]
    public void Risk_coverage_answers_the_most_confident_first_and_meets_a_coverage_or_a_risk()
    {
        // Confidence descending: right, right, wrong, right, wrong.
        var curve = new RiskCoverage([(0.9, true), (0.8, true), (0.7, false), (0.6, true), (0.5, false)]);

        Assert.Equal([1, 1, 2.0 / 3, 0.75, 0.6], curve.Curve(5).Select(p => p.Accuracy));
        Assert.Equal((1 + 1 + 2.0 / 3 + 0.75 + 0.6) / 5, 1 - curve.Aurc, 9);
        var half = curve.ForCoverage(0.5);
        Assert.Equal((0.6, 0.7), (half.Coverage, half.Threshold)); // 3 of 5: at least half answered
        var safe = curve.ForRisk(0.25);
        Assert.Equal((0.8, 0.6, 0.75), (safe.Coverage, safe.Threshold, safe.Accuracy));
        Assert.Equal(0.4, curve.ForRisk(0).Coverage);
        var hopeless = new RiskCoverage([(0.9, false), (0.8, true)]).ForRisk(0.1);
        Assert.Equal(0, hopeless.Coverage);
        Assert.True(hopeless.Threshold > 0.9);
        Assert.Throws<ArgumentOutOfRangeException>(() => curve.ForCoverage(0));
        Assert.Throws<InvalidOperationException>(() => new RiskCoverage([]).ForRisk(0.1));
    }

    [Fact]
    public void A_model_calibration_round_trips_through_its_folder_and_a_bad_file_is_refused()
    {
        var (probabilities, truth) = Overconfident(300, sharpness: 2, seed: 3);
        var fitted = ModelCalibration.Fit(probabilities, truth);

        fitted.Save(_temp);
        var loaded = ModelCalibration.TryLoad(_temp)!;

        Assert.Equal(fitted.Temperature, loaded.Temperature);
        Assert.Equal(300, loaded.ValidationClips);
        Assert.Equal(fitted.Confidences, loaded.Confidences);
        Assert.True(loaded.NllAfter <= loaded.NllBefore);
        Assert.Equal(TemperatureScaling.Apply(probabilities[0], fitted.Temperature), loaded.Apply(probabilities[0]));
        Assert.Null(ModelCalibration.TryLoad(Path.Combine(_temp, "elsewhere")));
        File.WriteAllText(Path.Combine(_temp, ModelCalibration.FileName), """{"temperature": -1, "confidences": [], "correct": []}""");
        Assert.Throws<CheckpointException>(() => ModelCalibration.TryLoad(_temp));
        File.WriteAllText(Path.Combine(_temp, ModelCalibration.FileName), "not json");
        Assert.Throws<CheckpointException>(() => ModelCalibration.TryLoad(_temp));
    }

    [Fact]
    public void The_report_shows_test_figures_before_and_after_the_temperature()
    {
        var (probabilities, truth) = Overconfident(2000, sharpness: 3, seed: 4);
        var predictions = probabilities.Select((p, i) => new ClipPrediction($"c{i}", truth[i], Array.IndexOf(p, p.Max()), p)).ToArray();

        var report = CalibrationReport.Build(3, 500, predictions);

        Assert.True(report.EceAfter < report.EceBefore);
        Assert.Equal(Calibration.DefaultBins, report.ReliabilityAfter.Count);
        Assert.Equal(20, report.RiskCoverage.Count);
        Assert.Equal(predictions.Count(p => p.Correct) / 2000.0, report.RiskCoverage[^1].Accuracy, 9);
        Assert.True(report.RiskCoverage[0].Accuracy > report.RiskCoverage[^1].Accuracy);
        Assert.Equal(EmotionLabels.Count, probabilities[0].Length);
    }
}
