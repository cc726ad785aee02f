namespace Ser.Api.Classification.Contracts;

/// <param name="Uncertain">True when <paramref name="Confidence"/> (calibrated) is below <see cref="UncertainBelow"/>.</param>
/// <param name="LatencyMs">Time from queueing the clip to its result for this model.</param>
public sealed record ModelPrediction(string Label, double Confidence, bool Uncertain, IReadOnlyDictionary<string, double> Probabilities,
    string? RunId, string Preset, double LatencyMs, IReadOnlyList<string> LabelsSupported)
{
    /// <summary>The model's threshold: <c>Ser:Inference:AbstainBelow</c>, or one chosen for its target coverage or risk.</summary>
    public double UncertainBelow { get; init; }

    /// <summary>The temperature the probabilities were scaled by (fitted on the run's validation clips); null: none.</summary>
    public double? Temperature { get; init; }
}
