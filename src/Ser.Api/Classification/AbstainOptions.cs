namespace Ser.Api.Classification;

/// <summary>How one architecture's <c>uncertain</c> threshold is chosen (<c>Ser:Inference:Abstain:{architecture}</c>); at
/// most one is set. Coverage and risk are met on the run's validation clips (calibrated confidences).</summary>
public sealed class AbstainOptions
{
    /// <summary>Share of clips to answer (0–1], e.g. 0.8: the least confident 20 % are flagged uncertain.</summary>
    public double? TargetCoverage { get; set; }

    /// <summary>Highest error rate among answered clips [0–1), e.g. 0.1: as many clips as that allows are answered.</summary>
    public double? MaxRisk { get; set; }

    /// <summary>A fixed threshold for this architecture instead of <c>Ser:Inference:AbstainBelow</c>.</summary>
    public double? Below { get; set; }
}
