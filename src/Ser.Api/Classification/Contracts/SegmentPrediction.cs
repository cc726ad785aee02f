namespace Ser.Api.Classification.Contracts;

public sealed record SegmentPrediction(string Label, IReadOnlyDictionary<string, double> Probabilities);
