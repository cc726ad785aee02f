namespace Ser.Core.Evaluation;

/// <summary>Answering only the <paramref name="Coverage"/> share of clips the model is most confident about (confidence ≥
/// <paramref name="Threshold"/>) gives <paramref name="Accuracy"/> on them (risk = 1 − accuracy).</summary>
public sealed record RiskCoveragePoint(double Coverage, double Accuracy, double Threshold);
