namespace Ser.Api.Classification.Contracts;

public sealed record Segment(double StartSeconds, double EndSeconds, IReadOnlyDictionary<string, SegmentPrediction> Predictions);
