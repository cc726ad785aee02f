using Ser.Core.Evaluation;

namespace Ser.Api.Metrics.Contracts;

public sealed record FullMetrics(Estimate Wa, Estimate Ua, Estimate MacroF1, IReadOnlyList<ClassMetrics> PerClass, ConfusionInfo Confusion,
    IReadOnlyDictionary<string, GroupMetrics> BySex, IReadOnlyDictionary<string, GroupMetrics> ByIntensity, double Ece)
{
    /// <summary>Temperature, ECE and reliability before/after it, and the risk–coverage curve; null for runs made before calibration.</summary>
    public CalibrationReport? Calibration { get; init; }
}
