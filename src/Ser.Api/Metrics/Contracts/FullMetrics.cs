using Ser.Core.Evaluation;

namespace Ser.Api.Metrics.Contracts;

public sealed record FullMetrics(Estimate Wa, Estimate Ua, Estimate MacroF1, IReadOnlyList<ClassMetrics> PerClass, ConfusionInfo Confusion,
    IReadOnlyDictionary<string, GroupMetrics> BySex, IReadOnlyDictionary<string, GroupMetrics> ByIntensity, double Ece);
