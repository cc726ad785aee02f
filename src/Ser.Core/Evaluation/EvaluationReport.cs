namespace Ser.Core.Evaluation;

/// <summary>The full evaluation of one model on one set of clips (the API's <c>metrics</c> and <c>human</c>).</summary>
public sealed record EvaluationReport(
    Estimate Wa, Estimate Ua, Estimate MacroF1, IReadOnlyList<ClassMetrics> PerClass, IReadOnlyList<string> Labels, int[][] Confusion,
    IReadOnlyDictionary<string, GroupMetrics> BySex, IReadOnlyDictionary<string, GroupMetrics> ByIntensity, double Ece,
    HumanBaseline? Human, string? HumanAbsentReason, IReadOnlyList<ClipPrediction> Predictions)
{
    /// <summary>Before/after the model's temperature; null for evaluations made before calibration existed.</summary>
    public CalibrationReport? Calibration { get; init; }
}
