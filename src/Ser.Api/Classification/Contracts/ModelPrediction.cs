namespace Ser.Api.Classification.Contracts;

/// <param name="Uncertain">True when <paramref name="Confidence"/> is below <c>Ser:Inference:AbstainBelow</c>.</param>
/// <param name="LatencyMs">Time from queueing the clip to its result for this model.</param>
public sealed record ModelPrediction(string Label, double Confidence, bool Uncertain, IReadOnlyDictionary<string, double> Probabilities,
    string? RunId, string Preset, double LatencyMs, IReadOnlyList<string> LabelsSupported);
