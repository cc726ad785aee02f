using Ser.Api.Models;

namespace Ser.Api.Classification;

/// <summary>Probabilities per window, the model instance that computed them, and how long its forward pass took.</summary>
/// <param name="Model">Describes the answer (run id, preset, labels), whatever is active by now. Its lease is already
/// released: it may be retired and disposed, so read what it is, never run it.</param>
public sealed record Scored(IReadOnlyList<float[]> Windows, ServedModel Model, double ForwardMs);
