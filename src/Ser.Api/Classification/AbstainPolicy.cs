using Ser.Core.Models;

namespace Ser.Api.Classification;

/// <summary>Chooses a served model's <c>uncertain</c> threshold from <see cref="InferenceOptions"/> and the model's
/// calibration: a target coverage or risk is met on the validation clips it was calibrated on; without them, or
/// with no target, the fixed threshold applies.</summary>
public static class AbstainPolicy
{
    public static AbstainThreshold Resolve(InferenceOptions options, string architecture, ModelCalibration? calibration)
    {
        ArgumentNullException.ThrowIfNull(options);
        var own = options.Abstain.GetValueOrDefault(architecture);
        var below = own?.Below ?? options.AbstainBelow;
        if (own?.TargetCoverage is null && own?.MaxRisk is null) return new AbstainThreshold(below, "fixed");
        if (calibration is not { ValidationClips: > 0 })
            return new AbstainThreshold(below, "fixed", Note: "the model has no validation clips to meet a target coverage or risk on");
        var curve = calibration.Validation;
        var point = own.TargetCoverage is { } coverage ? curve.ForCoverage(coverage) : curve.ForRisk(own.MaxRisk!.Value);
        return new AbstainThreshold(Math.Round(point.Threshold, 6), own.TargetCoverage is null ? "risk" : "coverage",
            point.Coverage, Math.Round(point.Accuracy, 6));
    }
}
