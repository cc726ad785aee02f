namespace Ser.Core.Evaluation;

/// <summary>How well a model's confidences match its accuracy on the test clips, before and after its temperature
/// (fitted on validation), and what abstaining buys: the risk–coverage curve of the calibrated confidences.</summary>
/// <param name="ValidationClips">Clips the temperature was fitted on (0: none, T = 1).</param>
/// <param name="Aurc">Area under the risk–coverage curve (mean risk over every coverage; lower is better).</param>
public sealed record CalibrationReport(double Temperature, int ValidationClips, double EceBefore, double EceAfter,
    IReadOnlyList<ReliabilityBin> ReliabilityBefore, IReadOnlyList<ReliabilityBin> ReliabilityAfter,
    IReadOnlyList<RiskCoveragePoint> RiskCoverage, double Aurc)
{
    public static CalibrationReport Build(double temperature, int validationClips, IReadOnlyList<ClipPrediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var raw = predictions.Select(p => p.Probabilities).ToArray();
        var truth = predictions.Select(p => p.Truth).ToArray();
        var calibrated = raw.Select(p => TemperatureScaling.Apply(p, temperature)).ToArray();
        var curve = Evaluation.RiskCoverage.Of(calibrated, truth);
        return new CalibrationReport(temperature, validationClips,
            Math.Round(Calibration.ExpectedCalibrationError(raw, truth), 6), Math.Round(Calibration.ExpectedCalibrationError(calibrated, truth), 6),
            Calibration.Reliability(raw, truth), Calibration.Reliability(calibrated, truth), curve.Curve(), Math.Round(curve.Aurc, 6));
    }
}
