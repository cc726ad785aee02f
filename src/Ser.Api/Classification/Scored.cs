namespace Ser.Api.Classification;

/// <summary>Probabilities per window, from which model, and how long its forward pass took.</summary>
public sealed record Scored(IReadOnlyList<float[]> Windows, string? RunId, string Preset, double ForwardMs);
