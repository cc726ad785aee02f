namespace Ser.Api.Models.Contracts;

/// <summary>How a served model's confidences are calibrated and where its <c>uncertain</c> flag starts.</summary>
/// <param name="Temperature">Null when the model folder has no <c>calibration.json</c> (probabilities served as the model gives them).</param>
/// <param name="Rule"><c>fixed</c>, <c>coverage</c> or <c>risk</c> (Ser:Inference:Abstain:{architecture}).</param>
/// <param name="ValidationCoverage">Share of the run's validation clips answered at this threshold (coverage and risk rules).</param>
public sealed record CalibrationInfo(double? Temperature, int ValidationClips, double? EceBefore, double? EceAfter, double UncertainBelow, string Rule,
    double? ValidationCoverage, double? ValidationAccuracy, string? Note);
