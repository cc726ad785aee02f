namespace Ser.Api.Classification.Contracts;

public sealed record SegmentPrediction(string Label, IReadOnlyDictionary<string, double> Probabilities)
{
    /// <summary>The (calibrated) probability of <see cref="Label"/>.</summary>
    public double Confidence { get; init; }

    /// <summary>Below the model's <c>uncertainBelow</c>, as for the whole clip.</summary>
    public bool Uncertain { get; init; }
}
